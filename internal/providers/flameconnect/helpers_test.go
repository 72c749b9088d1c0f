package flameconnect

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/setupwizard/setupwizard/internal/loopback"
	"github.com/setupwizard/setupwizard/internal/providers/flameconnect/emulator"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

// startEmulator serves a fresh emulator for one test.
func startEmulator(t testing.TB) (*emulator.Emulator, *loopback.CA) {
	t.Helper()
	ca, err := loopback.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	e, err := emulator.Start(ca)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	return e, ca
}

// options points a provider at authority, trusting pool, with timeout.
func options(authority string, pool *loopback.CA, timeout time.Duration) provider.Options {
	o := provider.Options{
		Timeout: timeout,
		Getenv: func(k string) string {
			if k == EnvAuthority {
				return authority
			}
			return ""
		},
	}
	if pool != nil {
		o.RootCAs = pool.Pool
	}
	return o
}

// providerFor is a provider signed into the emulator with a generous timeout.
func providerFor(e *emulator.Emulator, ca *loopback.CA) *Provider {
	return New(options(e.Authority(), ca, time.Minute))
}

func demoInput() provider.Input {
	return provider.Input{FieldEmail: emulator.DemoEmail, FieldPassword: emulator.DemoPassword}
}

// wantKey asserts err is a *provider.Error with key and a cause.
func wantKey(t *testing.T, err error, key string) *provider.Error {
	t.Helper()
	var pe *provider.Error
	if !errors.As(err, &pe) {
		t.Fatalf("error = %v (%T), want a *provider.Error with key %q", err, err, key)
	}
	if pe.Key != key {
		t.Fatalf("key = %q (%v), want %q", pe.Key, err, key)
	}
	if pe.Err == nil {
		t.Fatalf("key %q has no cause for the debug trace", key)
	}
	return pe
}

// secretsSeen collects every secret value that crossed the wire: cookie
// values, csrf, tx, codes, verifiers, tokens, the password.
func secretsSeen(reqs []emulator.Recorded) []string {
	var out []string
	add := func(v string) {
		if len(v) >= 6 {
			out = append(out, v)
		}
	}
	for _, r := range reqs {
		for _, line := range r.Header.Values("Cookie") {
			for _, part := range strings.Split(line, ";") {
				if _, v, ok := strings.Cut(strings.TrimSpace(part), "="); ok {
					add(v)
				}
			}
		}
		add(r.Header.Get("X-CSRF-TOKEN"))
		for _, part := range strings.Split(r.RawQuery, "&") {
			k, v, _ := strings.Cut(part, "=")
			switch k {
			case "csrf_token", "tx", "code", "state", "code_challenge", "hop":
				add(v)
			}
		}
		if form, err := url.ParseQuery(r.Body); err == nil {
			for _, k := range []string{"password", "code", "code_verifier", "refresh_token"} {
				add(form.Get(k))
			}
		}
	}
	return out
}

// assertNoSecrets fails when err's text holds any secret seen on the wire.
func assertNoSecrets(t *testing.T, err error, e *emulator.Emulator, extra ...string) {
	t.Helper()
	if err == nil {
		return
	}
	msg := err.Error()
	for _, s := range append(secretsSeen(e.Log()), extra...) {
		if strings.Contains(msg, s) {
			t.Fatalf("error text %q leaks a secret value", msg)
		}
	}
}

// trustingClient is an HTTP client for the emulator outside the provider.
func trustingClient(ca *loopback.CA) *http.Client {
	return provider.Options{RootCAs: ca.Pool, Timeout: time.Minute}.Client(nil)
}
