// Package emulator plays api.librus.pl and synergia.librus.pl on two
// loopback addresses, as docs/librus.md describes them, so the librus provider's
// tests and --demo run the real HTTP stack offline. The two hosts listen on
// different IPs (127.0.0.1 and 127.0.0.2) because cookies scope by host, not
// port: a cookie leaking from one host to the other would show up here as it
// would against the real service.
package emulator

import (
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/setupwizard/setupwizard/internal/loopback"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

// The demo account that every emulator knows.
const (
	DemoLogin     = "1234567u"
	DemoPassword  = "demo-password"
	demoFirstName = "Anna"
	demoLastName  = "Kowalska"
)

// Demo accounts with a quirk of the live service, each signing in with
// DemoPassword: linked to Konto LIBRUS (account_linked), asked for a
// CAPTCHA (captcha_needed), asked for a second factor
// (account_action_required).
const (
	DemoLinkedLogin    = "9876543u"
	DemoCaptchaLogin   = "2222222u"
	DemoTwoFactorLogin = "3333333u"
)

// Quirk makes one account meet a behaviour the live service is reported
// to show some accounts (docs/librus.md).
type Quirk int

const (
	// QuirkNone signs in as usual.
	QuirkNone Quirk = iota
	// QuirkLinked is an account linked to Konto LIBRUS: the password is
	// accepted and the grant walked, then every gateway call (and
	// refreshToken) answers 401 {"Status":"Error","Message":"Request is
	// denied"} with no Code.
	QuirkLinked
	// QuirkTwoFactorRequired answers a correct password with
	// {"status":"ok","twoFactorRequired":true} and no goTo.
	QuirkTwoFactorRequired
	// QuirkRequiresAction answers a correct password with the usual goTo
	// and "requiresAction":"changePassword".
	QuirkRequiresAction
	// QuirkCaptchaRequired answers every login POST, whatever the
	// password, with the wrong-password message and "captchaRequired":
	// true.
	QuirkCaptchaRequired
)

// Fault makes the emulator misbehave the way the real service is known to.
type Fault int

const (
	// FaultNone serves the normal flow.
	FaultNone Fault = iota
	// FaultMaintenance answers 503 with a JSON Message list.
	FaultMaintenance
	// FaultMaintenanceRedirect redirects to .../przerwa_techniczna.
	FaultMaintenanceRedirect
	// FaultCaptcha makes the login POST ask for "Nie jestem robotem".
	FaultCaptcha
	// FaultExpiredAccount makes the login POST report an expired account.
	FaultExpiredAccount
	// FaultSlow holds requests until the client gives up.
	FaultSlow
	// FaultServerError answers 500.
	FaultServerError
	// FaultNoUserIdentifier drops UserIdentifier from TokenInfo.
	FaultNoUserIdentifier
	// FaultBadJSON answers gateway calls with 200 and a body that is not JSON.
	FaultBadJSON
	// FaultOffHostRedirect sends the grant chain to a host outside librus.pl.
	FaultOffHostRedirect
	// FaultRedirectLoop makes a grant hop redirect to itself.
	FaultRedirectLoop
	// FaultLongRedirectChain makes the grant chain longer than any client allows.
	FaultLongRedirectChain
	// FaultRealHostRedirect sends the grant chain to the real
	// https://api.librus.pl, which a client pointed elsewhere must refuse.
	FaultRealHostRedirect
	// FaultHTTPRedirect sends the grant chain to the API host over plain http.
	FaultHTTPRedirect
	// FaultBlocked answers 403 with an HTML page, as a block of the
	// client's network (VPN, hosting ranges) would.
	FaultBlocked
)

// Request is one request as the emulator saw it, for tests.
type Request struct {
	// Server is "api" or "synergia".
	Server   string
	Method   string
	Host     string
	Path     string
	RawQuery string
	Header   http.Header
	Body     string
	// SetCookie holds the Set-Cookie headers of the answer.
	SetCookie []string
}

type user struct {
	login, password, first, last, id string
	quirk                            Quirk
}

type apiSession struct {
	state    string
	invalid  bool
	loggedIn bool
	login    string
	// shown: the hops (2FA, PerformLogin, Grant) whose required-actions
	// page was served; skipped: those whose skip was posted after that;
	// performs counts PerformLogin requests.
	shown, skipped map[string]bool
	performs       int
}

type grant struct {
	login, state string
}

type synSession struct {
	login string
	// token is the current oauth_token, valid until tokenExp; earlier
	// holds the ones it replaced, by expiry, when Shape.KeepEarlierTokens.
	token    string
	tokenExp time.Time
	earlier  map[string]time.Time
	dead     bool
	// landed: the chain's last page was fetched (Shape.GatewayAfterLanding).
	landed bool
}

// Emulator is both Librus hosts. Its methods are safe for concurrent use.
type Emulator struct {
	// Controls gives SetHang, SetLatency, Requests, Hanging (the path of
	// each request a hang or FaultSlow holds) and the count ResetRequests
	// zeroes.
	loopback.Controls

	api, syn *loopback.Server

	mu          sync.Mutex
	users       map[string]*user
	fault       Fault
	faultPath   string
	authorizeN  map[string]int
	states      map[string]bool
	apiSessions map[string]*apiSession
	grants      map[string]grant
	synSessions map[string]*synSession
	requests    []Request
	nextID      int
	roots       *x509.CertPool
	// tokenLife is the lifetime of oauth_tokens issued (0: 600 s, as the
	// service's Max-Age); renewals counts /refreshToken renewals.
	tokenLife time.Duration
	renewals  int
	// gate, when set, holds the next request to its path (Gate).
	gate *gate

	shapeMu sync.RWMutex
	shp     Shape
}

// Start serves the API host on 127.0.0.1 and the synergia host on 127.0.0.2,
// both with ca's certificate, and adds the demo account.
func Start(ca *loopback.CA) (*Emulator, error) {
	e := &Emulator{
		users:       map[string]*user{},
		authorizeN:  map[string]int{},
		states:      map[string]bool{},
		apiSessions: map[string]*apiSession{},
		grants:      map[string]grant{},
		synSessions: map[string]*synSession{},
		roots:       ca.Pool,
	}
	var err error
	if e.api, err = ca.Serve("127.0.0.1", e.withPrefix(e.middleware("api", e.apiMux()))); err != nil {
		return nil, fmt.Errorf("librus emulator api host: %w", err)
	}
	if e.syn, err = ca.Serve("127.0.0.2", e.withPrefix(e.middleware("synergia", e.synergiaMux()))); err != nil {
		_ = e.api.Close()
		return nil, fmt.Errorf("librus emulator synergia host: %w", err)
	}
	e.AddUser(DemoLogin, DemoPassword, demoFirstName, demoLastName)
	// Accounts that show --demo's users the messages of the live
	// service's quirks (docs/librus.md), with the demo password.
	for login, q := range map[string]Quirk{
		DemoLinkedLogin: QuirkLinked, DemoCaptchaLogin: QuirkCaptchaRequired, DemoTwoFactorLogin: QuirkTwoFactorRequired,
	} {
		e.AddUser(login, DemoPassword, "", "")
		e.SetQuirk(login, q)
	}
	return e, nil
}

// APIURL is the api.librus.pl stand-in, for SETUPWIZARD_LIBRUS_API_URL
// (the shape's public URL and path prefix included).
func (e *Emulator) APIURL() string {
	s := e.shape()
	return pick(s.APIURL, e.api.URL) + s.PathPrefix
}

// SynergiaURL is the synergia.librus.pl stand-in, for SETUPWIZARD_LIBRUS_SYNERGIA_URL.
func (e *Emulator) SynergiaURL() string {
	s := e.shape()
	return pick(s.SynergiaURL, e.syn.URL) + s.PathPrefix
}

// APIAddr and SynergiaAddr are the listeners' host:port, for a test that
// maps public names onto them.
func (e *Emulator) APIAddr() string { return strings.TrimPrefix(e.api.URL, "https://") }

// SynergiaAddr: see APIAddr.
func (e *Emulator) SynergiaAddr() string { return strings.TrimPrefix(e.syn.URL, "https://") }

func pick(v, def string) string {
	if v != "" {
		return v
	}
	return def
}

// Close stops both hosts and drops their connections.
func (e *Emulator) Close() error {
	e.Release()
	err1 := e.api.Close()
	err2 := e.syn.Close()
	if err1 != nil {
		return err1
	}
	return err2
}

// AddUser adds (or replaces) an account. Empty names mean the service
// returns none, so clients fall back to the login as a title.
func (e *Emulator) AddUser(login, password, firstName, lastName string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.nextID++
	e.users[strings.ToLower(login)] = &user{
		login: login, password: password, first: firstName, last: lastName,
		id: fmt.Sprintf("%d", 5550000+e.nextID),
	}
}

// SetUserIdentifier gives an account the UserIdentifier the gateway
// reports, e.g. one with characters that need escaping in a URL path. It is
// also the lying option: switched after an entry was added, the service
// vouches for another identity when the same login signs in again, so a
// reauth must end in wrong_account.
func (e *Emulator) SetUserIdentifier(login, id string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if u := e.users[strings.ToLower(login)]; u != nil {
		u.id = id
	}
}

// SetQuirk gives an account a quirk (QuirkNone takes it away), also after
// it signed in: a linked account's stored session is then refused too.
func (e *Emulator) SetQuirk(login string, q Quirk) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if u := e.users[strings.ToLower(login)]; u != nil {
		u.quirk = q
	}
}

// SetFault switches a fault on for every path (FaultNone switches it off).
func (e *Emulator) SetFault(f Fault) { e.SetFaultOn(f, "") }

// SetFaultOn switches a fault on only for paths starting with pathPrefix,
// e.g. "/gateway/" to break steps 4 and 5 alone. A method and a space in
// front ("POST /OAuth/Authorization") narrow it to that method.
func (e *Emulator) SetFaultOn(f Fault, pathPrefix string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.fault, e.faultPath = f, pathPrefix
}

// Expire kills every synergia session, as the service does within a day:
// refreshToken and the gateway then answer 401 TokenIsExpired.
func (e *Emulator) Expire() {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, s := range e.synSessions {
		s.dead = true
	}
}

// Log returns a copy of every request seen so far.
func (e *Emulator) Log() []Request {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]Request(nil), e.requests...)
}

// ResetRequests forgets the recorded requests and sets the count
// (Requests) to zero.
func (e *Emulator) ResetRequests() {
	e.mu.Lock()
	e.requests = nil
	e.mu.Unlock()
	e.Controls.ResetRequests()
}

// SetAccessTokenLifetime sets the lifetime (cookie Max-Age, whole
// seconds) of oauth_tokens issued from now on; the gateway refuses a token
// past it. The service's is 600 s.
func (e *Emulator) SetAccessTokenLifetime(d time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if d >= time.Second {
		e.tokenLife = d
	}
}

// Renewals is how many times /refreshToken issued a new oauth_token.
func (e *Emulator) Renewals() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.renewals
}

// Env is the overrides that point the librus provider at this emulator.
func (e *Emulator) Env() map[string]string {
	return map[string]string{
		"SETUPWIZARD_LIBRUS_API_URL":      e.APIURL(),
		"SETUPWIZARD_LIBRUS_SYNERGIA_URL": e.SynergiaURL(),
	}
}

// Demo is the demo account's login and password.
func (e *Emulator) Demo() (login, password string) { return DemoLogin, DemoPassword }

// AddAccount adds an account without names (titles fall back to the login).
func (e *Emulator) AddAccount(login, password string) { e.AddUser(login, password, "", "") }

// CheckCredential calls GET /gateway/api/2.0/Me with cred as the Cookie
// header, as a script would; nil means the gateway accepted it.
func (e *Emulator) CheckCredential(cred provider.Credential) error {
	if cred.Kind != "cookie" || cred.Type != "Cookie" {
		return fmt.Errorf("librus emulator: want a cookie credential, got %s/%s", cred.Kind, cred.Type)
	}
	req, err := http.NewRequest(http.MethodGet, e.SynergiaURL()+"/gateway/api/2.0/Me", nil)
	if err != nil {
		return fmt.Errorf("librus emulator: %w", err)
	}
	req.Header.Set("Cookie", cred.Value)
	c := &http.Client{
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: e.roots, MinVersion: tls.VersionTLS12}},
		Timeout:   10 * time.Second,
	}
	defer c.CloseIdleConnections()
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("librus emulator: GET Me: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("librus emulator: GET Me: HTTP %d: %s", resp.StatusCode, provider.CleanText(string(body)))
	}
	return nil
}

// StartEmulator starts an emulator as the registry's shared interface.
func StartEmulator(ca *loopback.CA) (provider.Emulator, error) {
	e, err := Start(ca)
	if err != nil {
		return nil, err
	}
	return e, nil
}

var _ provider.Emulator = (*Emulator)(nil)

// gate holds one request to path until open is closed.
type gate struct {
	path          string
	reached, open chan struct{}
}

// Gate holds the next request to path (e.g. "/refreshToken") until open is
// called: reached is closed when that request arrives, so a test can act
// exactly while it is in flight (a reauth committing during a --status
// refresh) and then let it answer as usual. A client that gives up first
// gets no answer. One gate at a time; a new one replaces an unused one.
func (e *Emulator) Gate(path string) (reached <-chan struct{}, open func()) {
	g := &gate{path: path, reached: make(chan struct{}), open: make(chan struct{})}
	e.mu.Lock()
	e.gate = g
	e.mu.Unlock()
	var once sync.Once
	return g.reached, func() { once.Do(func() { close(g.open) }) }
}

// hold applies a Gate, SetHang and SetLatency to a request.
func (e *Emulator) hold(r *http.Request) {
	e.mu.Lock()
	g := e.gate
	if g != nil && g.path == r.URL.Path {
		e.gate = nil
	} else {
		g = nil
	}
	e.mu.Unlock()
	if g != nil {
		close(g.reached)
		select {
		case <-g.open:
		case <-r.Context().Done():
			panic(http.ErrAbortHandler)
		}
	}
	if !e.Wait(r) {
		// A handler that returns sends an empty 200, which a client
		// racing its own timeout may read: abort instead.
		panic(http.ErrAbortHandler)
	}
}

// stall holds a request until the client gives up, announcing it on
// Hanging. It aborts rather than returns: a handler that returns sends an
// empty 200, which a client racing its own timeout may read.
func (e *Emulator) stall(r *http.Request) {
	e.Hold(r)
	panic(http.ErrAbortHandler)
}

// faultFor is the fault that applies to a request.
func (e *Emulator) faultFor(r *http.Request) Fault {
	e.mu.Lock()
	defer e.mu.Unlock()
	prefix := e.faultPath
	if method, rest, ok := strings.Cut(prefix, " "); ok {
		if method != r.Method {
			return FaultNone
		}
		prefix = rest
	}
	if strings.HasPrefix(r.URL.Path, prefix) {
		return e.fault
	}
	return FaultNone
}

func randomID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
