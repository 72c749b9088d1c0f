package e2e

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// TestNoTerminal: an interactive command without a terminal is a usage
// error that tells how to script it.
func TestNoTerminal(t *testing.T) {
	w := newWorld(t)
	for _, args := range [][]string{
		{},
		{"--provider", "librus"},
		{"--provider", "flameconnect"},
		{"--reauth"},
	} {
		r := w.mustRun(2, "", args...)
		if !strings.Contains(r.stderr, "--password-stdin") {
			t.Errorf("setupwizard %v without a terminal: stderr does not name --password-stdin:\n%s", args, r.stderr)
		}
	}
	if l := w.list(); len(l) != 0 {
		t.Fatalf("entries after refused runs: %+v", l)
	}
}

// TestScripted: -u LOGIN --password-stdin fails with invalid_auth (exit 1)
// and succeeds (exit 0), docker-login style, text and --json.
func TestScripted(t *testing.T) {
	forEachProvider(t, func(t *testing.T, p provCase) {
		w := newWorld(t)
		trace := w.debugFile()
		args := []string{"--provider", p.domain, "-u", p.login, "--password-stdin", "--debug", trace}

		r := w.mustRun(1, w.secret(p.wrong)+"\n", args...)
		if !strings.Contains(r.stdout, "(invalid_auth)") {
			t.Errorf("wrong password: stdout does not name invalid_auth:\n%s", r.stdout)
		}
		if l := w.list(); len(l) != 0 {
			t.Fatalf("entries after a failed sign-in: %+v", l)
		}
		if b, err := os.ReadFile(trace); err != nil || len(b) == 0 {
			t.Errorf("--debug wrote no trace (%v): the secret scan would prove nothing", err)
		}

		r = w.mustRun(0, w.secret(p.password)+"\n", append(args, "--json")...)
		var res struct {
			Result string `json:"result"`
			Entry  listed `json:"entry"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
			t.Fatalf("--json result is not JSON: %v\n%s", err, r.stdout)
		}
		if res.Result != "create_entry" || res.Entry.UniqueID != p.uniqueID {
			t.Fatalf("--json result %+v, want create_entry of %s", res, p.uniqueID)
		}
		e := w.entry(p.domain)
		if len(itemsOf(t, p.domain, e.ID)) == 0 {
			t.Fatalf("entry %s has no keyring item", e.ID)
		}

		r = w.mustRun(1, w.secret(p.password)+"\n", args...)
		if !strings.Contains(r.stdout, "(already_configured)") {
			t.Errorf("second add: stdout does not name already_configured:\n%s", r.stdout)
		}
	})
}
