package flameconnect

import (
	"errors"
	"strings"
	"testing"
)

func TestIsAppRedirect(t *testing.T) {
	tests := []struct {
		loc  string
		want bool
	}{
		{RedirectURI, true},
		{RedirectURI + "?code=x&state=y", true},
		{RedirectURI + "/?code=x&state=y", true},
		{strings.ToUpper(RedirectURI[:4]) + RedirectURI[4:] + "?code=x", true},
		{RedirectURI + "x?code=1", false},
		{RedirectURI + "#code=1", false},
		{"msal00000000-0000-0000-0000-000000000000://auth?code=1", false},
		{"https://evil.example/?r=" + RedirectURI, false},
		{"msal" + ClientID + "://aut", false},
		{"", false},
	}
	for _, tc := range tests {
		if got := isAppRedirect(tc.loc); got != tc.want {
			t.Errorf("isAppRedirect(%q) = %v, want %v", tc.loc, got, tc.want)
		}
	}
}

func TestCodeFromRedirect(t *testing.T) {
	tests := []struct {
		name, loc, code string
		err             error
		errText         string
	}{
		{name: "query", loc: RedirectURI + "?code=abc%2B&state=s1", code: "abc+"},
		{name: "slash", loc: RedirectURI + "/?state=s1&code=abc", code: "abc"},
		{name: "bad state", loc: RedirectURI + "?code=abc&state=other", err: errBadState},
		{name: "no state", loc: RedirectURI + "?code=abc", err: errBadState},
		{name: "error", loc: RedirectURI + "?error=access_denied&error_description=AADB2C90091%3A+The+user+has+cancelled&state=s1", errText: "access_denied (AADB2C90091)"},
		{name: "hostile error", loc: RedirectURI + "?error=%3Cb%3Esecret&state=s1", errText: "unreadable error code"},
		{name: "no code", loc: RedirectURI + "?state=s1", errText: "neither a code nor an error"},
		{name: "bad escape", loc: RedirectURI + "?code=%zz&state=s1", errText: "unreadable"},
		{name: "bad pair beside the code", loc: RedirectURI + "?code=abc&note=100%&x=a;b&state=s1", code: "abc"},
		{name: "semicolon in the description", loc: RedirectURI + "?error=access_denied&error_description=AADB2C90273:+x;+Correlation+ID:+1&state=s1", errText: "access_denied (AADB2C90273)"},
		{name: "bad escape in the description", loc: RedirectURI + "?error=server_error&error_description=AADB2C90000+100%&state=s1", errText: "server_error"},
		{name: "unreadable error", loc: RedirectURI + "?error=%zz&code=abc&state=s1", errText: "unreadable error code"},
		{name: "empty error", loc: RedirectURI + "?error=&code=abc&state=s1", code: "abc"},
		{name: "first state wins", loc: RedirectURI + "?state=s1&state=s2&code=abc", code: "abc"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, err := codeFromRedirect(tc.loc, "s1")
			switch {
			case tc.err != nil:
				if !errors.Is(err, tc.err) {
					t.Fatalf("error = %v, want %v", err, tc.err)
				}
			case tc.errText != "":
				if err == nil || !strings.Contains(err.Error(), tc.errText) {
					t.Fatalf("error = %v, want one mentioning %q", err, tc.errText)
				}
			case err != nil || code != tc.code:
				t.Fatalf("code = %q, %v; want %q", code, err, tc.code)
			}
			if err != nil && strings.Contains(err.Error(), "abc") {
				t.Fatalf("error %q leaks the code", err)
			}
		})
	}
}

func TestAppRedirectInPage(t *testing.T) {
	page := []byte(`<html><script>window.location.href = '` + RedirectURI + `?code=c1&amp;state=s1';</script></html>`)
	loc, ok := appRedirectInPage(page)
	if !ok {
		t.Fatal("redirect in the page not found")
	}
	if code, err := codeFromRedirect(loc, "s1"); err != nil || code != "c1" {
		t.Fatalf("code = %q, %v", code, err)
	}
	escapedURI := strings.ReplaceAll(RedirectURI, "/", `\/`)
	for name, page := range map[string]string{
		"json.Marshal":  `<script>window.location.replace("` + RedirectURI + `?code=c1\u0026state=s1");</script>`,
		"escaped slash": `<script>location = "` + escapedURI + `?code=c1\u0026state=s1";</script>`,
		"hex escape":    `<script>location = '` + escapedURI + `/?code=c1\x26state=s1';</script>`,
		"all escaped":   `<script>location = "msal` + ClientID + `\u003a\/\/auth?code\u003dc1\u0026state\u003ds1";</script>`,
		"numeric":       `<meta http-equiv="refresh" content="0;url=` + RedirectURI + `?code=c1&#38;state=s1">`,
		"hex numeric":   `<a href="` + RedirectURI + `?code=c1&#x26;state=s1">continue</a>`,
		"upper AMP":     `<a href='` + RedirectURI + `?code=c1&AMP;state=s1'>continue</a>`,
	} {
		loc, ok := appRedirectInPage([]byte(page))
		if !ok {
			t.Errorf("%s: redirect not found", name)
			continue
		}
		if code, err := codeFromRedirect(loc, "s1"); err != nil || code != "c1" {
			t.Errorf("%s: %q gives %q, %v", name, loc, code, err)
		}
	}
	// Legacy entities without ';' stay as they are: "&para" is a query pair.
	loc, ok = appRedirectInPage([]byte(`<a href="` + RedirectURI + `?code=c1&para=1&state=s1">`))
	if !ok || !strings.Contains(loc, "&para=1&state=s1") {
		t.Fatalf("legacy entity unescaped: %q", loc)
	}
	// An escaped backslash is not an escape.
	if loc, ok := appRedirectInPage([]byte(`"` + RedirectURI + `?code=c1\\u0026state=s1"`)); ok && strings.Contains(loc, "&state") {
		t.Fatalf("\\\\u0026 read as &: %q", loc)
	}
	if _, ok := appRedirectInPage([]byte(`<p>Enter the code we sent</p>`)); ok {
		t.Fatal("found a redirect in a page without one")
	}
}
