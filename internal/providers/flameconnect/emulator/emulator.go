// Package emulator is a TLS server on loopback that behaves like the
// FlameConnect Azure AD B2C tenant as docs/flameconnect.md describes it:
// OIDC metadata, a B2C sign-in page with SETTINGS and x-ms-cpim-*
// cookies, SelfAsserted, confirmed with a relative redirect hop, a token
// endpoint with PKCE, refresh grants and revocation, and one call of the
// cloud API for Bearer tokens. Tests and --demo use it; faults reproduce
// the ways the real service breaks, variants the shapes a B2C tenant may
// take. SelfAsserted checks every header a browser sends.
package emulator

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/setupwizard/setupwizard/internal/loopback"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

// EnvAuthority is the provider's authority override variable (the
// provider package cannot be imported here: its tests import this one).
const EnvAuthority = "SETUPWIZARD_FLAMECONNECT_AUTHORITY"

// Tenant and Policy name the authority path, as on the real service.
const (
	Tenant = "gdhvb2cflameconnect.onmicrosoft.com"
	Policy = "B2C_1A_FirePhoneSignUpOrSignInWithPhoneOrEmail"
	// API is the SETTINGS "api" value and the confirmed path segment.
	API = "CombinedSigninAndSignup"
)

// The demo account every emulator starts with.
const (
	DemoEmail    = "demo@example.com"
	DemoPassword = "demo-password"
)

// DefaultAccessTokenLifetime is how long issued access tokens live.
const DefaultAccessTokenLifetime = time.Hour

// Fault makes the emulator misbehave the way the real service does.
type Fault int

const (
	// FaultNone serves the happy path.
	FaultNone Fault = iota
	// FaultSlow makes every request hang until its context ends.
	FaultSlow
	// FaultSlowSelfAsserted makes SelfAsserted hang until its context ends.
	FaultSlowSelfAsserted
	// FaultServerError answers 503 on every endpoint.
	FaultServerError
	// FaultSelfAssertedServerError answers 500 on SelfAsserted only.
	FaultSelfAssertedServerError
	// FaultMFA answers confirmed with a 200 page asking for another step.
	FaultMFA
	// FaultBlocked answers SelfAsserted with 403 (bot protection).
	FaultBlocked
	// FaultExpired answers SelfAsserted with 400 (transaction expired).
	FaultExpired
	// FaultForeignRedirect sends the post-confirmed hop to another host.
	FaultForeignRedirect
	// FaultForeignPage redirects the authorize request to another host.
	FaultForeignPage
	// FaultForeignMetadata points the OIDC metadata's endpoints at another host.
	FaultForeignMetadata
	// FaultNoCSRF serves a sign-in page whose SETTINGS lack csrf and transId.
	FaultNoCSRF
	// FaultHTMLAnswer answers SelfAsserted with an HTML page instead of JSON.
	FaultHTMLAnswer
	// FaultBadState returns the code with a state the client did not send.
	FaultBadState
	// FaultErrorRedirect returns error/error_description instead of a code.
	FaultErrorRedirect
	// FaultTokenError answers every token request with 400 invalid_request.
	FaultTokenError
	// FaultRenamedField makes SelfAsserted expect a login field the page
	// does not name (a policy change): it answers 400 AADB2C90015, the
	// malformed-request code, which says nothing about the password.
	FaultRenamedField
	// FaultNoSettings serves a sign-in page without `var SETTINGS` at all,
	// as after a change of the service's page template.
	FaultNoSettings
	// FaultStrangeAnswer answers SelfAsserted with JSON of a shape B2C
	// does not send (no status).
	FaultStrangeAnswer
	// FaultCaptcha adds a CAPTCHA to the sign-in page (as Variant's
	// CaptchaWidget) and enforces it: SelfAsserted refuses every
	// submission without its answer (status 400, a code that does not
	// blame the password), as a page with CAPTCHA added does.
	FaultCaptcha
)

// Emulator is a running fake of the FlameConnect B2C tenant.
type Emulator struct {
	// Controls gives SetHang, SetLatency, Requests, Hanging (the path of
	// each request a hang or FaultSlow holds) and the count ResetRequests
	// zeroes.
	loopback.Controls

	main    *loopback.Server
	foreign *loopback.Server
	ca      *loopback.CA
	tenant  string // tenant id (GUID) used in issuer and client_info

	mu       sync.Mutex
	fault    Fault
	lies     map[string]string
	refusals map[string]Refusal // by lower-cased login
	variant  Variant
	atLife   time.Duration
	users    map[string]*user
	txs      map[string]*transaction
	hops     map[string]*transaction
	pending  map[string]*transaction // authorize redirected, page not served yet
	chains   map[string]string       // redirect chain id -> final target
	revisits map[string]*revisit     // Revisit chains by id
	codes    map[string]*authCode
	refresh  map[string]*grant
	requests []Recorded
	key      []byte

	// refreshErr is SetRefreshError's OAuth error and description.
	refreshErr [2]string
}

type user struct {
	email      string
	password   string
	id         string
	generation int
}

// Start serves the emulator on 127.0.0.1, plus a second server on
// 127.0.0.2 that plays "another host" for the redirect faults (any request
// reaching it is recorded, so tests can prove nothing was sent there).
func Start(ca *loopback.CA) (*Emulator, error) {
	e := &Emulator{
		tenant:   "6c1f5d3e-7a0b-4c1e-9f2a-0b8e2d4f6a10",
		atLife:   DefaultAccessTokenLifetime,
		users:    map[string]*user{},
		txs:      map[string]*transaction{},
		hops:     map[string]*transaction{},
		pending:  map[string]*transaction{},
		chains:   map[string]string{},
		revisits: map[string]*revisit{},
		codes:    map[string]*authCode{},
		refresh:  map[string]*grant{},
		key:      randomBytes(32),
		lies:     map[string]string{},
		refusals: map[string]Refusal{},
		ca:       ca,
	}
	e.AddAccount(DemoEmail, DemoPassword)
	for email, r := range DemoRefusals {
		e.AddAccount(email, DemoPassword)
		e.Refuse(email, r)
	}
	main, err := ca.Serve("127.0.0.1", http.HandlerFunc(e.serveMain))
	if err != nil {
		return nil, fmt.Errorf("start emulator: %w", err)
	}
	foreign, err := ca.Serve("127.0.0.2", http.HandlerFunc(e.serveForeign))
	if err != nil {
		_ = main.Close()
		return nil, fmt.Errorf("start emulator's foreign host: %w", err)
	}
	e.main, e.foreign = main, foreign
	return e, nil
}

// Close stops both servers and releases hanging requests.
func (e *Emulator) Close() error {
	e.Release()
	err1 := e.main.Close()
	err2 := e.foreign.Close()
	if err1 != nil {
		return err1
	}
	return err2
}

// URL is the origin (https://127.0.0.1:port) of the emulated tenant.
func (e *Emulator) URL() string { return e.main.URL }

// ForeignURL is the origin of the "other host" the redirect faults point to.
func (e *Emulator) ForeignURL() string { return e.foreign.URL }

// Authority is the B2C authority URL (tenant and mixed-case policy, below
// the variant's PathPrefix), usable as SETUPWIZARD_FLAMECONNECT_AUTHORITY.
func (e *Emulator) Authority() string {
	v := e.currentVariant()
	policy := Policy
	switch v.AuthorityCase {
	case "lower":
		policy = strings.ToLower(policy)
	case "upper":
		policy = strings.ToUpper(policy)
	}
	return e.main.URL + v.PathPrefix + "/" + Tenant + "/" + policy
}

// SetFault switches the misbehaviour for the following requests.
func (e *Emulator) SetFault(f Fault) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.fault = f
}

// SetAccessTokenLifetime sets the lifetime of access tokens issued from now on.
func (e *Emulator) SetAccessTokenLifetime(d time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if d > 0 {
		e.atLife = d
	}
}

// AddAccount adds (or resets the password of) an account. E-mails match
// case-insensitively, as on B2C.
func (e *Emulator) AddAccount(email, password string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	k := strings.ToLower(email)
	if u, ok := e.users[k]; ok {
		u.password = password
		return
	}
	e.users[k] = &user{email: email, password: password, id: randomID()}
}

// Expire invalidates every refresh token issued so far, so the next
// refresh gets invalid_grant (AADB2C90080). New sign-ins work again, and
// access tokens already issued stay valid until they expire, as on B2C.
func (e *Emulator) Expire() {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, u := range e.users {
		u.generation++
	}
}

// ExpireAccount is Expire for one account only.
func (e *Emulator) ExpireAccount(email string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if u, ok := e.users[strings.ToLower(email)]; ok {
		u.generation++
	}
}

// Impersonate makes the token endpoint lie: tokens issued after a sign-in
// as email carry the identity (oid, sub, emails) of asEmail, who must be
// an account. An empty asEmail ends the lie. Reauth tests use it to show
// that an entry refuses another identity whatever the typed e-mail.
func (e *Emulator) Impersonate(email, asEmail string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if asEmail == "" {
		delete(e.lies, strings.ToLower(email))
		return
	}
	e.lies[strings.ToLower(email)] = strings.ToLower(asEmail)
}

// Env points the flameconnect provider at this emulator.
func (e *Emulator) Env() map[string]string {
	return map[string]string{EnvAuthority: e.Authority()}
}

// Demo is the account every emulator starts with.
func (e *Emulator) Demo() (login, password string) { return DemoEmail, DemoPassword }

func (e *Emulator) currentFault() Fault {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.fault
}

// StartEmulator is Start behind the interface the registry pairs with
// the provider.
func StartEmulator(ca *loopback.CA) (provider.Emulator, error) {
	e, err := Start(ca)
	if err != nil {
		return nil, err
	}
	return e, nil
}

var _ provider.Emulator = (*Emulator)(nil)

func randomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("emulator: crypto/rand: %v", err))
	}
	return b
}

// randomB64 is standard base64 that always holds '+', '/' and '=', as B2C's
// csrf and cookie values do, so clients that mangle them are caught.
func randomB64(n int) string {
	b := append([]byte{0xfb, 0xff, 0xbf}, randomBytes(n)...)
	if len(b)%3 == 0 {
		b = append(b, 0x2a)
	}
	return base64.StdEncoding.EncodeToString(b)
}

func randomID() string {
	b := randomBytes(16)
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

func randomToken() string { return base64.RawURLEncoding.EncodeToString(randomBytes(24)) }
