package flameconnect

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/setupwizard/setupwizard/internal/flow"
	"github.com/setupwizard/setupwizard/internal/i18n"
	"github.com/setupwizard/setupwizard/internal/providers/flameconnect/emulator"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
	"github.com/setupwizard/setupwizard/internal/store"
)

// memStore is a real store in a temporary config dir, its keyring in
// memory: enough to prove a failed sign-in leaves nothing behind.
func memStore(t *testing.T) (*store.Store, *store.MemoryKeyring) {
	t.Helper()
	kr := store.NewMemoryKeyring()
	st, err := store.Open(t.TempDir(), store.WithKeyring(kr))
	if err != nil {
		t.Fatal(err)
	}
	return st, kr
}

// assertWords checks that key has its own words in English and Polish,
// naming the service (but invalid_auth, whose words are Home Assistant's),
// and that the Polish is translated.
func assertWords(t *testing.T, p provider.Provider, key string) {
	t.Helper()
	cat, err := flow.Strings(p)
	if err != nil {
		t.Fatal(err)
	}
	en, okEN := cat.Raw("en", "config.error."+key)
	pl, okPL := cat.Raw("pl", "config.error."+key)
	if !okEN || !okPL || en == "" || pl == "" {
		t.Fatalf("%s: no words (en %q, pl %q)", key, en, pl)
	}
	if en == pl {
		t.Errorf("%s: Polish is the English text %q", key, en)
	}
	for _, s := range []string{en, pl} {
		if key != provider.KeyInvalidAuth && !strings.Contains(s, "Flame Connect") {
			t.Errorf("%s: %q does not name Flame Connect", key, s)
		}
	}
}

// Every refusal the facts list, served by the emulator through real TLS,
// ends the user step on the form with its key, with words in English and
// Polish, and stores nothing (no entry, no keyring item). SelfAsserted's
// errorCode and the redirect's error_description go through one table, so
// one code means one thing wherever B2C puts it.
func TestB2CRefusalsEndWithTheirKey(t *testing.T) {
	desc := func(code, text string) string {
		return code + ": " + text + "\r\nCorrelation ID: 1\r\nTimestamp: 2026-09-30 10:00:00Z"
	}
	tests := []struct {
		name    string
		refusal emulator.Refusal
		key     string
	}{
		{"SelfAsserted 90052", emulator.Refusal{Code: "AADB2C90052"}, provider.KeyInvalidAuth},
		{"SelfAsserted 90053", emulator.Refusal{Code: "AADB2C90053"}, provider.KeyInvalidAuth},
		{"SelfAsserted 90054", emulator.Refusal{Code: "AADB2C90054"}, provider.KeyInvalidAuth},
		{"SelfAsserted 90114 locked for a while", emulator.Refusal{Code: "AADB2C90114"}, KeyAccountLocked},
		{"SelfAsserted 90111 locked until support unlocks", emulator.Refusal{Code: "AADB2C90111"}, KeyAccountBlocked},
		{"SelfAsserted 90244 too many requests", emulator.Refusal{Code: "AADB2C90244"}, KeyTooManyAttempts},
		{"SelfAsserted 90157 too many retries", emulator.Refusal{Code: "AADB2C90157"}, KeyTooManyAttempts},
		{"SelfAsserted 90035 unavailable", emulator.Refusal{Code: "AADB2C90035"}, provider.KeyCannotConnect},
		{"SelfAsserted 90289 identity provider unavailable", emulator.Refusal{Code: "AADB2C90289"}, provider.KeyCannotConnect},
		{"SelfAsserted 90046 state lost", emulator.Refusal{Code: "AADB2C90046"}, KeySessionExpired},
		{"SelfAsserted 90255", emulator.Refusal{Code: "AADB2C90255"}, KeySessionExpired},
		{"SelfAsserted 90211 cookies invalid", emulator.Refusal{Code: "AADB2C90211"}, KeySessionExpired},
		{"SelfAsserted 90212 cookies missing", emulator.Refusal{Code: "AADB2C90212"}, KeySessionExpired},
		{"SelfAsserted 90118 password reset", emulator.Refusal{Code: "AADB2C90118"}, KeyPasswordReset},
		{"SelfAsserted a code nobody knows", emulator.Refusal{Code: "AADB2C99999"}, provider.KeyUnknown},
		{"redirect access_denied 90157", emulator.Refusal{RedirectError: "access_denied", Description: desc("AADB2C90157", "User has exceeded the maximum number for retries for a self-asserted step.")}, KeyTooManyAttempts},
		{"redirect access_denied 90114", emulator.Refusal{RedirectError: "access_denied", Description: desc("AADB2C90114", "Your account is temporarily locked.")}, KeyAccountLocked},
		{"redirect server_error 90111", emulator.Refusal{RedirectError: "server_error", Description: desc("AADB2C90111", "Your account has been locked.")}, KeyAccountBlocked},
		{"redirect access_denied 90118", emulator.Refusal{RedirectError: "access_denied", Description: desc("AADB2C90118", "The user has forgotten their password.")}, KeyPasswordReset},
		{"redirect access_denied 90053", emulator.Refusal{RedirectError: "access_denied", Description: desc("AADB2C90053", "Your password is incorrect.")}, provider.KeyInvalidAuth},
		{"redirect server_error 90035", emulator.Refusal{RedirectError: "server_error", Description: desc("AADB2C90035", "The service is temporarily unavailable.")}, provider.KeyCannotConnect},
		{"redirect 90212 lost cookies", emulator.Refusal{RedirectError: "access_denied", Description: desc("AADB2C90212", "The request did not contain the cookies expected.")}, KeySessionExpired},
		{"redirect interaction_required, no code", emulator.Refusal{RedirectError: "interaction_required"}, KeyInteractionRequired},
		{"redirect consent_required, no code", emulator.Refusal{RedirectError: "consent_required"}, KeyInteractionRequired},
		{"redirect login_required, no code", emulator.Refusal{RedirectError: "login_required"}, KeyLoginRequired},
		{"redirect server_error, no code", emulator.Refusal{RedirectError: "server_error"}, provider.KeyCannotConnect},
		{"redirect temporarily_unavailable", emulator.Refusal{RedirectError: "temporarily_unavailable"}, provider.KeyCannotConnect},
		{"redirect interaction_required with a code nobody knows", emulator.Refusal{RedirectError: "interaction_required", Description: desc("AADB2C99999", "?")}, KeyInteractionRequired},
		{"redirect access_denied, user cancelled (a surprise here)", emulator.Refusal{RedirectError: "access_denied", Description: desc("AADB2C90091", "The user has cancelled.")}, provider.KeyUnknown},
		{"redirect access_denied, no description", emulator.Refusal{RedirectError: "access_denied"}, provider.KeyUnknown},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e, ca := startEmulator(t)
			e.Refuse(emulator.DemoEmail, tc.refusal)
			p := providerFor(e, ca)
			res := submitRefused(t, p, tc.key)
			if code := tc.refusal.Code + b2cCode(tc.refusal.Description); code != "" && !strings.Contains(res.Cause.Error(), code) {
				t.Errorf("cause %q does not keep the code %s for the trace", res.Cause, code)
			}
			if tc.refusal.RedirectError != "" && !strings.Contains(res.Cause.Error(), tc.refusal.RedirectError) {
				t.Errorf("cause %q does not keep the OAuth error %s", res.Cause, tc.refusal.RedirectError)
			}
			if strings.Contains(res.Cause.Error(), "Correlation") || strings.Contains(res.Cause.Error(), "locked.") {
				t.Errorf("cause %q carries the service's text", res.Cause)
			}
			assertNoSecrets(t, res.Cause, e, emulator.DemoPassword)
			assertWords(t, p, tc.key)
		})
	}
}

// The accounts every emulator starts with for --demo show the refusals a
// person can meet, whatever password is typed.
func TestDemoRefusalAccounts(t *testing.T) {
	e, ca := startEmulator(t)
	p := providerFor(e, ca)
	tests := []struct{ email, key string }{
		{emulator.LockedEmail, KeyAccountLocked},
		{emulator.SupportLockedEmail, KeyAccountBlocked},
		{emulator.ThrottledEmail, KeyTooManyAttempts},
		{emulator.AppOnlyEmail, KeyInteractionRequired},
	}
	if len(tests) != len(emulator.DemoRefusals) {
		t.Fatalf("%d demo refusals, %d tested", len(emulator.DemoRefusals), len(tests))
	}
	for _, tc := range tests {
		for _, pw := range []string{emulator.DemoPassword, "anything else"} {
			_, err := p.Validate(context.Background(), provider.Input{FieldEmail: tc.email, FieldPassword: pw}, nil)
			if tc.key == KeyInteractionRequired && pw != emulator.DemoPassword {
				// The redirect comes only after the password was accepted.
				wantKey(t, err, provider.KeyInvalidAuth)
				continue
			}
			wantKey(t, err, tc.key)
		}
	}
	// The demo account itself still signs in, and so does a refused one
	// once its refusal ends.
	if _, err := p.Validate(context.Background(), demoInput(), nil); err != nil {
		t.Fatal(err)
	}
	e.Refuse(emulator.LockedEmail, emulator.Refusal{})
	if _, err := p.Validate(context.Background(), provider.Input{FieldEmail: emulator.LockedEmail, FieldPassword: emulator.DemoPassword}, nil); err != nil {
		t.Fatalf("after the lock ends: %v", err)
	}
}

// The redirect parser and the SelfAsserted parser read a code the same
// way: the table decides, the OAuth error only when no code is known.
func TestRedirectErrorKeys(t *testing.T) {
	tests := []struct {
		query string
		key   string
	}{
		{"error=access_denied&error_description=AADB2C90157%3a+User+has+exceeded", KeyTooManyAttempts},
		{"error=access_denied&error_description=AADB2C90244:+Too+many", KeyTooManyAttempts},
		{"error=access_denied&error_description=AADB2C90114%3A+locked", KeyAccountLocked},
		{"error=access_denied&error_description=AADB2C90111", KeyAccountBlocked},
		{"error=access_denied&error_description=AADB2C90118%3a+forgot", KeyPasswordReset},
		{"error=server_error&error_description=AADB2C90289", provider.KeyCannotConnect},
		{"error=access_denied&error_description=AADB2C90046", KeySessionExpired},
		{"error=access_denied&error_description=AADB2C90052", provider.KeyInvalidAuth},
		{"error=interaction_required", KeyInteractionRequired},
		{"error=login_required&error_description=AADB2C90077%3a+no+session", KeyLoginRequired},
		{"error=server_error", provider.KeyCannotConnect},
		{"error=access_denied", provider.KeyUnknown},
		{"error=invalid_request&error_description=AADB2C90018", provider.KeyUnknown},
		{"error=%3Cb%3Einteraction_required", provider.KeyUnknown},
		{"error=%zz&error_description=AADB2C90114", KeyAccountLocked},
		{"error=access_denied&error_description=AADB2C901140", provider.KeyUnknown},
	}
	for _, tc := range tests {
		_, err := codeFromRedirect(RedirectURI+"?"+tc.query+"&state=s1", "s1")
		if err == nil {
			t.Fatalf("%s: no error", tc.query)
		}
		if got := redirectErrorKey(err); got != tc.key {
			t.Errorf("%s: key %q (%v), want %q", tc.query, got, err, tc.key)
		}
	}
	if got := redirectErrorKey(errBadState); got != provider.KeyUnknown {
		t.Errorf("bad state: %q", got)
	}
}

// The token endpoint's codes for a grant that is gone are expiry in Check
// and Token whatever OAuth error comes with them; the sign-in page's codes
// keep their keys there too, and never record expiry.
func TestTokenEndpointCodes(t *testing.T) {
	tests := []struct {
		status  int
		body    string
		expired bool
		key     string // when not expired
	}{
		{400, `{"error":"invalid_grant","error_description":"AADB2C90080: The provided grant has expired."}`, true, ""},
		{400, `{"error":"invalid_grant","error_description":"AADB2C90129: The provided grant has been revoked."}`, true, ""},
		{400, `{"error":"invalid_request","error_description":"AADB2C90129: The provided grant has been revoked."}`, true, ""},
		{400, `{"error":"unauthorized_client","error_description":"AADB2C90128: The account associated with this grant no longer exists."}`, true, ""},
		{400, `{"error":"invalid_request","error_description":"AADB2C90035: The service is temporarily unavailable."}`, false, provider.KeyCannotConnect},
		{429, `{"error":"invalid_request","error_description":"AADB2C90244: Too many requests."}`, false, KeyTooManyAttempts},
		{503, `{"error":"server_error","error_description":"AADB2C90080"}`, true, ""}, // never reaches: 4xx only
		{400, `{"error":"invalid_request","error_description":"AADB2C90117: malformed"}`, false, provider.KeyUnknown},
	}
	for i, tc := range tests {
		callErr := func() error { return tokenCallErr(tc.status, tc.body, "http call failed") }
		err := checkError(context.Background(), callErr())
		if tc.status >= 500 {
			wantKey(t, err, provider.KeyCannotConnect)
			continue
		}
		if got := errors.Is(err, provider.ErrAuthExpired); got != tc.expired {
			t.Errorf("%d: expired = %v (%v), want %v", i, got, err, tc.expired)
			continue
		}
		if !tc.expired {
			wantKey(t, err, tc.key)
			// During a sign-in, the same answer has the same key.
			wantKey(t, msalError(context.Background(), "token", callErr()), tc.key)
		} else {
			// During a sign-in, a code whose grant expired means start over.
			wantKey(t, msalError(context.Background(), "token", callErr()), KeySessionExpired)
		}
	}
}

// Every key of the table is one Validate may return: listed in ErrorKeys
// (so the strings check covers it) or shared.
func TestB2CTableKeysAreListed(t *testing.T) {
	p := New(provider.Options{})
	listed := map[string]bool{}
	for _, k := range append(append([]string{}, p.ErrorKeys()...), provider.SharedErrorKeys...) {
		listed[k] = true
	}
	for code, key := range b2cErrorCodes {
		if !listed[key] {
			t.Errorf("%s maps to %q, which ErrorKeys does not list", code, key)
		}
	}
	for oauth, key := range oauthErrorKeys {
		if !listed[key] {
			t.Errorf("%s maps to %q, which ErrorKeys does not list", oauth, key)
		}
	}
	cat, err := i18n.Load(p.Translations(), ".")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range p.ErrorKeys() {
		for _, lang := range []string{"en", "pl"} {
			if !cat.Has(lang, "config.error."+k) {
				t.Errorf("%s: no %s words", k, lang)
			}
		}
	}
}

// redirectFor is the app redirect carrying desc as error_description.
func redirectFor(oauth, desc string) string {
	return RedirectURI + "?error=" + url.QueryEscape(oauth) + "&error_description=" + url.QueryEscape(desc) + "&state=s1"
}

// Through real TLS: the token endpoint's codes for a grant that is gone
// are expiry in Check and in Token (whatever OAuth error comes with
// them); the sign-in page's codes there keep their keys and never record
// expiry.
func TestRefreshCodesThroughTLS(t *testing.T) {
	tests := []struct {
		oauth, desc string
		expired     bool
		key         string
	}{
		{"invalid_grant", "AADB2C90080: The provided grant has expired. Please re-authenticate and try again.", true, ""},
		{"invalid_grant", "AADB2C90129: The provided grant has been revoked. Please reauthenticate and try again.", true, ""},
		{"invalid_request", "AADB2C90129: The provided grant has been revoked.", true, ""},
		{"invalid_grant", "AADB2C90128: The account associated with this grant no longer exists.", true, ""},
		{"unauthorized_client", "AADB2C90128: The account associated with this grant no longer exists.", true, ""},
		{"invalid_request", "AADB2C90035: The service is temporarily unavailable.", false, provider.KeyCannotConnect},
		{"invalid_request", "AADB2C90244: There are too many requests at this moment.", false, KeyTooManyAttempts},
	}
	for _, tc := range tests {
		t.Run(tc.oauth+" "+b2cCode(tc.desc), func(t *testing.T) {
			t.Parallel()
			e, ca := startEmulator(t)
			p := providerFor(e, ca)
			e.SetAccessTokenLifetime(time.Minute) // Token must refresh
			acct, err := p.Validate(context.Background(), demoInput(), nil)
			if err != nil {
				t.Fatal(err)
			}
			e.SetRefreshError(tc.oauth, tc.desc)
			_, checkErr := p.Check(context.Background(), acct.Cache)
			_, _, tokenErr := p.Token(context.Background(), acct.Cache, minValid)
			for name, err := range map[string]error{"Check": checkErr, "Token": tokenErr} {
				if got := errors.Is(err, provider.ErrAuthExpired); got != tc.expired {
					t.Fatalf("%s: expired = %v (%v), want %v", name, got, err, tc.expired)
				}
				if !tc.expired {
					wantKey(t, err, tc.key)
				}
				if !strings.Contains(err.Error(), b2cCode(tc.desc)) {
					t.Errorf("%s: cause %q lost the code", name, err)
				}
			}
			e.SetRefreshError("", "")
			if _, err := p.Check(context.Background(), acct.Cache); err != nil {
				t.Fatalf("after the error ends: %v", err)
			}
		})
	}
}
