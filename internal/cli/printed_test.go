package cli

import (
	"errors"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/setupwizard/setupwizard/internal/store"
)

// words is how a real POSIX shell splits a printed command line.
func words(t *testing.T, line string) []string {
	t.Helper()
	out, err := exec.Command("sh", "-c", "printf '%s\\0' "+line).Output()
	if err != nil {
		t.Fatalf("sh cannot read %q: %v", line, err)
	}
	return strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
}

// TestShellQuote: every word comes back from a real shell as it went in.
func TestShellQuote(t *testing.T) {
	for _, w := range []string{"plain", "with space", "it's", `a"b`, "$HOME", "`id`", `back\slash`, "new\nline", "zażółć", "*", "a;b&c|d", "~x", "#c", "", "-x", "--account=o'brien"} {
		line := shellQuote(w)
		if got := words(t, line); len(got) != 1 || got[0] != w {
			t.Errorf("shellQuote(%q) = %s reads back as %q", w, line, got)
		}
	}
}

var errNoBus = errors.New("dbus: couldn't determine address of session bus")

// noBusKeyring fails like a session without a D-Bus session bus.
var noBusKeyring = failingKeyring{errNoBus}

// TestKeyringFixRerunsTheCommand: the keyring fix ends by running the same
// command again, with every argument (an account with a quote in it
// included) and without the ones that read standard input; the shell reads
// it back word for word.
func TestKeyringFixRerunsTheCommand(t *testing.T) {
	w := newWorld(t)
	w.sopts = []store.Option{store.WithKeyring(store.NewMemoryKeyring())}
	all := w.addAll()
	w.sopts = []store.Option{store.WithKeyring(noBusKeyring)}
	// A machine without systemd, gnome-keyring installed: the fix is one
	// dbus-run-session whose script ends with the re-run.
	plainMachine = machine{gnomeKeyring: true}
	t.Cleanup(func() { plainMachine = machine{} })
	a, id := all[0], w.entries()[0].UniqueID
	cases := []struct {
		args, rerun []string
	}{
		{[]string{"--remove", "--account", id, "--yes"}, []string{"--remove", "--account", id, "--yes"}},
		{[]string{"--token", "--provider", a.provider, "--account=" + strings.ToUpper(a.login), "--json"}, []string{"--token", "--provider", a.provider, "--account", strings.ToUpper(a.login), "--json"}},
		{[]string{"--status", "--timeout", "5s", "--account", a.login}, []string{"--status", "--account", a.login, "--timeout", "5s"}},
		{[]string{"--provider", a.provider, "-u", "x" + a.login, "--password-stdin", "--json"}, []string{"--provider", a.provider, "--username", "x" + a.login}},
	}
	for _, c := range cases {
		o := w.run(a.password+"\n", c.args...)
		if o.code != ExitKeyring {
			t.Fatalf("%v: exit %d, want %d\n%s%s", c.args, o.code, ExitKeyring, o.out, o.errOut)
		}
		_, fix, ok := strings.Cut(o.errOut, "Fix: ")
		if !ok {
			t.Fatalf("%v: no fix:\n%s", c.args, o.errOut)
		}
		fix, _, _ = strings.Cut(fix, "\n")
		// The fix is dbus-run-session -- bash -c 'SCRIPT': the script's
		// last command is the re-run.
		got := words(t, fix)
		if got[0] != "dbus-run-session" {
			t.Fatalf("%v: fix %q reads as %q", c.args, fix, got)
		}
		script := got[len(got)-1]
		i := strings.LastIndex(script, "; ")
		rerun := words(t, script[i+2:])
		if want := append([]string{"setupwizard"}, c.rerun...); !slices.Equal(rerun, want) {
			t.Errorf("%v: the fix re-runs %q, want %q (fix: %s)", c.args, rerun, want, fix)
		}
	}
}

// TestNoTerminalExampleKeepsArguments: without a terminal the example a
// script should run is this command line plus what a script adds.
func TestNoTerminalExampleKeepsArguments(t *testing.T) {
	w := newWorld(t)
	a := accounts()[0]
	for _, c := range []struct{ args, want []string }{
		{[]string{"--provider", a.provider, "-u", "jan kowalski", "--timeout", "9s"}, []string{"setupwizard", "--provider", a.provider, "--username", "jan kowalski", "--timeout", "9s", "--password-stdin"}},
		{[]string{"--reauth", "--account", "jan"}, []string{"setupwizard", "--reauth", "--account", "jan", "--password-stdin"}},
	} {
		o := w.run("", c.args...)
		_, ex, ok := strings.Cut(o.errOut, `echo "$PW" | `)
		if o.code != ExitUsage || !ok {
			t.Fatalf("%v: exit %d, no example\n%s", c.args, o.code, o.errOut)
		}
		ex, _, _ = strings.Cut(ex, "\n")
		if got := words(t, ex); !slices.Equal(got, c.want) {
			t.Errorf("%v: example %q reads as %q, want %q", c.args, ex, got, c.want)
		}
	}
}
