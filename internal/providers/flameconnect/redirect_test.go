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
	if _, ok := appRedirectInPage([]byte(`<p>Enter the code we sent</p>`)); ok {
		t.Fatal("found a redirect in a page without one")
	}
}
