package e2e

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

// failure is the one object every failure prints with --json.
type failure struct {
	Result   string            `json:"result"`
	Error    string            `json:"error"`
	ExitCode int               `json:"exit_code"`
	Errors   map[string]string `json:"errors"`
}

func parseFailure(t *testing.T, r result) failure {
	t.Helper()
	var f failure
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	if err := dec.Decode(&f); err != nil || dec.More() {
		t.Fatalf("stdout is not one JSON object (%v):\n%s", err, r.stdout)
	}
	if f.Result != "error" || f.ExitCode != r.code {
		t.Fatalf("result %q exit_code %d, process exit %d:\n%s", f.Result, f.ExitCode, r.code, r.stdout)
	}
	return f
}

// TestStatusWithNoAccounts: `setupwizard --status && sync.sh` must not go
// on when nothing is set up: exit 1 with words on stderr, and with --json
// the error object with no_accounts; --list stays exit 0.
func TestStatusWithNoAccounts(t *testing.T) {
	firstPassOnly(t)
	w := newWorld(t)
	r := w.mustRun(1, "", "--status")
	if r.stdout != "" || !strings.Contains(strings.ToLower(r.stderr), "no account") {
		t.Errorf("--status with no accounts: stdout %q, stderr %q", r.stdout, r.stderr)
	}
	if f := parseFailure(t, w.mustRun(1, "", "--status", "--json")); f.Error != "no_accounts" {
		t.Errorf("error %q, want no_accounts", f.Error)
	}
	w.mustRun(0, "", "--list")
	cmd := exec.Command("sh", "-c", `"$0" --status && echo synced`, binary)
	cmd.Env = w.env()
	out, err := cmd.CombinedOutput()
	if err == nil || strings.Contains(string(out), "synced") {
		t.Errorf("'setupwizard --status && sync' went on with no accounts (%v):\n%s", err, out)
	}
}

// TestScriptedFailureJSON: a scripted sign-in that fails prints the one
// error shape (result error, its key, exit_code), the form's errors kept.
func TestScriptedFailureJSON(t *testing.T) {
	forEachProvider(t, func(t *testing.T, p provCase) {
		w := newWorld(t)
		r := w.mustRun(1, w.secret(p.wrong)+"\n", "--provider", p.domain, "-u", p.login, "--password-stdin", "--json")
		f := parseFailure(t, r)
		if f.Error != "invalid_auth" || f.Errors["base"] != "invalid_auth" {
			t.Errorf("%+v, want invalid_auth with errors.base", f)
		}
	})
}
