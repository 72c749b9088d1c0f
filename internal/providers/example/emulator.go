package example

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/setupwizard/setupwizard/internal/loopback"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

// The demo account the emulator starts with.
const (
	DemoLogin    = "demo@example.net"
	DemoPassword = "example-demo-password"
)

// Emulator is the example service: a token endpoint (password and
// refresh-token grants) and one API call that wants a bearer token.
type Emulator struct {
	// Controls gives SetHang, SetLatency, Requests, ResetRequests and
	// Hanging.
	loopback.Controls

	srv    *loopback.Server
	mu     sync.Mutex
	users  map[string]string // login -> password
	grants map[string]string // refresh token -> login
	tokens map[string]time.Time
	// changed answers grants in a shape the provider does not know.
	changed bool
	life    time.Duration
}

// StartEmulator serves the emulator on loopback with a certificate from ca.
func StartEmulator(ca *loopback.CA) (provider.Emulator, error) {
	e := &Emulator{users: map[string]string{DemoLogin: DemoPassword}, grants: map[string]string{},
		tokens: map[string]time.Time{}, life: time.Hour}
	srv, err := ca.Serve("127.0.0.1", http.HandlerFunc(e.serve))
	if err != nil {
		return nil, err
	}
	e.srv = srv
	return e, nil
}

func token() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (e *Emulator) serve(w http.ResponseWriter, r *http.Request) {
	e.Count()
	if !e.Wait(r) {
		return
	}
	switch r.URL.Path {
	case "/token":
		e.token(w, r)
	case "/api/me":
		if err := e.bearer(r.Header.Get("Authorization")); err != nil {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		_, _ = w.Write([]byte(`{"ok":true}`))
	default:
		http.NotFound(w, r)
	}
}

func (e *Emulator) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	var login string
	switch r.PostForm.Get("grant_type") {
	case "password":
		login = r.PostForm.Get("username")
		if pw, ok := e.users[login]; !ok || pw != r.PostForm.Get("password") {
			http.Error(w, "invalid_grant", http.StatusUnauthorized)
			return
		}
	case "refresh_token":
		var ok bool
		login, ok = e.grants[r.PostForm.Get("refresh_token")]
		if !ok {
			http.Error(w, "invalid_grant", http.StatusBadRequest)
			return
		}
		// Refresh tokens rotate but stay redeemable, as many services
		// allow for concurrent clients.
	default:
		http.Error(w, "unsupported_grant_type", http.StatusBadRequest)
		return
	}
	if e.changed {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"result":"ok","session":{"id":"x"}}`))
		return
	}
	at, rt := token(), token()
	e.grants[rt] = login
	e.tokens[at] = time.Now().Add(e.life)
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(grant{UserID: "id-" + login, Name: "", AccessToken: at, RefreshToken: rt, ExpiresIn: int(e.life / time.Second)})
}

func (e *Emulator) bearer(h string) error {
	at, ok := strings.CutPrefix(h, "Bearer ")
	e.mu.Lock()
	defer e.mu.Unlock()
	if exp, known := e.tokens[at]; !ok || !known || time.Now().After(exp) {
		return errors.New("example emulator: token not accepted")
	}
	return nil
}

// SetAccessTokenLifetime sets the lifetime of tokens issued from now on.
func (e *Emulator) SetAccessTokenLifetime(d time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.life = d
}

// Env implements provider.Emulator.
func (e *Emulator) Env() map[string]string { return map[string]string{EnvURL: e.srv.URL} }

// Demo implements provider.Emulator.
func (e *Emulator) Demo() (string, string) { return DemoLogin, DemoPassword }

// AddAccount implements provider.Emulator.
func (e *Emulator) AddAccount(login, password string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.users[login] = password
}

// Expire implements provider.Emulator: every grant and token dies.
func (e *Emulator) Expire() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.grants = map[string]string{}
	e.tokens = map[string]time.Time{}
}

// SetServiceChanged makes the token endpoint answer a correct password
// with JSON of another shape, as a service that changed its sign-in would.
func (e *Emulator) SetServiceChanged(on bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.changed = on
}

// CheckCredential implements provider.Emulator.
func (e *Emulator) CheckCredential(cred provider.Credential) error {
	if cred.Kind != "token" || cred.Type != "Bearer" {
		return errors.New("example emulator: want a bearer token")
	}
	return e.bearer("Bearer " + cred.Value)
}

// Close implements provider.Emulator.
func (e *Emulator) Close() error {
	e.Release()
	return e.srv.Close()
}
