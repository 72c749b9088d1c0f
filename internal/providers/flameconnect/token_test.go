package flameconnect

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/setupwizard/setupwizard/internal/providers/flameconnect/emulator"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

// refreshGrants counts the refresh grants the emulator's token endpoint saw.
func refreshGrants(e *emulator.Emulator) int {
	n := 0
	for _, r := range e.Log() {
		if strings.HasSuffix(r.Path, "/oauth2/v2.0/token") && strings.Contains(r.Body, "grant_type=refresh_token") {
			n++
		}
	}
	return n
}

func signedIn(t *testing.T, e *emulator.Emulator, p *Provider) *provider.Account {
	t.Helper()
	acct, err := p.Validate(context.Background(), demoInput(), nil)
	if err != nil {
		t.Fatalf("sign-in: %v", err)
	}
	return acct
}

const minValid = 5 * time.Minute

// A cached access token with more than minValid left is handed out as it
// is: no request at all, nothing to store back, and the API accepts it.
func TestTokenFreshFromCacheWithoutRequests(t *testing.T) {
	e, ca := startEmulator(t)
	p := providerFor(e, ca)
	acct := signedIn(t, e, p)
	e.ResetRequests()
	cred, updated, err := p.Token(context.Background(), acct.Cache, minValid)
	if err != nil {
		t.Fatal(err)
	}
	if n := e.Requests(); n != 0 {
		t.Fatalf("%d requests for a fresh token, want 0", n)
	}
	if updated != nil {
		t.Error("a fresh token returned a cache to store")
	}
	if cred.Kind != "token" || cred.Type != "Bearer" || cred.Value == "" || time.Until(cred.ExpiresAt) < 50*time.Minute {
		t.Errorf("credential %s/%s expires %v", cred.Kind, cred.Type, cred.ExpiresAt)
	}
	if err := e.CheckCredential(cred); err != nil {
		t.Fatalf("API refused the token: %v", err)
	}
}

// Within minValid of expiry, exactly one refresh grant is redeemed, the new
// cache comes back, and the new token is fresh and accepted.
func TestTokenNearExpiryRefreshesOnce(t *testing.T) {
	e, ca := startEmulator(t)
	p := providerFor(e, ca)
	e.SetAccessTokenLifetime(4 * time.Minute)
	acct := signedIn(t, e, p)
	e.SetAccessTokenLifetime(time.Hour)
	e.ResetRequests()
	cred, updated, err := p.Token(context.Background(), acct.Cache, minValid)
	if err != nil {
		t.Fatal(err)
	}
	if n := refreshGrants(e); n != 1 {
		t.Fatalf("%d refresh grants, want 1", n)
	}
	if updated == nil || string(updated) == string(acct.Cache) {
		t.Fatal("no updated cache returned")
	}
	if time.Until(cred.ExpiresAt) < 50*time.Minute {
		t.Errorf("refreshed token expires %v", cred.ExpiresAt)
	}
	if err := e.CheckCredential(cred); err != nil {
		t.Fatalf("API refused the refreshed token: %v", err)
	}
	// The stored-back cache now serves the token without a request.
	e.ResetRequests()
	again, next, err := p.Token(context.Background(), updated, minValid)
	if err != nil || next != nil || again.Value != cred.Value || e.Requests() != 0 {
		t.Fatalf("from the updated cache: %v, updated %v, %d requests", err, next != nil, e.Requests())
	}
}

func TestTokenErrors(t *testing.T) {
	tests := []struct {
		name    string
		break_  func(e *emulator.Emulator)
		expired bool
		key     string
	}{
		{"grant revoked", func(e *emulator.Emulator) { e.Expire() }, true, ""},
		{"service down", func(e *emulator.Emulator) { e.SetFault(emulator.FaultServerError) }, false, provider.KeyCannotConnect},
		{"token endpoint refuses the request", func(e *emulator.Emulator) { e.SetFault(emulator.FaultTokenError) }, false, provider.KeyUnknown},
		{"emulator gone", func(e *emulator.Emulator) { _ = e.Close() }, false, provider.KeyCannotConnect},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e, ca := startEmulator(t)
			p := providerFor(e, ca)
			e.SetAccessTokenLifetime(time.Minute)
			acct := signedIn(t, e, p)
			tc.break_(e)
			_, updated, err := p.Token(context.Background(), acct.Cache, minValid)
			if updated != nil {
				t.Error("a failed refresh returned a cache")
			}
			if got := errors.Is(err, provider.ErrAuthExpired); got != tc.expired {
				t.Fatalf("err = %v, auth expired %v, want %v", err, got, tc.expired)
			}
			if !tc.expired {
				wantKey(t, err, tc.key)
			}
		})
	}
}

// A fresh token's check reads the cache only, so unreadable caches are
// expiry (the password is needed again), as in Check.
func TestTokenUnusableCache(t *testing.T) {
	p := New(provider.Options{Getenv: func(string) string { return "" }})
	for name, cache := range map[string]string{
		"empty":       "",
		"not JSON":    "{",
		"no account":  `{"AccessToken":{},"Account":{},"RefreshToken":{}}`,
		"two persons": `{"Account":{"a":{"home_account_id":"a.t","local_account_id":"a"},"b":{"home_account_id":"b.t","local_account_id":"b"}}}`,
	} {
		if _, _, err := p.Token(context.Background(), []byte(cache), minValid); !errors.Is(err, provider.ErrAuthExpired) {
			t.Errorf("%s: %v, want auth expired", name, err)
		}
	}
}

func TestFreshAccessTokenSelection(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	doc := func(entries string) cacheDoc {
		d, err := parseCache([]byte(`{"AccessToken":{` + entries + `}}`))
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	at := func(key, home, client, target, exp string) string {
		return `"` + key + `":{"home_account_id":"` + home + `","client_id":"` + client + `","secret":"s-` + key +
			`","target":"` + target + `","expires_on":` + exp + `}`
	}
	scope := "openid " + strings.ToUpper(APIScope)
	tests := []struct {
		name, entries, want string
	}{
		{"string expiry, an hour left", at("a", "h", ClientID, scope, `"1800003600"`), "s-a"},
		{"number expiry", at("a", "h", ClientID, scope, `1800003600`), "s-a"},
		{"four minutes left", at("a", "h", ClientID, scope, `"1800000240"`), ""},
		{"exactly minValid left", at("a", "h", ClientID, scope, `"1800000300"`), "s-a"},
		{"another account", at("a", "x", ClientID, scope, `"1800003600"`), ""},
		{"another client", at("a", "h", "other", scope, `"1800003600"`), ""},
		{"another scope", at("a", "h", ClientID, "openid", `"1800003600"`), ""},
		{"the later of two", at("a", "h", ClientID, scope, `"1800001000"`) + "," + at("b", "h", ClientID, scope, `"1800009000"`), "s-b"},
	}
	for _, tc := range tests {
		got, ok := doc(tc.entries).freshAccessToken("h", now, minValid)
		if got.Secret != tc.want || ok != (tc.want != "") {
			t.Errorf("%s: %q %v, want %q", tc.name, got.Secret, ok, tc.want)
		}
	}
}

// The identity is the ID token's oid as MSAL keeps it; Identity reads the
// same from the stored cache, and a lying token endpoint shows another.
func TestIdentity(t *testing.T) {
	e, ca := startEmulator(t)
	p := providerFor(e, ca)
	acct := signedIn(t, e, p)
	if !identitySafe(acct.Identity) || len(acct.Identity) != 36 {
		t.Fatalf("identity %q", acct.Identity)
	}
	got, err := p.Identity(acct.Cache)
	if err != nil || got != acct.Identity {
		t.Fatalf("Identity(cache) = %q, %v; want %q", got, err, acct.Identity)
	}
	if again := signedIn(t, e, p); again.Identity != acct.Identity {
		t.Fatalf("a second sign-in of the same account: %q, want %q", again.Identity, acct.Identity)
	}
	refreshed, err := p.Check(context.Background(), acct.Cache)
	if id, _ := p.Identity(refreshed); err != nil || id != acct.Identity {
		t.Fatalf("identity after a refresh: %q, %v", id, err)
	}
	e.AddAccount("other@example.com", "other-pw-1")
	e.Impersonate(emulator.DemoEmail, "other@example.com")
	lied := signedIn(t, e, p)
	if lied.Identity == acct.Identity || lied.UniqueID != acct.UniqueID {
		t.Fatalf("lying endpoint: identity %q (was %q), unique id %q", lied.Identity, acct.Identity, lied.UniqueID)
	}
	for name, cache := range map[string]string{"empty": "", "no account": `{"Account":{}}`} {
		if id, err := p.Identity([]byte(cache)); id != "" || err != nil {
			t.Errorf("%s: %q, %v", name, id, err)
		}
	}
	hostile := `{"Account":{"a":{"home_account_id":"a.t","local_account_id":"\u001b]0;pwned\u0007"}}}`
	if id, err := p.Identity([]byte(hostile)); err == nil || id != "" {
		t.Errorf("hostile account id: %q, %v", id, err)
	}
}

// The fresh path of --token: cache parsing only.
func BenchmarkTokenFromCache(b *testing.B) {
	e, ca := startEmulator(b)
	p := providerFor(e, ca)
	acct, err := p.Validate(context.Background(), demoInput(), nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, updated, err := p.Token(context.Background(), acct.Cache, minValid); err != nil || updated != nil {
			b.Fatal(err)
		}
	}
}
