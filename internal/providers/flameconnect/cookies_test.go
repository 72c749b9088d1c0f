package flameconnect

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func response(setCookies ...string) *http.Response {
	h := http.Header{}
	for _, c := range setCookies {
		h.Add("Set-Cookie", c)
	}
	return &http.Response{Header: h}
}

var cookieReqURL = &url.URL{Scheme: "https", Host: "h", Path: fcBase + "SelfAsserted"}

func TestCookieStoreSendsVerbatimAndMerges(t *testing.T) {
	now := time.Now()
	c := newCookieStore()
	c.merge(cookieReqURL, response(
		"x-ms-cpim-csrf=+/+/abc==; path=/; secure; HttpOnly; SameSite=None",
		"x-ms-cpim-trans=a+b/c=; path=/; secure",
		`x-ms-cpim-cache|x_0="quoted+/="; path=/`,
	), now)
	want := `x-ms-cpim-csrf=+/+/abc==; x-ms-cpim-trans=a+b/c=; x-ms-cpim-cache|x_0=quoted+/=`
	if got := c.header("/"); got != want {
		t.Fatalf("Cookie = %q\nwant     %q", got, want)
	}
	c.merge(cookieReqURL, response(
		"x-ms-cpim-trans=new+/=; path=/",
		"x-ms-cpim-csrf=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/",
		"other=1; Max-Age=-1",
		"x-ms-cpim-sso:tenant_0=s/s=; path=/",
	), now)
	want = `x-ms-cpim-trans=new+/=; x-ms-cpim-cache|x_0=quoted+/=; x-ms-cpim-sso:tenant_0=s/s=`
	if got := c.header("/"); got != want {
		t.Fatalf("after merge Cookie = %q\nwant                 %q", got, want)
	}
	req, _ := http.NewRequest("GET", "https://h/", nil)
	c.apply(req)
	if req.Header.Get("Cookie") != want {
		t.Fatalf("apply set %q", req.Header.Get("Cookie"))
	}
	empty, _ := http.NewRequest("GET", "https://h/", nil)
	newCookieStore().apply(empty)
	if _, ok := empty.Header["Cookie"]; ok {
		t.Fatal("an empty store set a Cookie header")
	}
}

// RFC 6265 5.3: Max-Age wins over Expires, whichever comes first; Expires
// dates in the Netscape form delete too.
func TestCookieExpiry(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		line string
		kept bool
	}{
		{"a=1; Max-Age=900; Expires=Thu, 01 Jan 1970 00:00:00 GMT", true},
		{"a=1; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=900", true},
		{"a=1; Max-Age=0; Expires=Wed, 01 Jan 2031 00:00:00 GMT", false},
		{"a=1; Max-Age=-5", false},
		{"a=1; Max-Age=abc; Expires=Thu, 01 Jan 1970 00:00:00 GMT", false}, // a bad Max-Age is ignored
		{"a=deleted; expires=Thu, 01-Jan-1970 00:00:00 GMT", false},
		{"a=deleted; expires=Thursday, 01-Jan-70 00:00:01 GMT", false},
		{"a=1; expires=Sun, 01-Jun-2025 11:59:59 GMT", false},
		{"a=1; expires=Sun, 01-Jun-2025 12:00:01 GMT", true},
		{"a=1; expires=not a date", true},
		{"a=; domain=login.example; expires=Sat, 11-Jan-2014 00:00:00 GMT; path=/; SameSite=None; HttpOnly", false},
		{"a=; path=/", true}, // an empty value is still a cookie
	}
	for _, tc := range tests {
		c := newCookieStore()
		c.merge(cookieReqURL, response("a=old"), now)
		c.merge(cookieReqURL, response(tc.line), now)
		got := c.header(cookieReqURL.Path)
		if kept := got != "" && got != "a=old"; kept != tc.kept {
			t.Errorf("%q: kept = %v (Cookie %q), want %v", tc.line, kept, got, tc.kept)
		}
	}
}

func TestParseCookieDate(t *testing.T) {
	want := time.Date(1994, 11, 6, 8, 49, 37, 0, time.UTC)
	for _, s := range []string{
		"Sun, 06 Nov 1994 08:49:37 GMT", "Sun, 06-Nov-1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT",
		"Sun Nov  6 08:49:37 1994",
	} {
		if got, ok := parseCookieDate(s); !ok || !got.Equal(want) {
			t.Errorf("%q = %v, %v; want %v", s, got, ok, want)
		}
	}
	for _, s := range []string{"", "Sun, 31 Feb 1994 08:49:37 GMT", "Sun, 06 Nov 1994 24:00:00 GMT", "06 Nov 1994", "08:49:37 1994 Nov", "6 november 1994 8:49:37"} {
		if got, ok := parseCookieDate(s); ok {
			t.Errorf("%q accepted as %v", s, got)
		}
	}
}

// A new value that cannot be sent verbatim drops the cookie (the stale
// value must not go out) and is named, without its value, in the note.
func TestCookieUnsendableValueDropsCookie(t *testing.T) {
	c := newCookieStore()
	now := time.Now()
	c.merge(cookieReqURL, response("x-ms-cpim-geo=NE; path=/", "keep=1; path=/"), now)
	c.merge(cookieReqURL, response("x-ms-cpim-geo=North Europe,1; path=/"), now)
	if got := c.header("/"); got != "keep=1" {
		t.Fatalf("Cookie = %q, want only keep=1", got)
	}
	note := c.refusedNote()
	if !strings.Contains(note, "x-ms-cpim-geo") || strings.Contains(note, "North") {
		t.Fatalf("note %q", note)
	}
	if newCookieStore().refusedNote() != "" {
		t.Fatal("a note without refused cookies")
	}
}

// Cookies are keyed by name and path and sent only where the path matches.
func TestCookiePaths(t *testing.T) {
	c := newCookieStore()
	now := time.Now()
	c.merge(cookieReqURL, response(
		"x-ms-cpim-trans=root; path=/",
		"x-ms-cpim-trans=elsewhere; path=/elsewhere/",
		"rp=elsewhere; path=/elsewhere",
		"deep=1; path="+fcBase+"api",
		"nopath=1",
		"relative=1; path=api",
	), now)
	tests := map[string]string{
		"/":                        "x-ms-cpim-trans=root",
		fcBase + "SelfAsserted":    "nopath=1; relative=1; x-ms-cpim-trans=root",
		fcBase + "api/X/confirmed": "deep=1; nopath=1; relative=1; x-ms-cpim-trans=root",
		fcBase + "apix":            "nopath=1; relative=1; x-ms-cpim-trans=root",
		"/elsewhere/x":             "x-ms-cpim-trans=elsewhere; rp=elsewhere; x-ms-cpim-trans=root",
		"/elsewhereX":              "x-ms-cpim-trans=root",
		strings.ToLower(fcBase):    "x-ms-cpim-trans=root", // path-match is case-sensitive
	}
	for path, want := range tests {
		if got := c.header(path); got != want {
			t.Errorf("Cookie for %s = %q, want %q", path, got, want)
		}
	}
	// Replacing one (name, path) leaves the other (and its send order).
	c.merge(cookieReqURL, response("x-ms-cpim-trans=root2; path=/"), now)
	if got := c.header("/elsewhere/"); got != "x-ms-cpim-trans=elsewhere; rp=elsewhere; x-ms-cpim-trans=root2" {
		t.Errorf("after replace: %q", got)
	}
}
