package e2e

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	fcemu "github.com/setupwizard/setupwizard/internal/providers/flameconnect/emulator"
	libemu "github.com/setupwizard/setupwizard/internal/providers/librus/emulator"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

// tokenOut is --token --json.
type tokenOut struct {
	Provider  string `json:"provider"`
	Account   string `json:"account"`
	Token     string `json:"token"`
	Cookie    string `json:"cookie"`
	ExpiresAt string `json:"expires_at"`
	TokenType string `json:"token_type"`
}

// credential is what a script would send, from --token --json.
func (o tokenOut) credential() provider.Credential {
	if o.Cookie != "" {
		return provider.Credential{Kind: "cookie", Type: o.TokenType, Value: o.Cookie}
	}
	return provider.Credential{Kind: "token", Type: o.TokenType, Value: o.Token}
}

func parseToken(t *testing.T, r result) tokenOut {
	t.Helper()
	var o tokenOut
	if err := json.Unmarshal([]byte(r.stdout), &o); err != nil {
		t.Fatalf("--token --json: %v\n%s", err, r.stdout)
	}
	return o
}

// TestToken: the real binary prints a credential the service's API
// accepts, one line; a fresh one (flameconnect: the access token from the
// sign-in; librus: a session renewed less than a minute ago) is printed
// with no request at all.
func TestToken(t *testing.T) {
	forEachProvider(t, func(t *testing.T, p provCase) {
		w := newWorld(t)
		addScripted(t, w, p)
		emu := w.emus[p.domain]
		first := parseToken(t, w.mustRun(0, "", "--token", "--json"))
		if first.Provider != p.domain || first.Account != p.uniqueID {
			t.Fatalf("--token --json = %+v", first)
		}
		emu.ResetRequests()
		r := w.mustRun(0, "", "--token", "--account", p.login)
		if lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n"); len(lines) != 1 || lines[0] == "" || r.stderr != "" {
			t.Fatalf("--token printed stdout %q stderr %q", r.stdout, r.stderr)
		}
		if n := emu.Requests(); n != 0 {
			t.Fatalf("a fresh credential cost %d requests to the service, want none", n)
		}
		if got := strings.TrimSuffix(r.stdout, "\n"); got != first.Token+first.Cookie {
			t.Fatal("the fresh credential is not the stored one")
		}
		if err := emu.CheckCredential(first.credential()); err != nil {
			t.Fatalf("the service refused the printed credential: %v", err)
		}
	})
}

// lifetimeSetter is an emulator that can issue short-lived tokens.
type lifetimeSetter interface{ SetAccessTokenLifetime(time.Duration) }

// refreshes counts the refreshes an emulator answered since its last
// ResetRequests: refresh-token grants (flameconnect) or session renewals
// (librus, GET /refreshToken).
func refreshes(e provider.Emulator) int {
	n := 0
	switch e := e.(type) {
	case *fcemu.Emulator:
		for _, r := range e.Log() {
			if r.Method == "POST" && strings.Contains(r.Body, "grant_type=refresh_token") {
				n++
			}
		}
	case *libemu.Emulator:
		for _, r := range e.Log() {
			if r.Path == "/refreshToken" {
				n++
			}
		}
	default:
		// A service without a request log (the test-only one) refreshes
		// with one request and makes no other.
		return e.Requests()
	}
	return n
}

// manifestOf is the secret of entry id's manifest item: it names the
// cache's generation, so it changes exactly when a new cache is stored.
func manifestOf(t *testing.T, domain, id string) string {
	t.Helper()
	for _, it := range itemsOf(t, domain, id) {
		if it.user == id {
			return it.secret
		}
	}
	t.Fatalf("entry %s has no manifest item", id)
	return ""
}

// TestTokenNearExpiryAndRevoked: through the real binary and Secret
// Service, a stored credential too close to its end is refreshed with
// exactly one refresh the service sees, the new cache is stored, and the
// printed credential works; once the service revokes the grant, --token
// exits 4, records auth_expired and prints the --reauth command on stderr.
func TestTokenNearExpiryAndRevoked(t *testing.T) {
	forEachProvider(t, func(t *testing.T, p provCase) {
		w := newWorld(t)
		emu := w.emus[p.domain]
		ls, ok := emu.(lifetimeSetter)
		if !ok {
			t.Fatalf("emulator %T cannot issue short-lived tokens", emu)
		}
		ls.SetAccessTokenLifetime(time.Minute) // under --token's 5 minutes
		e := addScripted(t, w, p)
		before := manifestOf(t, p.domain, e.ID)

		emu.ResetRequests()
		o := parseToken(t, w.mustRun(0, "", "--token", "--json"))
		if n := refreshes(emu); n != 1 {
			t.Fatalf("the service saw %d refreshes, want exactly one", n)
		}
		if manifestOf(t, p.domain, e.ID) == before {
			t.Fatal("the refreshed cache was not stored")
		}
		if err := emu.CheckCredential(o.credential()); err != nil {
			t.Fatalf("the service refused the refreshed credential: %v", err)
		}

		p.expire(w)
		r := w.mustRun(4, "", "--token", "--account", p.login)
		if r.stdout != "" {
			t.Fatalf("a revoked grant printed %q on stdout", r.stdout)
		}
		if cmd := "setupwizard --reauth --provider " + p.domain + " --account " + p.uniqueID; !strings.Contains(r.stderr, cmd) {
			t.Fatalf("stderr does not give %q:\n%s", cmd, r.stderr)
		}
		if got := w.entry(p.domain); !slices.Contains(got.Issues, "auth_expired") {
			t.Fatalf("auth_expired not recorded: %+v", got)
		}
	})
}

// TestTokenConcurrent: 20 --token processes, one --status and one
// --reauth at once on one account. Every --token exits 0 with a
// credential the service accepts, the final cache is valid, no
// auth_expired is recorded, and no keyring item is left that the entry
// does not own.
func TestTokenConcurrent(t *testing.T) {
	forEachProvider(t, func(t *testing.T, p provCase) {
		w := newWorld(t)
		e := addScripted(t, w, p)
		w.emus[p.domain].ResetRequests()
		const n = 20
		var wg sync.WaitGroup
		tokens := make([]result, n)
		var status, reauth result
		start := make(chan struct{})
		pw := w.secret(p.password) + "\n"
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				tokens[i] = w.runQuiet("", "--token", "--json", "--account", p.uniqueID)
			}()
		}
		wg.Add(2)
		go func() {
			defer wg.Done()
			<-start
			status = w.runQuiet("", "--status", "--account", p.uniqueID)
		}()
		go func() {
			defer wg.Done()
			<-start
			reauth = w.runQuiet(pw, "--reauth", "--account", p.uniqueID, "--password-stdin")
		}()
		close(start)
		wg.Wait()
		for i, r := range append(tokens, status, reauth) {
			w.outputs = append(w.outputs, capture{fmt.Sprintf("racer %d", i), func() []byte { return []byte(r.stdout + r.stderr) }})
		}

		for i, r := range tokens {
			if r.code != 0 {
				t.Fatalf("--token %d: exit %d\n%s%s", i, r.code, r.stdout, r.stderr)
			}
			// Checked after every racer ended: no later refresh (the
			// librus emulator ends the previous oauth_token on each
			// renewal) may have killed a credential printed earlier.
			if err := w.emus[p.domain].CheckCredential(parseToken(t, r).credential()); err != nil {
				t.Errorf("--token %d: the service refused its credential: %v", i, err)
			}
		}
		if lib, ok := w.emus[p.domain].(*libemu.Emulator); ok {
			// One renewal of the old session at most, and one of the
			// reauth's: the racers took turns and reused them.
			if n := refreshes(lib); n > 2 {
				t.Errorf("%d session renewals for 22 racers, want at most 2", n)
			}
		}
		if status.code != 0 {
			t.Errorf("--status: exit %d\n%s%s", status.code, status.stdout, status.stderr)
		}
		if reauth.code != 0 {
			t.Errorf("--reauth: exit %d\n%s%s", reauth.code, reauth.stdout, reauth.stderr)
		}
		if got := w.entry(p.domain); len(got.Issues) != 0 {
			t.Fatalf("issues after the race: %v", got.Issues)
		}
		// The final cache works: a check passes and a fresh --token is
		// accepted.
		w.mustRun(0, "", "--status")
		last := parseToken(t, w.mustRun(0, "", "--token", "--json"))
		if err := w.emus[p.domain].CheckCredential(last.credential()); err != nil {
			t.Fatalf("the final credential is refused: %v", err)
		}
		own := itemNames(itemsOf(t, p.domain, e.ID))
		for _, it := range w.newItems(p.domain) {
			if !own[it.user] {
				t.Errorf("orphan keyring item %s", it.user)
			}
		}
		gens := map[string]bool{}
		for _, it := range itemsOf(t, p.domain, e.ID) {
			if parts := strings.Split(it.user, "/"); len(parts) == 3 {
				gens[parts[1]] = true
			}
		}
		if len(gens) > 1 {
			t.Errorf("chunks of %d generations left: %v", len(gens), gens)
		}
	})
}
