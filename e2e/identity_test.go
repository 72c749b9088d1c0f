package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/setupwizard/setupwizard/internal/providers/provider"
	"github.com/setupwizard/setupwizard/internal/store"
)

// slugTwins are two logins of p's kind that slugify to the same unique id
// (Home Assistant's rule: the unique id is the slugified e-mail / login).
func slugTwins(p provCase) (string, string) {
	if strings.Contains(p.login, "@") {
		return "jan.kowalski@example.com", "jan_kowalski@example.com"
	}
	return "jan.kowalski", "jan_kowalski"
}

// entryItems is every keyring item of entry id, user name to value.
func entryItems(t *testing.T, domain, id string) map[string]string {
	out := map[string]string{}
	for _, it := range itemsOf(t, domain, id) {
		out[it.user] = it.secret
	}
	return out
}

// sameItems fails the test unless the entry's items are byte for byte
// what they were.
func sameItems(t *testing.T, what string, before, after map[string]string) {
	t.Helper()
	if len(before) != len(after) {
		t.Fatalf("%s changed the keyring: %d items before, %d after", what, len(before), len(after))
	}
	for u, v := range before {
		if after[u] != v {
			t.Fatalf("%s changed keyring item %s", what, u)
		}
	}
}

// storedIdentity is the identity entries.json keeps for entry id.
func (w *world) storedIdentity(id string) (version int, identity string) {
	w.t.Helper()
	b, err := os.ReadFile(filepath.Join(w.configDir, store.IndexFile))
	if err != nil {
		w.t.Fatal(err)
	}
	var idx struct {
		Version int `json:"version"`
		Entries []struct {
			ID       string `json:"entry_id"`
			Identity string `json:"identity"`
		} `json:"entries"`
	}
	if err := json.Unmarshal(b, &idx); err != nil {
		w.t.Fatal(err)
	}
	for _, e := range idx.Entries {
		if e.ID == id {
			return idx.Version, e.Identity
		}
	}
	w.t.Fatalf("entry %s is not in entries.json", id)
	return 0, ""
}

// TestReauthChecksIdentity: a reauth is refused (wrong_account, cache byte
// for byte unchanged, exit 1) whenever the service vouches for someone
// other than the entry's account: another login with the same unique id,
// or the same login answered with another identity. An index written
// before identities were kept (version 1) is migrated, learns the identity
// from the cache, and is protected the same way.
func TestReauthChecksIdentity(t *testing.T) {
	forEachProvider(t, func(t *testing.T, p provCase) {
		first, second := slugTwins(p)
		if provider.Slugify(first) != provider.Slugify(second) {
			t.Fatalf("%q and %q should share a unique id", first, second)
		}
		refused := func(t *testing.T, w *world, e listed, login, pw string) {
			t.Helper()
			before := entryItems(t, p.domain, e.ID)
			r := w.mustRun(1, w.secret(pw)+"\n", "--reauth", "--account", e.UniqueID, "-u", login, "--password-stdin")
			if !strings.Contains(r.stdout, "(wrong_account)") {
				t.Errorf("stdout does not name wrong_account:\n%s", r.stdout)
			}
			sameItems(t, "a refused reauth", before, entryItems(t, p.domain, e.ID))
		}
		add := func(t *testing.T, w *world, login, pw string) listed {
			w.emus[p.domain].AddAccount(login, pw)
			w.mustRun(0, w.secret(pw)+"\n", "--provider", p.domain, "-u", login, "--password-stdin")
			return w.entry(p.domain)
		}

		t.Run("slug twins", func(t *testing.T) {
			w := newWorld(t)
			e := add(t, w, first, "first-pass-Tw1")
			w.emus[p.domain].AddAccount(second, "second-pass-Tw2")
			refused(t, w, e, second, "second-pass-Tw2")
			// The twin cannot be added beside it either: one unique id.
			r := w.mustRun(1, w.secret("second-pass-Tw2")+"\n", "--provider", p.domain, "-u", second, "--password-stdin")
			if !strings.Contains(r.stdout, "(already_configured)") {
				t.Errorf("adding the twin:\n%s", r.stdout)
			}
		})

		t.Run("service vouches for another", func(t *testing.T) {
			w := newWorld(t)
			e := add(t, w, first, "first-pass-Vo1")
			switch emu := w.emus[p.domain].(type) {
			case interface{ Impersonate(email, asEmail string) }:
				w.emus[p.domain].AddAccount(second, "second-pass-Vo2")
				emu.Impersonate(first, second)
			case interface{ SetUserIdentifier(login, id string) }:
				emu.SetUserIdentifier(first, "9990001")
			default:
				t.Skipf("the %s emulator cannot vouch for another identity", p.domain)
			}
			refused(t, w, e, first, "first-pass-Vo1")
		})

		// plantV1 rewrites the index as the version before identities.
		plantV1 := func(t *testing.T, w *world, e listed) string {
			_, identity := w.storedIdentity(e.ID)
			if identity == "" {
				t.Fatal("a new entry has no identity in entries.json")
			}
			path := filepath.Join(w.configDir, store.IndexFile)
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			old := regexp.MustCompile(`(?m)^\s*"identity": "[^"]*",?\n`).ReplaceAll(b, nil)
			old = regexp.MustCompile(`"version": 2`).ReplaceAll(old, []byte(`"version": 1`))
			old = regexp.MustCompile(`,(\s*\n\s*})`).ReplaceAll(old, []byte("$1")) // a trailing comma left by the cut
			if err := os.WriteFile(path, old, 0o600); err != nil {
				t.Fatal(err)
			}
			if v, id := w.storedIdentity(e.ID); v != 1 || id != "" {
				t.Fatalf("the planted index is version %d with identity %q", v, id)
			}
			// Read-only commands read it as it is.
			if l := w.list(); len(l) != 1 {
				t.Fatalf("--list of a version 1 index: %+v", l)
			}
			return identity
		}

		t.Run("version 1 index migrated by --status", func(t *testing.T) {
			w := newWorld(t)
			e := add(t, w, first, "first-pass-Mi1")
			identity := plantV1(t, w, e)
			// The next writing command migrates it and learns the
			// identity from the cache.
			w.mustRun(0, "", "--status")
			if v, id := w.storedIdentity(e.ID); v != store.IndexVersion || id != identity {
				t.Fatalf("after --status: version %d identity %q, want version %d identity %q", v, id, store.IndexVersion, identity)
			}
			w.emus[p.domain].AddAccount(second, "second-pass-Mi2")
			refused(t, w, e, second, "second-pass-Mi2")
		})

		t.Run("version 1 index, reauth as the twin at once", func(t *testing.T) {
			w := newWorld(t)
			e := add(t, w, first, "first-pass-Mi3")
			plantV1(t, w, e)
			// No identity stored yet: the one in the cache must decide.
			w.emus[p.domain].AddAccount(second, "second-pass-Mi4")
			refused(t, w, e, second, "second-pass-Mi4")
		})
	})
}
