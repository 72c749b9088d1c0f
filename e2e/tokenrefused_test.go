package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// TestTokenNeverPrintsRefused: --token never prints a credential the
// service refused, and only the service clears auth_expired. After
// --status recorded auth_expired (exit 4), --token exits 4 with nothing on
// stdout and the issue stays, however soon after the sign-in (Librus's
// one-minute reuse window of a renewed session does not apply to a
// refused one; a Flame Connect access token still inside its lifetime is
// not handed out while the refresh grant is dead). When the service
// accepts the sign-in again, --token clears the issue only after a
// request to the service succeeded, and prints a credential the service
// accepts.
func TestTokenNeverPrintsRefused(t *testing.T) {
	forEachProvider(t, func(t *testing.T, p provCase) {
		w := newWorld(t)
		e := addScripted(t, w, p)
		emu := w.emus[p.domain]
		p.expire(w)
		w.mustRun(4, "", "--status", "--account", p.uniqueID)
		for _, args := range [][]string{{"--token", "--account", p.uniqueID}, {"--token"}, {"--token", "--json"}} {
			emu.ResetRequests()
			r := w.mustRun(4, "", args...)
			if !slices.Contains(args, "--json") && r.stdout != "" {
				t.Fatalf("%v printed %q on stdout for a refused sign-in", args, r.stdout)
			}
			if slices.Contains(args, "--json") {
				var out map[string]any
				if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || out["result"] != "error" || out["token"] != nil || out["cookie"] != nil {
					t.Fatalf("%v: stdout %q, want only the error object", args, r.stdout)
				}
			}
			if emu.Requests() == 0 {
				t.Errorf("%v: exit 4 without asking the service", args)
			}
			if got := w.entry(p.domain); !slices.Contains(got.Issues, "auth_expired") {
				t.Fatalf("%v cleared auth_expired while the service refuses the sign-in", args)
			}
		}

		// The service takes its refusal back (a gateway's passing 401
		// recorded as expiry): a fresh sign-in stands in the keyring with
		// auth_expired still recorded on the entry.
		w.mustRun(0, w.secret(p.password)+"\n", "--reauth", "--account", p.uniqueID, "--password-stdin")
		markExpired(t, w, e.ID)
		if got := w.entry(p.domain); !slices.Contains(got.Issues, "auth_expired") {
			t.Fatalf("the issue was not set up: %+v", got)
		}
		emu.ResetRequests()
		o := parseToken(t, w.mustRun(0, "", "--token", "--json", "--account", p.uniqueID))
		if emu.Requests() == 0 {
			t.Fatal("auth_expired was cleared with no request to the service")
		}
		if err := emu.CheckCredential(o.credential()); err != nil {
			t.Fatalf("the service refuses the printed credential: %v", err)
		}
		if got := w.entry(p.domain); slices.Contains(got.Issues, "auth_expired") {
			t.Fatalf("a successful refresh left auth_expired: %+v", got)
		}
	})
}

// markExpired records auth_expired on entry id in entries.json as --status
// would, with no other change (the keyring is untouched).
func markExpired(t *testing.T, w *world, id string) {
	t.Helper()
	path := filepath.Join(w.configDir, "entries.json")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var idx map[string]any
	if err := json.Unmarshal(b, &idx); err != nil {
		t.Fatal(err)
	}
	entries, _ := idx["entries"].([]any)
	found := false
	for _, e := range entries {
		m, _ := e.(map[string]any)
		if m["entry_id"] == id {
			m["issues"] = []any{map[string]any{"issue_id": "auth_expired", "severity": "error", "created_at": time.Now().UTC().Format(time.RFC3339Nano)}}
			found = true
		}
	}
	if !found {
		t.Fatalf("entry %s not in %s", id, b)
	}
	out, err := json.MarshalIndent(idx, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, out, 0o600); err != nil {
		t.Fatal(err)
	}
}
