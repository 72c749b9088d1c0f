package e2e

import (
	"slices"
	"strings"
	"testing"
)

// TestRepeatedFlagsRefused: a flag given twice is a usage error (exit 2)
// naming it, before anything is selected, sent or changed: pflag would
// let the last one win, so --remove --account a --account b would remove
// b although the person also named a.
func TestRepeatedFlagsRefused(t *testing.T) {
	w := newWorld(t)
	for _, p := range providers {
		addAccount(w, p)
	}
	before := w.list()
	a, b := providers[0], providers[len(providers)-1]
	cases := []struct {
		flag string
		args []string
	}{
		{"--account", []string{"--remove", "--yes", "--account", a.uniqueID, "--account", b.uniqueID}},
		{"--account", []string{"--token", "--account", a.uniqueID, "--account=" + b.uniqueID}},
		{"--provider", []string{"--token", "--provider", a.domain, "--provider", b.domain}},
		{"--provider", []string{"--provider", a.domain, "--provider", b.domain, "-u", a.login, "--password-stdin"}},
		{"-u/--username", []string{"--provider", a.domain, "-u", a.login, "--username", b.login, "--password-stdin"}},
		{"--status", []string{"--status", "--status"}},
		{"--json", []string{"--list", "--json", "--json"}},
	}
	for _, c := range cases {
		for _, p := range providers {
			w.emus[p.domain].ResetRequests()
		}
		r := w.run(password(a), c.args...)
		// With --json the error is also the one object on stdout.
		wantOut := ""
		if slices.Contains(c.args, "--json") {
			wantOut = `"message": "` + c.flag + ` was given more than once`
		}
		if r.code != 2 || !strings.Contains(r.stderr, c.flag+" was given more than once") || (wantOut == "") != (r.stdout == "") || !strings.Contains(r.stdout, wantOut) {
			t.Errorf("%v: exit %d, want 2 naming %s\nstdout:\n%s\nstderr:\n%s", c.args, r.code, c.flag, r.stdout, r.stderr)
		}
		for _, p := range providers {
			if n := w.emus[p.domain].Requests(); n != 0 {
				t.Errorf("%v: %d requests reached %s", c.args, n, p.domain)
			}
		}
	}
	if after := w.list(); len(after) != len(before) {
		t.Fatalf("a refused command changed the accounts: %d before, %d after", len(before), len(after))
	}
}
