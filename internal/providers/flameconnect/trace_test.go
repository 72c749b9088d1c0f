package flameconnect

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/setupwizard/setupwizard/internal/providers/flameconnect/emulator"
	"github.com/setupwizard/setupwizard/internal/trace"
)

// The --debug trace of a whole sign-in, a status check and a forced token
// refresh, against the shapes real tenants take, holds none of the secrets
// that crossed the wire: the password, cookie values, csrf, transId, state,
// code, PKCE values, and the access, refresh and ID tokens MSAL kept.
func TestDebugTraceHoldsNoSecrets(t *testing.T) {
	tests := []struct {
		name string
		v    emulator.Variant
	}{
		{"usual shape", emulator.Variant{}},
		{"captured real B2C shapes", emulator.Variant{Captured: true}},
		{"script SETTINGS, page view id, cookie shapes, redirect in page", emulator.Variant{
			Settings: emulator.SettingsScript, PageViewIDHeader: true, CookieShapes: true,
			RedirectInPage: true, ConfirmedRedirects: 3, AuthorizeRedirects: 2,
		}},
		{"revisited chain, loose query", emulator.Variant{Revisit: true, LooseRedirectQuery: true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e, ca := startEmulator(t)
			e.SetVariant(tc.v)
			const password = "Pa55+/w=rd&x;\"<é>"
			e.AddAccount("trace.user@example.com", password)
			var buf bytes.Buffer
			tr := trace.New(&buf)
			opts := options(e.Authority(), ca, time.Minute)
			opts.Wrap = tr.Wrap
			p := New(opts)
			tr.Secret(password)
			acct, err := p.Validate(context.Background(), map[string]string{FieldEmail: "trace.user@example.com", FieldPassword: password}, nil)
			tr.Forget(password)
			if err != nil {
				t.Fatalf("sign-in: %v", err)
			}
			updated, err := p.Check(context.Background(), acct.Cache)
			if err != nil {
				t.Fatalf("check: %v", err)
			}
			if _, _, err := p.Token(context.Background(), updated, 24*time.Hour); err != nil {
				t.Fatalf("token: %v", err)
			}
			out := buf.String()
			if !strings.Contains(out, "SelfAsserted") || !strings.Contains(out, "confirmed") {
				t.Fatalf("the trace misses the sign-in requests:\n%.2000s", out)
			}
			// The emulator's own one-use hop ids name no real B2C value, so a
			// trace has no reason to hide them.
			hops := map[string]bool{}
			for _, r := range e.Log() {
				if q, err := url.ParseQuery(r.RawQuery); err == nil && q.Get("hop") != "" {
					hops[rawQuery(r.RawQuery)["hop"]] = true
				}
			}
			var secrets []string
			for _, s := range secretsSeen(e.Log()) {
				if !hops[s] {
					secrets = append(secrets, s)
				}
			}
			secrets = append(secrets, password, url.QueryEscape(password))
			secrets = append(secrets, cacheSecrets(t, acct.Cache)...)
			secrets = append(secrets, cacheSecrets(t, updated)...)
			for _, s := range secrets {
				if strings.Contains(out, s) {
					i := strings.Index(out, s)
					t.Errorf("the trace shows a secret (%d chars) near: %q", len(s), out[max(0, i-120):i])
				}
			}
		})
	}
}

// rawQuery splits a query without unescaping, as secretsSeen reads it.
func rawQuery(q string) map[string]string {
	out := map[string]string{}
	for _, part := range strings.Split(q, "&") {
		k, v, _ := strings.Cut(part, "=")
		out[k] = v
	}
	return out
}

// cacheSecrets lists the token values in MSAL's cache JSON.
func cacheSecrets(t *testing.T, cache []byte) []string {
	t.Helper()
	var doc map[string]map[string]map[string]any
	if err := json.Unmarshal(cache, &doc); err != nil {
		t.Fatalf("cache: %v", err)
	}
	var out []string
	for _, section := range []string{"AccessToken", "RefreshToken", "IdToken"} {
		for _, entry := range doc[section] {
			if s, _ := entry["secret"].(string); len(s) >= 8 {
				out = append(out, s)
				// A JWT's signature alone would be enough to notice a leak.
				if i := strings.LastIndexByte(s, '.'); i > 0 && len(s)-i > 16 {
					out = append(out, s[i+1:])
				}
			}
		}
	}
	if len(out) < 3 {
		t.Fatalf("the cache holds %d token values, want access, refresh and ID tokens", len(out))
	}
	return out
}
