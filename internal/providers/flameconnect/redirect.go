package flameconnect

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"strings"
)

// isAppRedirect reports whether loc is the app's redirect URI: the literal
// msal{CLIENT_ID}://auth followed by the end, '?' or '/'. Anything else
// (msal...://authX, another scheme) is not the result.
func isAppRedirect(loc string) bool {
	if len(loc) < len(RedirectURI) || !strings.EqualFold(loc[:len(RedirectURI)], RedirectURI) {
		return false
	}
	rest := loc[len(RedirectURI):]
	return rest == "" || rest[0] == '?' || rest[0] == '/'
}

// appRedirectInPageRE finds the redirect URI inside a 200 body (a page that
// redirects by script or meta refresh).
var appRedirectInPageRE = regexp.MustCompile(`(?i)` + regexp.QuoteMeta(RedirectURI) + `[?/][^"'<>\s\\]*`)

// appRedirectInPage returns the app redirect URL a page carries, if any.
func appRedirectInPage(body []byte) (string, bool) {
	for _, m := range appRedirectInPageRE.FindAll(body, -1) {
		loc := html.UnescapeString(string(m))
		if isAppRedirect(loc) {
			return loc, true
		}
	}
	return "", false
}

// errBadState is a redirect whose state is not the one sent: a forged or
// crossed response. Causes never include the values.
var errBadState = errors.New("redirect state does not match the authorize request")

// codeFromRedirect checks state and returns the authorization code. An
// error/error_description answer is a sign-in failure whose code is kept.
func codeFromRedirect(loc, wantState string) (string, error) {
	rawQuery := ""
	if i := strings.IndexByte(loc, '?'); i >= 0 {
		rawQuery = loc[i+1:]
	}
	if i := strings.IndexByte(rawQuery, '#'); i >= 0 {
		rawQuery = rawQuery[:i]
	}
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return "", errors.New("redirect query unreadable")
	}
	if e := q.Get("error"); e != "" {
		return "", fmt.Errorf("sign-in failed: %s%s", safeCode(e), b2cCode(q.Get("error_description")))
	}
	if got := q.Get("state"); subtle.ConstantTimeCompare([]byte(got), []byte(wantState)) != 1 {
		return "", errBadState
	}
	code := q.Get("code")
	if code == "" {
		return "", errors.New("redirect carries neither a code nor an error")
	}
	return code, nil
}

// safeCode keeps an OAuth error code printable and short.
func safeCode(s string) string {
	if codeSafe(s) {
		return s
	}
	return "(unreadable error code)"
}

// b2cCode extracts the AADB2Cnnnnn code from an error description, the
// only part worth logging.
var b2cCodeRE = regexp.MustCompile(`AADB2C\d{4,6}`)

func b2cCode(desc string) string {
	if m := b2cCodeRE.FindString(desc); m != "" {
		return " (" + m + ")"
	}
	return ""
}
