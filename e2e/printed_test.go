package e2e

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// asTyped is a directory holding the binary as ./setupwizard, so a
// scenario starts it the way a person who built it does.
func asTyped(t *testing.T) string {
	dir := t.TempDir()
	if err := os.Symlink(binary, filepath.Join(dir, "setupwizard")); err != nil {
		t.Fatal(err)
	}
	return dir
}

// shell runs line in bash in dir, as a person pasting it would, with the
// world's environment (extra added); output joins the secret scan.
func (w *world) shell(dir, line, stdin string, extra ...string) result {
	w.t.Helper()
	cmd := exec.Command("bash", "-c", line)
	cmd.Dir = dir
	cmd.Env = append(w.env(), extra...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	r := result{code: cmd.ProcessState.ExitCode(), stdout: out.String(), stderr: errOut.String()}
	if err != nil && r.code == -1 {
		w.t.Fatalf("bash -c %q: %v", line, err)
	}
	w.outputs = append(w.outputs,
		capture{what: "stdout of " + line, data: func() []byte { return []byte(r.stdout) }},
		capture{what: "stderr of " + line, data: func() []byte { return []byte(r.stderr) }})
	return r
}

// quoted is every 'command' a message quotes.
var quotedRE = regexp.MustCompile(`'(\./setupwizard[^']*)'`)

// TestPrintedCommandsWork: every command the program prints names it as
// it was started (./setupwizard) and carries every argument needed, so
// pasting it into bash does the same thing again: the help hint prints the
// help, --token's and --status's --reauth command signs that account in
// again (in a terminal), and the keyring fix re-runs --remove --account X
// --yes, which removes X and only X.
func TestPrintedCommandsWork(t *testing.T) {
	w := newWorld(t)
	dir := asTyped(t)

	// A hint: "Run './setupwizard --help' for usage."
	r := w.shell(dir, "./setupwizard --no-such-flag", "")
	m := quotedRE.FindStringSubmatch(r.stderr)
	if r.code != 2 || m == nil || m[1] != "./setupwizard --help" {
		t.Fatalf("usage error: exit %d, hint %q\n%s", r.code, m, r.stderr)
	}
	if h := w.shell(dir, m[1], ""); h.code != 0 || !strings.Contains(h.stdout, "--reauth") {
		t.Fatalf("%s: exit %d\n%s%s", m[1], h.code, h.stdout, h.stderr)
	}
	// "no accounts are configured; run './setupwizard' to add one"
	r = w.shell(dir, "./setupwizard --token", "")
	if m := quotedRE.FindStringSubmatch(r.stderr); r.code != 1 || m == nil || m[1] != "./setupwizard" {
		t.Fatalf("--token with no accounts: exit %d, hint %q\n%s", r.code, m, r.stderr)
	}

	for _, p := range providers {
		addAccount(w, p)
	}
	p, other := providers[0], providers[len(providers)-1]
	e := w.entry(p.domain)
	p.expire(w)
	// A cached access token may outlive its revoked grant: --status
	// asks the service and records auth_expired; then --token does too.
	if st := w.shell(dir, "./setupwizard --status --account "+p.uniqueID, ""); st.code != 4 {
		t.Fatalf("--status on a revoked grant: exit %d\n%s%s", st.code, st.stdout, st.stderr)
	}
	r = w.shell(dir, "./setupwizard --token --account "+p.uniqueID, "")
	if r.code != 4 {
		t.Fatalf("--token on a revoked grant: exit %d\n%s", r.code, r.stderr)
	}
	want := "./setupwizard --reauth --provider " + p.domain + " --account " + p.uniqueID
	_, reauth, ok := strings.Cut(strings.TrimSpace(r.stderr), "renew it with: ")
	if !ok || reauth != want {
		t.Fatalf("--token printed %q, want %q\n%s", reauth, want, r.stderr)
	}
	var doc struct {
		Accounts []struct {
			Reauth string `json:"reauth_command"`
			Entry  struct {
				UniqueID string `json:"unique_id"`
			} `json:"entry"`
		} `json:"accounts"`
	}
	st := w.shell(dir, "./setupwizard --status --json", "")
	if err := json.Unmarshal([]byte(st.stdout), &doc); err != nil {
		t.Fatalf("--status --json: %v\n%s", err, st.stdout)
	}
	status := doc.Accounts
	found := false
	for _, s := range status {
		if s.Reauth != "" {
			found = true
			if s.Reauth != want {
				t.Errorf("--status --json reauth %q, want %q", s.Reauth, want)
			}
		}
	}
	if !found {
		t.Errorf("--status --json gives no reauth command:\n%s", st.stdout)
	}
	// Pasted into bash in a terminal, it signs that account in again.
	tm := w.startProgram(t, "terminal of "+reauth, w.env(), cols, rows, "/bin/bash", "-c", "cd "+dir+" && "+reauth)
	tm.waitFor(p.text(t, "config.step.reauth_confirm.title", map[string]string{"name": e.Title}))
	tm.fill("", w.secret(p.password))
	tm.waitFor(signedInAgain)
	tm.exit(0)
	if got := w.entry(p.domain); got.ID != e.ID || slices.Contains(got.Issues, "auth_expired") {
		t.Fatalf("after the pasted reauth: %+v", got)
	}

	// The keyring fix (no session bus here) ends by running the very
	// command again; pasted where the bus is, it removes p's account only.
	nobus := "DBUS_SESSION_BUS_ADDRESS=unix:path=" + filepath.Join(t.TempDir(), "no-bus")
	r = w.shell(dir, "./setupwizard --remove --account "+p.uniqueID+" --yes", "", nobus)
	_, fix, ok := strings.Cut(r.stderr, "Fix: ")
	if r.code != 3 || !ok {
		t.Fatalf("--remove without a bus: exit %d, no fix\n%s", r.code, r.stderr)
	}
	fix, _, _ = strings.Cut(fix, "\n")
	i := strings.LastIndex(fix, "; ")
	rerun := strings.TrimSuffix(fix[i+2:], "'")
	if want := "./setupwizard --remove --account " + p.uniqueID + " --yes"; rerun != want {
		t.Fatalf("the fix re-runs %q, want %q\n%s", rerun, want, fix)
	}
	if len(w.list()) != len(providers) {
		t.Fatal("the failed remove changed the accounts")
	}
	if r := w.shell(dir, rerun, ""); r.code != 0 {
		t.Fatalf("%s: exit %d\n%s%s", rerun, r.code, r.stdout, r.stderr)
	}
	left := w.list()
	if len(left) != len(providers)-1 || slices.ContainsFunc(left, func(l listed) bool { return l.ID == e.ID }) {
		t.Fatalf("after the pasted re-run: %+v, want every account but %s", left, e.ID)
	}
	if other.domain != p.domain {
		w.entry(other.domain)
	}
}
