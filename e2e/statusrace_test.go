package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/setupwizard/setupwizard/internal/providers/librus"
	libemu "github.com/setupwizard/setupwizard/internal/providers/librus/emulator"
	"github.com/setupwizard/setupwizard/internal/store"
)

// sessionID is the DZIENNIKSID of entry id's stored librus cache, read
// from the Secret Service: a reauth's sign-in opens a new session, so it
// tells the reauth's cache from one that descends from the old session.
func sessionID(t *testing.T, id string) string {
	t.Helper()
	caches := decodedCaches(itemsOf(t, "librus", id))
	if len(caches) != 1 {
		t.Fatalf("entry %s has %d cache generations in the keyring, want 1", id, len(caches))
	}
	for _, b := range caches {
		s, err := librus.ParseSession(b)
		if err != nil {
			t.Fatalf("stored cache: %v", err)
		}
		for _, c := range s.Cookies {
			if c.Name == "DZIENNIKSID" {
				return c.Value
			}
		}
	}
	t.Fatal("stored cache has no DZIENNIKSID")
	return ""
}

// TestStatusRacingReauth (issue 11, defect 1, through the real binary and
// Secret Service): a --status whose refresh is held in flight by the
// emulator while a --reauth commits, and a --status that commits before
// the reauth, with the old session ended by the service and not. In every
// case the final cache is the reauth's session, auth_expired is not left
// open, and the final credential works.
func TestStatusRacingReauth(t *testing.T) {
	p := registered(t, "librus")
	for _, revoked := range []bool{true, false} {
		for _, during := range []bool{true, false} {
			name := fmt.Sprintf("revoked=%v/reauth commits during the refresh=%v", revoked, during)
			t.Run(name, func(t *testing.T) {
				w := newWorld(t)
				lib := w.emus[p.domain].(*libemu.Emulator)
				e := addScripted(t, w, p)
				old := sessionID(t, e.ID)
				if revoked {
					lib.Expire()
				}
				pw := w.secret(p.password) + "\n"
				reauthArgs := []string{"--reauth", "--account", p.uniqueID, "--password-stdin"}
				var status, reauth result
				if during {
					reached, open := lib.Gate("/refreshToken")
					defer open()
					statusDone := make(chan result, 1)
					go func() { statusDone <- w.runQuiet("", "--status", "--timeout", "1m") }()
					select {
					case <-reached:
					case <-time.After(exitWait):
						t.Fatal("--status never sent its refresh")
					}
					// The manifest item names the cache's generation; read
					// by name (a search of every item would race the
					// reauth's deletes).
					manifest := func() string {
						m, _ := store.SystemKeyring{}.Get(store.Service(p.domain), e.ID)
						return m
					}
					before := manifest()
					reauthDone := make(chan result, 1)
					go func() { reauthDone <- w.runQuiet(pw, reauthArgs...) }()
					// The reauth commits with no refresh lock, then its
					// reload waits for the one the held --status has:
					// release the refresh once the new cache is stored.
					deadline := time.Now().Add(exitWait)
					for m := manifest(); m == "" || m == before; m = manifest() {
						if time.Now().After(deadline) {
							open()
							t.Fatalf("the reauth never committed while --status was held:\n%s", (<-reauthDone).stderr)
						}
						time.Sleep(20 * time.Millisecond) // polls the keyring; not what orders the racers
					}
					open()
					status, reauth = <-statusDone, <-reauthDone
				} else {
					status = w.runQuiet("", "--status")
					reauth = w.runQuiet(pw, reauthArgs...)
				}
				w.outputs = append(w.outputs, capture{"racers", func() []byte { return []byte(status.stdout + status.stderr + reauth.stdout + reauth.stderr) }})
				if reauth.code != 0 {
					t.Fatalf("--reauth: exit %d\n%s%s", reauth.code, reauth.stdout, reauth.stderr)
				}
				wantStatus := 0
				if revoked && !during {
					wantStatus = 4 // it checked the old session, before the reauth
				}
				if status.code != wantStatus {
					t.Fatalf("--status: exit %d, want %d\n%s%s", status.code, wantStatus, status.stdout, status.stderr)
				}
				if got := w.entry(p.domain); len(got.Issues) != 0 {
					t.Fatalf("issues left open: %v", got.Issues)
				}
				if sid := sessionID(t, e.ID); sid == old {
					t.Fatal("the final cache descends from the pre-reauth session, not the reauth's")
				}
				o := parseToken(t, w.mustRun(0, "", "--token", "--json"))
				if err := lib.CheckCredential(o.credential()); err != nil {
					t.Fatalf("the final credential is refused: %v", err)
				}
			})
		}
	}
}
