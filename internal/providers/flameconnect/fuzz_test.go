package flameconnect

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	msalerrors "github.com/AzureAD/microsoft-authentication-library-for-go/apps/errors"

	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

func addSeeds(f *testing.F, dir string) {
	files, err := filepath.Glob(filepath.Join("testdata", dir, "*"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no seeds in testdata/%s", dir)
	}
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// FuzzParseSettings: no page makes the parser panic, and whatever it
// accepts yields values that cannot break a header or move a URL off the
// authority's host.
func FuzzParseSettings(f *testing.F) {
	addSeeds(f, "pages")
	auth := testAuthority(f)
	f.Fuzz(func(t *testing.T, page []byte) {
		s, err := parseSettings(page)
		if err != nil {
			return
		}
		if !tokenSafe(s.CSRF) || !tokenSafe(s.TransID) || !segmentSafe(s.API) || !fieldNameSafe(s.LoginField) {
			t.Fatalf("unsafe value accepted: %v", s)
		}
		if strings.ContainsAny(s.CSRF+s.TransID, "\r\n") {
			t.Fatal("header injection accepted")
		}
		settingsURLsStayOnHost(t, s, auth)
	})
}

// FuzzParseSelfAsserted: no answer makes the parser panic, and error codes
// that reach an error cause are short and plain.
func FuzzParseSelfAsserted(f *testing.F) {
	addSeeds(f, "selfasserted")
	f.Fuzz(func(t *testing.T, body []byte) {
		a, err := parseSelfAsserted(body)
		if err != nil {
			return
		}
		if a.ErrorCode != "" && !codeSafe(a.ErrorCode) {
			t.Fatalf("unsafe error code %q", a.ErrorCode)
		}
		if a.Outcome == saOther && a.Status != "?" && !codeSafe(a.Status) {
			t.Fatalf("unsafe status %q", a.Status)
		}
		if (a.Outcome == saAccepted) != (a.Status == "200") {
			t.Fatalf("outcome %d for status %q", a.Outcome, a.Status)
		}
	})
}

// FuzzSetCookie: no Set-Cookie line makes the reader panic, and what it
// keeps can go into a Cookie header without breaking it or being quoted.
func FuzzSetCookie(f *testing.F) {
	addSeeds(f, "setcookie")
	now := time.Now()
	f.Fuzz(func(t *testing.T, line []byte) {
		sc, ok := parseSetCookie(string(line), now)
		if !ok {
			return
		}
		if !cookieNameOK(sc.name) || !cookieValueOK(sc.value) || strings.ContainsAny(sc.name+sc.value, "; \"\r\n") {
			t.Fatalf("kept a cookie that breaks the header: %q=%q", sc.name, sc.value)
		}
		if sc.unsendable && sc.value != "" {
			t.Fatal("an unsendable value was kept")
		}
		if sc.path != "" && !strings.HasPrefix(sc.path, "/") {
			t.Fatalf("path %q is not absolute", sc.path)
		}
		c := newCookieStore()
		c.merge(&url.URL{Path: "/t/p/x"}, response(string(line)), now)
		if h := c.header("/t/p/x"); strings.ContainsAny(h, "\"\r\n") {
			t.Fatalf("Cookie header %q", h)
		}
	})
}

// FuzzCodeFromRedirect: no redirect (or page carrying one) makes the
// readers panic, a code only comes back with the right state, and errors
// never quote the input.
func FuzzCodeFromRedirect(f *testing.F) {
	addSeeds(f, "redirects")
	f.Fuzz(func(t *testing.T, loc []byte) {
		code, err := codeFromRedirect(string(loc), "s1")
		if err == nil && code == "" {
			t.Fatal("no error and no code")
		}
		if err != nil && len(loc) > 40 && strings.Contains(err.Error(), string(loc)) {
			t.Fatal("the error quotes the redirect")
		}
		// The same bytes as a page body: what is found is the app's redirect.
		if found, ok := appRedirectInPage(loc); ok && !isAppRedirect(found) {
			t.Fatalf("found %q, not the app's redirect", found)
		}
	})
}

// FuzzCookieDate: no Expires value makes the reader panic, and what it
// reads is a UTC instant that reads back the same in the standard form.
func FuzzCookieDate(f *testing.F) {
	for _, s := range []string{"Sat, 11-Jan-2014 00:00:00 GMT", "Thu, 01 Jan 1970 00:00:00 GMT",
		"Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994", "not a date"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := parseCookieDate(s)
		if !ok {
			if !got.IsZero() {
				t.Fatal("a date from a refused value")
			}
			return
		}
		if got.Location() != time.UTC {
			t.Fatalf("%q read in %v", s, got.Location())
		}
		if back, ok := parseCookieDate(got.Format(http.TimeFormat)); !ok || !back.Equal(got) {
			t.Fatalf("%q = %v does not read back (%v, %v)", s, got, back, ok)
		}
	})
}

// FuzzTokenCache: no cache makes Identity's or Token's cache reading
// panic, an identity read is safe to store, and a token handed out from
// the cache is the account's and valid long enough.
func FuzzTokenCache(f *testing.F) {
	f.Add([]byte(`{"Account":{"a":{"home_account_id":"h","local_account_id":"6c1f5d3e-7a0b-4c1e-9f2a-0b8e2d4f6a10"}},` +
		`"AccessToken":{"t":{"home_account_id":"h","client_id":"` + ClientID + `","secret":"s","target":"` + APIScope + `","expires_on":"4102444800"}}}`))
	f.Add([]byte(`{"Account":{},"AccessToken":{"t":{"expires_on":12}}}`))
	f.Add([]byte(`{`))
	p := New(provider.Options{Getenv: func(string) string { return "" }})
	f.Fuzz(func(t *testing.T, cache []byte) {
		if id, err := p.Identity(cache); err == nil && id != "" && !identitySafe(id) {
			t.Fatalf("unsafe identity %q", id)
		}
		doc, err := parseCache(cache)
		if err != nil {
			return
		}
		acct, err := doc.account()
		if err != nil {
			return
		}
		if at, ok := doc.freshAccessToken(acct.HomeAccountID, time.Now(), 5*time.Minute); ok {
			if at.Secret == "" || at.HomeAccountID != acct.HomeAccountID || time.Until(at.ExpiresOn.Time) < 4*time.Minute {
				t.Fatalf("handed out %+v", at)
			}
		}
	})
}

// FuzzTokenError: whatever body the token endpoint sends with an error
// status, the cause keeps only its status, a plain OAuth error code and an
// AADB2C code: no other server text reaches a cause or the trace.
func FuzzTokenError(f *testing.F) {
	f.Add(400, []byte(`{"error":"invalid_grant","error_description":"AADB2C90080: The provided grant has expired.\r\nCorrelation ID: x"}`))
	f.Add(400, []byte(`{"error":"<script>\u001b[31m","error_description":"\u001b]8;;http://x\u0007AADB2C90129"}`))
	f.Add(503, []byte(`<html>Service Unavailable</html>`))
	f.Add(401, []byte(`{"error":["not","a","string"]}`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		err := msalerrors.CallErr{
			Req:  &http.Request{},
			Resp: &http.Response{StatusCode: status, Body: io.NopCloser(bytes.NewReader(body))},
			Err:  errors.New("http call failed"),
		}
		te, ok := asTokenError(err)
		if !ok || te.status != status {
			t.Fatalf("CallErr not read: %+v %v", te, ok)
		}
		text := te.Error()
		for _, r := range text {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(" ()_-.", r)) {
				t.Fatalf("cause %q carries server text beyond codes", text)
			}
		}
		if len(text) > 96 {
			t.Fatalf("cause %q is longer than a status and two codes", text)
		}
	})
}

// FuzzB2CErrorMapping: whatever SelfAsserted answers or an app redirect
// carries, the mapping never panics, every key is one the provider lists
// (so it has words in every language), a key other than unknown comes
// only from a code or OAuth error the tables know, the cause keeps no
// server text beyond plain codes, and a code means the same in
// SelfAsserted's JSON as in a redirect's error_description. The input is
// read as SelfAsserted's body, as a redirect URL when it is one, and as
// an error_description otherwise.
func FuzzB2CErrorMapping(f *testing.F) {
	addSeeds(f, "b2cerrors")
	p := New(provider.Options{})
	allowed := map[string]bool{}
	for _, k := range append(append([]string{}, p.ErrorKeys()...), provider.SharedErrorKeys...) {
		allowed[k] = true
	}
	plainCause := func(t *testing.T, err error) {
		t.Helper()
		for _, r := range err.Error() {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(" ()_-.:?", r)) {
				t.Fatalf("cause %q carries server text beyond codes", err)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// SelfAsserted, through the verdict the sign-in uses.
		err := submitVerdict("SelfAsserted", &provider.Answer{Status: 200, Body: data})
		var pe *provider.Error
		if err != nil {
			if !errors.As(err, &pe) || !allowed[pe.Key] {
				t.Fatalf("SelfAsserted: %v is not a listed key", err)
			}
			if pe.Key != KeySessionExpired && pe.Key != provider.KeyServiceChanged {
				plainCause(t, err) // the others quote nothing of the body
			}
		}
		if a, perr := parseSelfAsserted(data); perr == nil && a.Outcome == saRefused {
			key := a.key()
			if pe == nil || pe.Key != key {
				t.Fatalf("verdict %v, parser key %q", err, key)
			}
			if tableKey, ok := b2cErrorKey(a.ErrorCode); ok {
				if key != tableKey {
					t.Fatalf("code %s: key %q, table %q", a.ErrorCode, key, tableKey)
				}
				// The same code in a redirect means the same.
				_, rerr := codeFromRedirect(redirectFor("access_denied", a.ErrorCode+": x"), "s1")
				if got := redirectErrorKey(rerr); got != key {
					t.Fatalf("code %s: SelfAsserted %q, redirect %q", a.ErrorCode, key, got)
				}
			} else if key != provider.KeyUnknown && key != provider.KeyInvalidAuth {
				t.Fatalf("code %q not in the table gave %q", a.ErrorCode, key)
			} else if key == provider.KeyInvalidAuth && (a.ErrorCode != "" || a.CodeUnreadable) {
				t.Fatalf("code %q not in the table read as a wrong password", a.ErrorCode)
			}
		}

		// The app redirect.
		loc := string(data)
		if !isAppRedirect(loc) {
			loc = redirectFor("access_denied", loc)
		}
		_, rerr := codeFromRedirect(loc, "s1")
		var re *redirectError
		if !errors.As(rerr, &re) {
			return
		}
		key := redirectErrorKey(rerr)
		if !allowed[key] {
			t.Fatalf("redirect: key %q is not listed", key)
		}
		plainCause(t, rerr)
		_, codeKnown := b2cErrorKey(re.b2c)
		_, oauthKnown := oauthErrorKeys[re.oauth]
		if key != provider.KeyUnknown && !codeKnown && !oauthKnown {
			t.Fatalf("redirect %q: key %q from nothing the tables know", loc, key)
		}
		if re.b2c != "" && !b2cCodeRE.MatchString(re.b2c) {
			t.Fatalf("kept %q as a code", re.b2c)
		}
	})
}
