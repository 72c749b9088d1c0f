package flameconnect

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/setupwizard/setupwizard/internal/providers/flameconnect/emulator"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

// Server shapes docs/flameconnect.md allows, each served through the real TLS
// stack by the emulator (which also checks the request headers strictly): a
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
		{"a login field of another name", emulator.Variant{LoginField: "signInNames.emailAddress"}},
		{"authorize redirects before the page", emulator.Variant{AuthorizeRedirects: 3}},
		{"several redirects after confirmed", emulator.Variant{ConfirmedRedirects: 4}},
		{"JS-escaped redirect in a 200 page", emulator.Variant{RedirectInPage: true}},
		{"redirect query with a ';' and a bad escape", emulator.Variant{LooseRedirectQuery: true}},
		{"cookie deletions, paths and unsendable values", emulator.Variant{CookieShapes: true}},
		{"behind a path-prefix proxy", emulator.Variant{PathPrefix: "/proxy/b2c"}},
		{"captured real B2C shapes", emulator.Variant{Captured: true}},
		{"a CAPTCHA widget the service does not enforce", emulator.Variant{CaptchaWidget: true}},
		{"a chain that revisits a URL", emulator.Variant{Revisit: true}},
		{"a revisit inside a longer chain", emulator.Variant{Revisit: true, ConfirmedRedirects: 3}},
		{"authority policy in lower case", emulator.Variant{AuthorityCase: "lower"}},
		{"authority policy in upper case", emulator.Variant{AuthorityCase: "upper"}},
		{"captured shapes, authority in lower case, behind a proxy", emulator.Variant{Captured: true, AuthorityCase: "lower", PathPrefix: "/proxy"}},
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
			if !strings.Contains(pe.Err.Error(), "more than 20") {
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

// What each fidelity variant must make the client do, seen on the wire.
func TestFidelityVariantsOnTheWire(t *testing.T) {
	mixedBase := "/" + emulator.Tenant + "/" + emulator.Policy + "/"
	tests := []struct {
		name  string
		v     emulator.Variant
		check func(t *testing.T, log []emulator.Recorded)
	}{
		{"authority in lower case posts to the page's spelling", emulator.Variant{AuthorityCase: "lower"}, func(t *testing.T, log []emulator.Recorded) {
			post := findRequest(t, log, "POST", "/SelfAsserted")
			if post.Path != mixedBase+"SelfAsserted" || !strings.Contains(post.RawQuery, "p="+emulator.Policy) {
				t.Errorf("SelfAsserted at %s?%s", post.Path, post.RawQuery)
			}
		}},
		{"captured page: GUID tenant path and signInName", emulator.Variant{Captured: true}, func(t *testing.T, log []emulator.Recorded) {
			post := findRequest(t, log, "POST", "/SelfAsserted")
			if strings.Contains(post.Path, emulator.Tenant) || !strings.HasSuffix(post.Path, "/"+emulator.Policy+"/SelfAsserted") {
				t.Errorf("SelfAsserted at %s, want the hosts.tenant GUID path", post.Path)
			}
			if !strings.Contains(post.Body, "signInName=") {
				t.Error("login not sent as signInName")
			}
		}},
		{"revisited URL is followed twice", emulator.Variant{Revisit: true}, func(t *testing.T, log []emulator.Recorded) {
			n := 0
			for _, r := range log {
				if strings.HasSuffix(r.Path, "/revisit") {
					n++
				}
			}
			if n != 2 {
				t.Errorf("revisit link requested %d times, want 2", n)
			}
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
				t.Fatalf("sign-in: %v", err)
			}
			if _, err := p.Check(context.Background(), acct.Cache); err != nil {
				t.Fatalf("status after sign-in: %v", err)
			}
			tc.check(t, e.Log())
		})
	}
}

func findRequest(t *testing.T, log []emulator.Recorded, method, suffix string) emulator.Recorded {
	t.Helper()
	for _, r := range log {
		if r.Method == method && strings.HasSuffix(r.Path, suffix) {
			return r
		}
	}
	t.Fatalf("no %s ...%s request", method, suffix)
	return emulator.Recorded{}
}

// Revisits are allowed, real loops are not: a chain that keeps coming back
// to one URL ends with unknown and says why, and nothing leaves the host.
func TestRedirectLoopStops(t *testing.T) {
	e, ca := startEmulator(t)
	e.SetVariant(emulator.Variant{Loop: true})
	_, err := providerFor(e, ca).Validate(context.Background(), demoInput(), nil)
	pe := wantKey(t, err, provider.KeyUnknown)
	if !errors.Is(err, provider.ErrRevisited) && !errors.Is(err, provider.ErrTooManyHops) {
		t.Fatalf("cause %q names neither a loop nor the hop cap", pe.Err)
	}
	n := 0
	for _, r := range e.Log() {
		if strings.HasSuffix(r.Path, "/revisit") {
			n++
		}
	}
	if n < 2 || n > provider.DefaultMaxVisits {
		t.Errorf("the looping URL was fetched %d times", n)
	}
}
