package flameconnect

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
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
		if !tokenSafe(s.CSRF) || !tokenSafe(s.TransID) || !segmentSafe(s.API) {
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
