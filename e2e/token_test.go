package e2e

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

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
// accepts, one line; a dead grant is exit 4 with auth_expired recorded.
func TestToken(t *testing.T) {
	forEachProvider(t, func(t *testing.T, p provCase) {
		w := newWorld(t)
		addScripted(t, w, p)
		r := w.mustRun(0, "", "--token", "--account", p.login)
		if lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n"); len(lines) != 1 || lines[0] == "" || r.stderr != "" {
			t.Fatalf("--token printed stdout %q stderr %q", r.stdout, r.stderr)
		}
		o := parseToken(t, w.mustRun(0, "", "--token", "--json"))
		if o.Provider != p.domain || o.Account != p.uniqueID {
			t.Fatalf("--token --json = %+v", o)
		}
		if err := w.emus[p.domain].CheckCredential(o.credential()); err != nil {
			t.Fatalf("the service refused the printed credential: %v", err)
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
			if err := w.emus[p.domain].CheckCredential(parseToken(t, r).credential()); err != nil {
				// A cookie session renewed by a later racer may end an
				// earlier one on services that allow one session; the
				// last credential printed must work in any case.
				if parseToken(t, r).Cookie == "" {
					t.Errorf("--token %d: the service refused its credential: %v", i, err)
				}
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
