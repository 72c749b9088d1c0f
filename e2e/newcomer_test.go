package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/setupwizard/setupwizard/e2e/vterm"
)

// What a newcomer meets first: the keyring advice and the command it
// offers, every way of backing out, and the demo in a small terminal.

// CtrlD is end of input at a line prompt (the terminal's EOF character).
const CtrlD = "\x04"

// TestKeyringFixWorksWhenPasted: the command the first run without a
// session bus offers works as pasted into a shell: it asks for a keyring
// password on screen (never waits silently), then runs the wizard again
// against a keyring it started, and the sign-in is saved there.
func TestKeyringFixWorksWhenPasted(t *testing.T) {
	needTools(t, "bash", "dbus-run-session", "gnome-keyring-daemon")
	p := providers[0]
	w := newWorld(t)
	r := w.runEnv(noBus, w.secret(p.password)+"\n", "--provider", p.domain, "-u", p.login, "--password-stdin")
	if r.code != 3 {
		t.Fatalf("a sign-in without a session bus: exit %d, want 3\n%s%s", r.code, r.stdout, r.stderr)
	}
	var fix string
	for _, l := range strings.Split(r.stderr, "\n") {
		if c, ok := strings.CutPrefix(l, "Fix: "); ok {
			fix = c
		}
	}
	// The fix runs the wizard again with every argument but what would
	// read standard input: it asks on the terminal, the login filled in.
	if !strings.HasSuffix(fix, binary+" --provider "+p.domain+" --username "+p.login+"'") {
		t.Fatalf("no fix that runs this program (%s) again:\n%s", binary, r.stderr)
	}
	// A shell of a machine with no session bus and no keyring yet.
	home, run := t.TempDir(), filepath.Join(t.TempDir(), "run")
	if err := os.Mkdir(run, 0o700); err != nil {
		t.Fatal(err)
	}
	env := append(w.env(), noBus...)
	env = append(env, "HOME="+home, "XDG_RUNTIME_DIR="+run)
	tm := pasteFix(t, w, p, fix, env, "a-new-keyring-password")
	// The keyring daemon the fix started logs to the same terminal, so
	// the success line may start mid-line and wrap anywhere: compare
	// without line breaks and blanks.
	flat := func(s string) string { return strings.Join(strings.Fields(s), "") }
	if !strings.Contains(flat(tm.Screen()), flat(saved)) {
		t.Fatalf("the pasted fix ended without %q; screen:\n%s", saved, tm.Screen())
	}
	w.entry(p.domain)
}

// TestEveryCancelExits130: every way a person backs out, in either front
// end, exits 130 and changes nothing.
func TestEveryCancelExits130(t *testing.T) {
	w := newWorld(t)
	for _, p := range providers {
		addScripted(t, w, p)
	}
	p := providers[0]
	dumb := []string{"TERM=dumb"}
	login := p.text(t, "config.step.user.data."+p.loginField, nil)
	for _, c := range []struct {
		name string
		env  []string
		args []string
		wait string // on screen when the keys are typed
		keys []string
	}{
		{"esc on the service picker", nil, nil, "Choose a service", []string{vterm.Esc}},
		{"ctrl+c on the service picker", nil, nil, "Choose a service", []string{vterm.CtrlC}},
		{"esc on the form, the first step", nil, []string{"--provider", p.domain}, "esc cancel", []string{vterm.Esc}},
		{"ctrl+c on the form after tab", nil, []string{"--provider", p.domain}, "esc cancel", []string{"x", vterm.Tab, vterm.CtrlC}},
		{"esc on the reauth form, no picker before it", nil, []string{"--reauth", "--account", p.uniqueID}, "esc cancel", []string{vterm.Esc}},
		{"ctrl+c on the reauth picker", nil, []string{"--reauth"}, "Which account", []string{vterm.CtrlC}},
		{"ctrl+d at the first line prompt", dumb, nil, "Choose [1-", []string{CtrlD}},
		{"ctrl+d at the login line prompt", dumb, []string{"--provider", p.domain}, login + ":", []string{CtrlD}},
		{"ctrl+c at a line prompt", dumb, []string{"--provider", p.domain}, login + ":", []string{vterm.CtrlC}},
		{"no to the remove line prompt", dumb, []string{"--remove", "--account", p.uniqueID}, "Remove this", []string{"n\r"}},
		{"ctrl+d at the remove line prompt", dumb, []string{"--remove", "--account", p.uniqueID}, "Remove this", []string{CtrlD}},
	} {
		t.Run(c.name, func(t *testing.T) {
			tm := w.startWith(c.env, c.args...)
			tm.t = t
			tm.waitFor(c.wait)
			for _, k := range c.keys {
				tm.typeText(k)
			}
			tm.exit(130)
		})
	}
	if n := len(w.list()); n != len(providers) {
		t.Fatalf("%d accounts left, want %d", n, len(providers))
	}
}

// TestSmallTerminalDemo: at 40x12 the demo's banner condenses to one line
// and the focused field and the key hints stay in sight, also after tab.
func TestSmallTerminalDemo(t *testing.T) {
	p := providers[0]
	w := newWorld(t)
	tm := w.startSized(40, 12, "--demo", "--provider", p.domain)
	login := p.text(t, "config.step.user.data."+p.loginField, nil)
	password := p.text(t, "config.step.user.data.password", nil)
	// The banner's one line: the demo sign-in (cut to the width).
	banner := "Demo: " + p.login + " / "
	s := tm.waitScreen("the login focused, hints below", func(s string) bool { return focusedOn(s, login) && hintsAtBottom(s) })
	if !strings.Contains(s, banner) {
		t.Errorf("the condensed banner does not show the demo sign-in:\n%s", s)
	}
	tm.typeText(p.login)
	tm.press(vterm.Tab)
	s = tm.waitScreen("the password focused, hints below", func(s string) bool { return focusedOn(s, password) && hintsAtBottom(s) })
	if !strings.Contains(s, banner) {
		t.Errorf("the condensed banner went out of sight:\n%s", s)
	}
	tm.press(vterm.CtrlC)
	tm.exit(130)
}
