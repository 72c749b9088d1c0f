package flameconnect

import (
	"bytes"
	"crypto/subtle"
	"errors"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
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
// redirects by script or meta refresh), once JavaScript escapes are undone.
var appRedirectInPageRE = regexp.MustCompile(`(?i)` + regexp.QuoteMeta(RedirectURI) + `[?/][^"'<>\s\\]*`)

// appRedirectInPage returns the app redirect URL a page carries, if any. A
// script may carry it JavaScript-escaped (json.Marshal writes & as \u0026,
// other writers / as \/), an HTML attribute entity-escaped (&amp;).
func appRedirectInPage(body []byte) (string, bool) {
	for _, m := range appRedirectInPageRE.FindAll(jsUnescape(body), -1) {
		loc := htmlUnescapeURL(string(m))
		if isAppRedirect(loc) {
			return loc, true
		}
	}
	return "", false
}

// jsUnescape undoes JavaScript string escapes: \/, \uXXXX, \xXX, and an
// escaped backslash or quote. Anything else is left as it is.
func jsUnescape(b []byte) []byte {
	if bytes.IndexByte(b, '\\') < 0 {
		return b
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c != '\\' || i+1 >= len(b) {
			out = append(out, c)
			continue
		}
		switch n := b[i+1]; n {
		case '/', '\\', '"', '\'':
			out = append(out, n)
			i++
		case 'u', 'x':
			size := 4
			if n == 'x' {
				size = 2
			}
			if i+2+size > len(b) {
				out = append(out, c)
				continue
			}
			v, err := strconv.ParseUint(string(b[i+2:i+2+size]), 16, 32)
			if err != nil {
				out = append(out, c)
				continue
			}
			out = utf8.AppendRune(out, rune(v))
			i += 1 + size
		default:
			out = append(out, c)
		}
	}
	return out
}

// htmlEntityRE matches the entities a URL in an HTML attribute may hold:
// &amp; and numeric references, each ending with ';'. Legacy entities
// without a semicolon are left alone: "&para=1" is a query, not a pilcrow.
var htmlEntityRE = regexp.MustCompile(`(?i)&(?:amp|#[0-9]{1,7}|#x[0-9a-f]{1,6});`)

func htmlUnescapeURL(s string) string {
	if !strings.Contains(s, "&") {
		return s
	}
	return htmlEntityRE.ReplaceAllStringFunc(s, func(e string) string {
		body := strings.ToLower(e[1 : len(e)-1])
		if body == "amp" {
			return "&"
		}
		var v uint64
		var err error
		if strings.HasPrefix(body, "#x") {
			v, err = strconv.ParseUint(body[2:], 16, 32)
		} else {
			v, err = strconv.ParseUint(body[1:], 10, 32)
		}
		if err != nil || v == 0 || v > utf8.MaxRune || (v >= 0xd800 && v <= 0xdfff) {
			return "\uFFFD"
		}
		return string(rune(v))
	})
}

// errBadState is a redirect whose state is not the one sent: a forged or
// crossed response. Causes never include the values.
var errBadState = errors.New("redirect state does not match the authorize request")

// codeFromRedirect checks state and returns the authorization code. An
// error/error_description answer is a *redirectError, which keeps the
// OAuth error and the AADB2C code for the key and the trace.
// The query is read pair by pair: one unreadable pair (a ';', a bad %
// escape in error_description) does not hide the code, error or state.
func codeFromRedirect(loc, wantState string) (string, error) {
	rawQuery := ""
	if i := strings.IndexByte(loc, '?'); i >= 0 {
		rawQuery = loc[i+1:]
	}
	if i := strings.IndexByte(rawQuery, '#'); i >= 0 {
		rawQuery = rawQuery[:i]
	}
	q, unreadable := redirectParams(rawQuery)
	if e := q["error"]; e != "" || unreadable["error"] {
		re := &redirectError{oauth: e, b2c: b2cCode(q["error_description"])}
		if unreadable["error"] || !codeSafe(e) {
			re.oauth, re.unreadable = "", true
		}
		return "", re
	}
	if got := q["state"]; subtle.ConstantTimeCompare([]byte(got), []byte(wantState)) != 1 {
		return "", errBadState
	}
	code := q["code"]
	switch {
	case code != "":
		return code, nil
	case unreadable["code"]:
		return "", errors.New("redirect code unreadable (bad % escape)")
	}
	return "", errNoCode
}

// errNoCode is an app redirect with neither a code nor an error: not an
// answer B2C gives, so the service changed.
var errNoCode = errors.New("redirect carries neither a code nor an error")

// redirectParams splits a query into its first value per name, skipping
// pairs that do not unescape (their names are reported as unreadable).
func redirectParams(rawQuery string) (params map[string]string, unreadable map[string]bool) {
	params, unreadable = map[string]string{}, map[string]bool{}
	for _, pair := range strings.Split(rawQuery, "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			continue
		}
		val, err := url.QueryUnescape(v)
		if err != nil {
			unreadable[key] = true
			continue
		}
		if _, seen := params[key]; !seen {
			params[key] = val
		}
	}
	return params, unreadable
}

// safeCode keeps an OAuth error code printable and short.
func safeCode(s string) string {
	if codeSafe(s) {
		return s
	}
	return "(unreadable error code)"
}

// b2cCodeRE finds an AADB2Cnnnnn code in an error description, the only
// part of it worth keeping.
var b2cCodeRE = regexp.MustCompile(`AADB2C\d{4,6}`)

// b2cCode is the first AADB2C code in desc ("" when none).
func b2cCode(desc string) string { return b2cCodeRE.FindString(desc) }
