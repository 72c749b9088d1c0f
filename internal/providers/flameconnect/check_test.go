package flameconnect

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"

	"github.com/setupwizard/setupwizard/internal/providers/flameconnect/emulator"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

// signIn returns a fresh cache for the demo user.
func signIn(t *testing.T, p *Provider) []byte {
	t.Helper()
	acct, err := p.Validate(context.Background(), demoInput(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return acct.Cache
}

// grants counts token requests of one grant type.
func grants(e *emulator.Emulator, grantType string) int {
	n := 0
	for _, r := range e.Log() {
		if form, err := url.ParseQuery(r.Body); err == nil && form.Get("grant_type") == grantType {
			n++
		}
	}
	return n
}

// idTokenEmails reads the B2C "emails" claim of a JWT.
func idTokenEmails(t *testing.T, raw string) []string {
	t.Helper()
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		t.Fatalf("id token is not JWT-shaped")
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims struct {
		Emails []string `json:"emails"`
	}
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	return claims.Emails
}

// The stored cache is plain MSAL JSON: a fresh MSAL Go client loads it and
// gets a token silently, with no sign-in.
func TestCacheLoadsIntoFreshMSALClient(t *testing.T) {
	e, ca := startEmulator(t)
	data := signIn(t, providerFor(e, ca))
	e.ResetRequests()

	app, err := public.New(ClientID,
		public.WithAuthority(e.Authority()),
		public.WithInstanceDiscovery(false),
		public.WithHTTPClient(trustingClient(ca)),
		public.WithCache(&memCache{data: data}),
	)
	if err != nil {
		t.Fatal(err)
	}
	accounts, err := app.Accounts(context.Background())
	if err != nil || len(accounts) != 1 {
		t.Fatalf("accounts = %v, %v; want one", accounts, err)
	}
	res, err := app.AcquireTokenSilent(context.Background(), []string{APIScope}, public.WithSilentAccount(accounts[0]))
	if err != nil {
		t.Fatalf("silent token from the stored cache: %v", err)
	}
	if res.AccessToken == "" {
		t.Fatal("no access token")
	}
	if emails := idTokenEmails(t, res.IDToken.RawToken); len(emails) != 1 || emails[0] != emulator.DemoEmail {
		t.Errorf("id token emails = %v", emails)
	}
	for _, r := range e.Log() {
		if r.Body != "" {
			t.Errorf("a silent token from a fresh cache sent %s %s", r.Method, r.Path)
		}
	}
}

func TestCheckRefreshesAndReturnsNewCache(t *testing.T) {
	e, ca := startEmulator(t)
	p := providerFor(e, ca)
	data := signIn(t, p)
	before := grants(e, "refresh_token")

	updated, err := p.Check(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	if got := grants(e, "refresh_token"); got != before+1 {
		t.Fatalf("refresh grants = %d, want %d: a cached access token proves nothing", got, before+1)
	}
	if bytes.Equal(updated, data) || len(updated) == 0 {
		t.Fatal("Check did not return the updated cache")
	}
	// The updated cache works again, and is a real refresh each time.
	if _, err := p.Check(context.Background(), updated); err != nil {
		t.Fatalf("second check on the updated cache: %v", err)
	}
	if got := grants(e, "refresh_token"); got != before+2 {
		t.Fatalf("refresh grants = %d, want %d", got, before+2)
	}
}

func TestCheckExpiry(t *testing.T) {
	e, ca := startEmulator(t)
	p := providerFor(e, ca)
	data := signIn(t, p)
	e.Expire()
	if _, err := p.Check(context.Background(), data); !errors.Is(err, provider.ErrAuthExpired) {
		t.Fatalf("after revoke: %v, want ErrAuthExpired", err)
	}
	for name, cache := range map[string][]byte{
		"empty":      nil,
		"blank":      []byte("  \n"),
		"garbage":    []byte("not json"),
		"no grant":   []byte(`{"AccessToken":{}}`),
		"no account": []byte(`{"AccessToken":{},"RefreshToken":{},"IdToken":{},"Account":{},"AppMetadata":{}}`),
	} {
		if _, err := p.Check(context.Background(), cache); !errors.Is(err, provider.ErrAuthExpired) {
			t.Errorf("%s cache: %v, want ErrAuthExpired", name, err)
		}
	}
	// A new sign-in after the revoke works again.
	if _, err := p.Check(context.Background(), signIn(t, p)); err != nil {
		t.Fatalf("check after a new sign-in: %v", err)
	}
}

// Trouble that says nothing about the grant is never reported as expiry.
func TestCheckTroubleIsNotExpiry(t *testing.T) {
	tests := []struct {
		name    string
		fault   emulator.Fault
		timeout time.Duration
		key     string
	}{
		{"service down", emulator.FaultServerError, time.Minute, provider.KeyCannotConnect},
		{"too slow", emulator.FaultSlow, 300 * time.Millisecond, provider.KeyTimeout},
		{"token endpoint refuses the request", emulator.FaultTokenError, time.Minute, provider.KeyUnknown},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e, ca := startEmulator(t)
			data := signIn(t, providerFor(e, ca))
			e.SetFault(tc.fault)
			_, err := New(options(e.Authority(), ca, tc.timeout)).Check(context.Background(), data)
			if errors.Is(err, provider.ErrAuthExpired) {
				t.Fatalf("%v reported as expiry", err)
			}
			wantKey(t, err, tc.key)
			assertNoSecrets(t, err, e)
		})
	}
	t.Run("server gone", func(t *testing.T) {
		e, ca := startEmulator(t)
		data := signIn(t, providerFor(e, ca))
		_ = e.Close()
		_, err := providerFor(e, ca).Check(context.Background(), data)
		wantKey(t, err, provider.KeyCannotConnect)
	})
	t.Run("cancelled", func(t *testing.T) {
		e, ca := startEmulator(t)
		data := signIn(t, providerFor(e, ca))
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := providerFor(e, ca).Check(ctx, data); !errors.Is(err, context.Canceled) {
			t.Fatalf("error = %v, want context.Canceled", err)
		}
	})
}

// The token endpoint's answer is read once: its OAuth error code and B2C
// code reach the cause of a refresh failure that is not expiry.
func TestCheckCauseKeepsTheOAuthError(t *testing.T) {
	e, ca := startEmulator(t)
	p := providerFor(e, ca)
	data := signIn(t, p)
	e.SetFault(emulator.FaultTokenError)
	_, err := p.Check(context.Background(), data)
	pe := wantKey(t, err, provider.KeyUnknown)
	if msg := pe.Err.Error(); !strings.Contains(msg, "HTTP 400 invalid_request (AADB2C99002)") {
		t.Fatalf("cause %q lacks the OAuth error", msg)
	}
}
