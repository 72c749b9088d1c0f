// Package emulator plays api.librus.pl and synergia.librus.pl on two
// loopback addresses, following the protocol facts, so the librus provider's
// tests and --demo run the real HTTP stack offline. The two hosts listen on
// different IPs (127.0.0.1 and 127.0.0.2) because cookies scope by host, not
// port: a cookie leaking from one host to the other would show up here as it
// would against the real service.
package emulator

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/setupwizard/setupwizard/internal/loopback"
)

// The demo account that every emulator knows.
const (
	DemoLogin     = "1234567u"
	DemoPassword  = "demo-password"
	demoFirstName = "Anna"
	demoLastName  = "Kowalska"
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
}

type apiSession struct {
	state    string
	invalid  bool
	loggedIn bool
	login    string
}

type grant struct {
	login, state string
}

type synSession struct {
	login string
	token string
	dead  bool
}

// Emulator is both Librus hosts. Its methods are safe for concurrent use.
type Emulator struct {
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
	stalled     chan string

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
		stalled:     make(chan string, 64),
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
// reports, e.g. one with characters that need escaping in a URL path.
func (e *Emulator) SetUserIdentifier(login, id string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if u := e.users[strings.ToLower(login)]; u != nil {
		u.id = id
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

// ExpireSessions kills every synergia session, as the service does within a
// day: refreshToken and the gateway then answer 401 TokenIsExpired.
func (e *Emulator) ExpireSessions() {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, s := range e.synSessions {
		s.dead = true
	}
}

// Requests returns a copy of every request seen so far.
func (e *Emulator) Requests() []Request {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]Request(nil), e.requests...)
}

// ResetRequests forgets the recorded requests.
func (e *Emulator) ResetRequests() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.requests = nil
}

// Stalled receives the path of every request FaultSlow holds, so a test can
// cancel exactly while a request is in flight instead of sleeping.
func (e *Emulator) Stalled() <-chan string { return e.stalled }

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
