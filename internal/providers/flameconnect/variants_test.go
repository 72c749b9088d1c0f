package flameconnect

import (
	"context"
	"strings"
	"testing"

	"github.com/setupwizard/setupwizard/internal/providers/flameconnect/emulator"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

// Server shapes the protocol facts allow, each served through the real TLS
// stack by the emulator (which also checks the facts' headers strictly): a
// sign-in and a refresh work against every one of them.
func TestValidateServerVariants(t *testing.T) {
	tests := []struct {
		name string
		v    emulator.Variant
	}{
		{"policy lower-cased in hosts", emulator.Variant{LowercaseHosts: true}},
		{"SETTINGS with trailing commas and .NET escapes", emulator.Variant{Settings: emulator.SettingsTrailingCommas}},
		{"SETTINGS as a script object", emulator.Variant{Settings: emulator.SettingsScript}},
		{"page view id header", emulator.Variant{PageViewIDHeader: true}},
		{"page view id header from a script object", emulator.Variant{Settings: emulator.SettingsScript, PageViewIDHeader: true}},
		{"signInName login field", emulator.Variant{LoginField: "signInName"}},
		{"authorize redirects before the page", emulator.Variant{AuthorizeRedirects: 3}},
		{"several redirects after confirmed", emulator.Variant{ConfirmedRedirects: 4}},
		{"JS-escaped redirect in a 200 page", emulator.Variant{RedirectInPage: true}},
		{"redirect query with a ';' and a bad escape", emulator.Variant{LooseRedirectQuery: true}},
		{"cookie deletions, paths and unsendable values", emulator.Variant{CookieShapes: true}},
		{"behind a path-prefix proxy", emulator.Variant{PathPrefix: "/proxy/b2c"}},
		{"all at once", emulator.Variant{
			Settings: emulator.SettingsScript, LowercaseHosts: true, PageViewIDHeader: true, LoginField: "logonIdentifier",
			AuthorizeRedirects: 2, ConfirmedRedirects: 3, RedirectInPage: true, LooseRedirectQuery: true,
			CookieShapes: true, PathPrefix: "/proxy",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e, ca := startEmulator(t)
			e.SetVariant(tc.v)
			p := providerFor(e, ca)
			acct, err := p.Validate(context.Background(), demoInput(), nil)
			if err != nil {
				for _, r := range e.Log() {
					t.Logf("%s %s", r.Method, r.Path)
				}
				t.Fatalf("sign-in: %v", err)
			}
			if _, err := p.Check(context.Background(), acct.Cache); err != nil {
				t.Fatalf("refresh: %v", err)
			}
			for _, r := range e.Log() {
				if r.Host != strings.TrimPrefix(e.URL(), "https://") {
					t.Errorf("a request reached another host: %s %s", r.Method, r.Host)
				}
			}
		})
	}
}

// At most 20 redirects are followed in each walk: exactly 20 succeed, a
// 21st fails with a cause that says so.
func TestRedirectLimit(t *testing.T) {
	tests := []struct {
		name string
		v    emulator.Variant
		ok   bool
	}{
		{"20 before the page", emulator.Variant{AuthorizeRedirects: 20}, true},
		{"21 before the page", emulator.Variant{AuthorizeRedirects: 21}, false},
		{"20 after confirmed", emulator.Variant{ConfirmedRedirects: 20}, true},
		{"21 after confirmed", emulator.Variant{ConfirmedRedirects: 21}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e, ca := startEmulator(t)
			e.SetVariant(tc.v)
			_, err := providerFor(e, ca).Validate(context.Background(), demoInput(), nil)
			if tc.ok {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			pe := wantKey(t, err, provider.KeyUnknown)
			if !strings.Contains(pe.Err.Error(), "more than 20 redirects") {
				t.Fatalf("cause %q", pe.Err)
			}
		})
	}
}

// A cookie dropped for an unsendable value is named in a failed step's
// cause (never with its value).
func TestRefusedCookieInCause(t *testing.T) {
	e, ca := startEmulator(t)
	e.SetVariant(emulator.Variant{CookieShapes: true})
	e.SetFault(emulator.FaultMFA)
	_, err := providerFor(e, ca).Validate(context.Background(), demoInput(), nil)
	pe := wantKey(t, err, KeyActionRequired)
	if msg := pe.Err.Error(); !strings.Contains(msg, "x-ms-cpim-geo") || strings.Contains(msg, "North") {
		t.Fatalf("cause %q", msg)
	}
}
