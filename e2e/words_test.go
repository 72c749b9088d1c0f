package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/setupwizard/setupwizard/e2e/vterm"
	"github.com/setupwizard/setupwizard/internal/ui/frontend"
)

// runEnv is run with extra environment (later values win).
func (w *world) runEnv(extra []string, stdin string, args ...string) result {
	w.t.Helper()
	r := w.runQuietEnv(extra, stdin, args...)
	w.outputs = append(w.outputs, capture{what: "output of setupwizard " + strings.Join(args, " "), data: func() []byte { return []byte(r.stdout + r.stderr) }})
	return r
}

// noBus is a session bus address nothing listens on: the first run on a
// machine without a keyring.
var noBus = []string{"DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent/setupwizard-e2e-bus"}

// TestFirstRunWithoutKeyring: without a session bus the wizard says so in
// at most four short lines with plain words, a command that fixes it and
// the demo, before any prompt; it never says Cancelled.
func TestFirstRunWithoutKeyring(t *testing.T) {
	p := providers[0]
	w := newWorld(t)

	r := w.runEnv(noBus, w.secret(p.password)+"\n", "--provider", p.domain, "-u", p.login, "--password-stdin")
	if r.code != 3 {
		t.Fatalf("exit %d, want 3\n%s%s", r.code, r.stdout, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	if len(lines) > 4 {
		t.Errorf("%d lines, want at most 4:\n%s", len(lines), r.stderr)
	}
	for _, want := range []string{"session bus", "dbus-run-session", "setupwizard --demo"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("the message lacks %q:\n%s", want, r.stderr)
		}
	}
	for _, internal := range []string{"probe", "exec:", "dial unix", "org.freedesktop"} {
		if strings.Contains(r.stderr, internal) {
			t.Errorf("the message shows internals (%q):\n%s", internal, r.stderr)
		}
	}

	for _, args := range [][]string{{}, {"--accessible", "--provider", p.domain}} {
		tm := w.startWith(noBus, args...)
		tm.exit(3)
		s := tm.Screen()
		if !strings.Contains(s, "setupwizard --demo") {
			t.Errorf("%v: the screen does not offer the demo:\n%s", args, s)
		}
		if strings.Contains(s, "Cancelled") {
			t.Errorf("%v: says Cancelled though nobody cancelled:\n%s", args, s)
		}
		if len(args) > 0 && strings.Contains(s, p.text(t, "config.step.user.data."+p.loginField, nil)+":") {
			t.Errorf("accessible mode drew a prompt before failing:\n%s", s)
		}
	}
}

// TestPolishCommands: with LANG=pl_PL.UTF-8 --list, --status (valid and
// expired), the reauth picker and --remove speak Polish, the confirmation
// included, with no English sentence left anywhere.
func TestPolishCommands(t *testing.T) {
	pl := []string{"LANG=pl_PL.UTF-8"}
	p := providers[len(providers)-1]
	w := newWorld(t)
	for _, q := range providers {
		addScripted(t, w, q)
	}
	english := englishWords(t)
	noEnglish := func(what, out string) {
		t.Helper()
		if left := leftovers(out, english); len(left) > 0 {
			t.Errorf("%s: English left in Polish output %q:\n%s", what, left, out)
		}
	}
	r := w.runEnv(pl, "", "--list")
	if r.code != 0 || !strings.Contains(r.stdout, "USŁUGA") || !strings.Contains(r.stdout, "KONTO") {
		t.Errorf("--list in Polish: exit %d\n%s", r.code, r.stdout)
	}
	noEnglish("--list", r.stdout+r.stderr)
	r = w.runEnv(pl, "", "--status")
	if r.code != 0 || !strings.Contains(r.stdout, "zalogowano") {
		t.Errorf("--status in Polish: exit %d\n%s", r.code, r.stdout)
	}
	noEnglish("--status", r.stdout+r.stderr)
	p.expire(w)
	r = w.runEnv(pl, "", "--status")
	if r.code != 4 || !strings.Contains(r.stdout, "logowanie wygasło (auth_expired)") {
		t.Errorf("--status of an expired sign-in in Polish: exit %d\n%s", r.code, r.stdout)
	}
	noEnglish("--status, expired", r.stdout+r.stderr)

	// The reauth picker asks in Polish, the expired account first.
	tm := w.startWith(pl, "--reauth")
	tm.waitFor("Do którego konta chcesz zalogować się ponownie?")
	tm.waitFor("> " + p.text(t, "config.flow_title", nil))
	tm.waitFor("logowanie wygasło")
	noEnglish("the reauth picker", tm.Screen())
	tm.press(vterm.Esc)
	tm.exit(130)
	tm.waitFor("Anulowano.")

	tm = w.startWith(pl, "--remove", "--account", p.uniqueID)
	tm.waitFor("[t/N]")
	tm.waitFor("Usunąć konto")
	tm.typeText("n")
	tm.exit(130)
	tm.waitFor("Nic nie usunięto.")
	if s := tm.Screen(); strings.Count(s, "Usunąć konto") != 1 {
		t.Errorf("the question is left %d times, want once:\n%s", strings.Count(s, "Usunąć konto"), s)
	}
	noEnglish("the --remove question", tm.Screen())
	r = w.runEnv(pl, "", "--remove", "--account", p.uniqueID, "--yes")
	if r.code != 0 || !strings.Contains(r.stdout, "Usunięto konto") {
		t.Errorf("--remove in Polish: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	noEnglish("--remove --yes", r.stdout+r.stderr)
	r = w.runEnv(pl, "", "--list", "--status")
	if r.code != 2 || !strings.Contains(r.stderr, "wykluczają się") {
		t.Errorf("a usage error in Polish: exit %d\n%s", r.code, r.stderr)
	}
	noEnglish("a usage error", r.stdout+r.stderr)
}

// englishWords are the command line's and the front ends' English
// sentences, cut at their placeholders: pieces of three words or more,
// which a Polish screen must not show.
func englishWords(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "internal", "cli", "translations", "en.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	var texts []string
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for _, x := range v {
				walk(x)
			}
		case string:
			texts = append(texts, v)
		}
	}
	walk(doc)
	en := frontend.ChromeFor("en")
	texts = append(texts, en.PickProvider, en.PickEntry, en.ReauthQuestion, en.CancelledNote, en.Cancelled, en.Expired, en.HelpPick(false), en.HelpForm(false))
	var pieces []string
	for _, s := range texts {
		for _, piece := range regexp.MustCompile(`\{[a-z_]+\}|%[sd]|\n`).Split(s, -1) {
			piece = strings.TrimSpace(piece)
			if len(strings.Fields(piece)) >= 3 && !strings.Contains(piece, "--") && !strings.Contains(piece, "setupwizard") {
				pieces = append(pieces, piece)
			}
		}
	}
	if len(pieces) < 30 {
		t.Fatalf("only %d English pieces found", len(pieces))
	}
	return pieces
}

// leftovers are the pieces of English that out shows.
func leftovers(out string, english []string) []string {
	flat := strings.Join(strings.Fields(out), " ")
	var found []string
	for _, e := range english {
		if strings.Contains(flat, e) {
			found = append(found, e)
		}
	}
	return found
}

// TestCancelExitCodes: every way a person cancels exits 130: esc on a
// picker, esc on the confirmation, answering no.
func TestCancelExitCodes(t *testing.T) {
	w := newWorld(t)
	for _, p := range providers {
		addScripted(t, w, p)
	}
	p := providers[0]
	for _, c := range []struct {
		name string
		args []string
		wait string
		keys string
	}{
		{"esc on the reauth picker", []string{"--reauth"}, "Which account", "\x1b"},
		{"esc on the remove question", []string{"--remove", "--account", p.uniqueID}, "[y/N]", "\x1b"},
		{"no to the remove question", []string{"--remove", "--account", p.uniqueID}, "[y/N]", "n"},
		{"ctrl+c on the remove question", []string{"--remove", "--account", p.uniqueID}, "[y/N]", "\x03"},
	} {
		t.Run(c.name, func(t *testing.T) {
			tm := w.start(c.args...)
			tm.waitFor(c.wait)
			tm.typeText(c.keys)
			tm.exit(130)
		})
	}
	if n := len(w.list()); n != len(providers) {
		t.Fatalf("%d accounts left, want %d", n, len(providers))
	}
}

// TestPasswordStdinOnTerminal: --password-stdin typed at a terminal is not
// echoed, and the terminal gets its echo back.
func TestPasswordStdinOnTerminal(t *testing.T) {
	p := providers[0]
	w := newWorld(t)
	tm := w.start("--provider", p.domain, "-u", p.login, "--password-stdin")
	tm.waitNoEcho()
	pw := w.secret(p.password)
	tm.typeText(pw + "\r")
	tm.exit(0)
	if strings.Contains(tm.Screen(), pw) {
		t.Fatalf("the password was echoed:\n%s", tm.Screen())
	}
	w.entry(p.domain)
}

// TestReauthEscBackToPicker: esc on the reauth form returns to the account
// picker with the cursor on the same account; esc there exits 130.
func TestReauthEscBackToPicker(t *testing.T) {
	w := newWorld(t)
	for _, p := range providers {
		addScripted(t, w, p)
	}
	p := providers[1]
	tm := w.start("--reauth")
	tm.waitFor("Which account do you want to sign in again?")
	tm.press(vterm.Down)
	tm.waitFor("> " + p.text(t, "config.flow_title", nil))
	tm.press(vterm.Enter)
	tm.waitFor(p.text(t, "config.step.reauth_confirm.title", map[string]string{"name": w.entry(p.domain).Title})[:12])
	tm.press(vterm.Esc)
	tm.waitFor("Which account do you want to sign in again?")
	tm.waitFor("> " + p.text(t, "config.flow_title", nil))
	tm.press(vterm.Esc)
	tm.exit(130)
}

// TestPolishDemo: the demo speaks Polish from its banner to its end, with
// no English sentence left on any screen.
func TestPolishDemo(t *testing.T) {
	p := providers[0]
	w := newWorld(t)
	english := englishWords(t)
	tm := w.startWith(append([]string{"LANG=pl_PL.UTF-8"}, noBus...), "--demo", "--provider", p.domain)
	tm.waitFor(p.login + " / " + p.password)
	tm.waitFor("tab/↓ dalej")
	seen := []string{tm.Screen()}
	tm.fill(p.login, p.password)
	tm.waitFor("Co dalej?")
	seen = append(seen, tm.Screen())
	tm.press(vterm.Enter) // check the sign-in
	tm.waitFor(": zalogowano")
	tm.waitFor("Co dalej?")
	seen = append(seen, tm.Screen())
	tm.press(vterm.Esc)
	tm.exit(0)
	tm.waitFor("Koniec demonstracji")
	seen = append(seen, tm.Screen())
	for _, s := range seen {
		if left := leftovers(s, english); len(left) > 0 {
			t.Errorf("English left in the Polish demo %q:\n%s", left, s)
		}
	}
}
