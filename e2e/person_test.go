package e2e

import (
	"strings"
	"testing"

	"github.com/setupwizard/setupwizard/e2e/vterm"
)

// The wizard as a person meets it: a small terminal, pasting, fixing a
// field, going back a step. Each scenario runs the real binary in a pty.

// startSized is start in a cols x rows terminal.
func (w *world) startSized(c, r int, args ...string) *term {
	w.t.Helper()
	return w.startSizedEnv(c, r, nil, args...)
}

// paste sends s as a bracketed paste, as a terminal does for ctrl+shift+v.
func (tm *term) paste(s string) {
	tm.t.Helper()
	tm.typeText("\x1b[200~" + s + "\x1b[201~")
}

// waitScreen waits until cond holds for the screen.
func (tm *term) waitScreen(what string, cond func(screen string) bool) string {
	tm.t.Helper()
	if err := tm.WaitUntil(what, cond, screenWait); err != nil {
		tm.t.Fatal(err)
	}
	return tm.Screen()
}

// focusedOn reports whether the screen shows label with the focused input
// (the "> " prompt) on the line below it.
func focusedOn(screen, label string) bool {
	lines := strings.Split(screen, "\n")
	for i := 0; i+1 < len(lines); i++ {
		if strings.TrimSpace(lines[i]) == label && strings.HasPrefix(lines[i+1], ">") {
			return true
		}
	}
	return false
}

// hintsAtBottom reports whether the key hints end the screen's text.
func hintsAtBottom(screen string) bool {
	return strings.HasSuffix(strings.TrimRight(screen, "\n "), "ctrl+c quit")
}

// TestSmallTerminal: at 40x12 the focused field, its error and the key
// hints stay on screen after Tab, after a refused paste and after a
// failed sign-in.
func TestSmallTerminal(t *testing.T) {
	forEachProvider(t, func(t *testing.T, p provCase) {
		w := newWorld(t)
		tm := w.startSized(40, 12, "--provider", p.domain)
		login := p.text(t, "config.step.user.data."+p.loginField, nil)
		password := p.text(t, "config.step.user.data.password", nil)
		tm.waitScreen("the login focused", func(s string) bool { return focusedOn(s, login) && hintsAtBottom(s) })
		tm.typeText(p.login)
		tm.press(vterm.Tab)
		tm.waitScreen("the password focused, hints below", func(s string) bool { return focusedOn(s, password) && hintsAtBottom(s) })
		tm.show("40x12 after tab")
		tm.paste("pass\tword")
		tm.waitScreen("invalid_characters under the password", func(s string) bool {
			return focusedOn(s, password) && strings.Contains(s, "(invalid_characters)") && hintsAtBottom(s)
		})
		tm.show("40x12 after a refused paste")
		tm.typeText(w.secret(p.wrong))
		tm.press(vterm.Enter)
		tm.waitScreen("invalid_auth with the password focused", func(s string) bool {
			return focusedOn(s, password) && strings.Contains(s, "(invalid_auth)") && hintsAtBottom(s)
		})
		tm.show("40x12 after a wrong password")
		tm.press(vterm.CtrlC)
		tm.exit(130)
	})
}

// TestPasteTrailingNewlineSignsIn: a password pasted with the newline a
// copied line brings signs in; the newline is not part of it.
func TestPasteTrailingNewlineSignsIn(t *testing.T) {
	p := providers[0]
	w := newWorld(t)
	tm := w.start("--provider", p.domain)
	tm.waitFor(helpForm)
	tm.typeText(p.login)
	tm.press(vterm.Tab)
	tm.paste(w.secret(p.password) + "\n")
	tm.waitFor(strings.Repeat("*", len(p.password)) + "\n")
	tm.press(vterm.Enter)
	tm.waitFor(saved)
	tm.exit(0)
	w.entry(p.domain)
}

// TestPasteRefused: a paste with a tab (or an inner newline, a BEL, an
// escape sequence) is refused at once with invalid_characters, one of
// 5000 characters with too_long; the field is left as it was, and
// nothing is stored.
func TestPasteRefused(t *testing.T) {
	p := providers[1]
	w := newWorld(t)
	tm := w.start("--provider", p.domain)
	tm.waitFor(helpForm)
	tm.typeText(p.login)
	tm.press(vterm.Tab)
	pw := w.secret(p.password)
	tests := []struct{ paste, key string }{
		{pw + "\tx", "(invalid_characters)"},
		{pw + "\nx", "(invalid_characters)"},
		{pw + "\a", "(invalid_characters)"},
		{pw + "\x1b[31mx", "(invalid_characters)"},
		{"\x1b]0;title\a" + pw, "(invalid_characters)"},
		{strings.Repeat("p", 5000), "(too_long)"},
	}
	for _, tt := range tests {
		tm.paste(tt.paste)
		scr := tm.waitScreen(tt.key, func(s string) bool { return strings.Contains(s, tt.key) })
		if strings.Contains(scr, "*") {
			t.Fatalf("the refused paste %q left something in the password field:\n%s", tt.paste, scr)
		}
		// Typing clears the error; the field is empty again after.
		tm.typeText("x")
		tm.waitScreen("the error cleared by typing", func(s string) bool { return !strings.Contains(s, tt.key) })
		tm.typeText("\x7f") // backspace
		tm.waitScreen("the field empty", func(s string) bool { return !strings.Contains(s, "> *") })
	}
	// Enter on the empty password: the engine's required, still nothing sent.
	tm.press(vterm.Enter)
	tm.waitFor("(required)")
	tm.press(vterm.CtrlC)
	tm.exit(130)
	if l := w.list(); len(l) != 0 {
		t.Fatalf("entries after refused pastes: %+v", l)
	}
	if left := w.newItems(p.domain); len(left) != 0 {
		t.Fatalf("keyring items after refused pastes: %v", names(left))
	}
}

// TestFieldErrorClearsOnEdit: a field's error goes away as soon as the
// field is edited; the other field's value is untouched.
func TestFieldErrorClearsOnEdit(t *testing.T) {
	p := emailProvider(t)
	w := newWorld(t)
	tm := w.start("--provider", p.domain)
	tm.waitFor(helpForm)
	tm.typeText("not-an-email")
	tm.press(vterm.Tab)
	tm.typeText(w.secret(p.password))
	tm.press(vterm.Enter)
	tm.waitFor("(invalid_email)")
	tm.typeText(".x")
	tm.waitScreen("the error gone after an edit", func(s string) bool {
		return !strings.Contains(s, "(invalid_email)") && strings.Contains(s, "not-an-email.x")
	})
	tm.press(vterm.CtrlC)
	tm.exit(130)
}

// TestEscGoesBack: esc on the form returns to the service picker with the
// login kept; esc on the picker (the first step) exits 130.
func TestEscGoesBack(t *testing.T) {
	w := newWorld(t)
	tm := w.start()
	tm.waitFor("Choose a service")
	first := providers[0]
	title := first.text(t, "config.flow_title", nil)
	tm.waitFor("> " + title)
	tm.press(vterm.Enter)
	tm.waitFor(first.text(t, "config.step.user.title", nil))
	tm.waitFor("esc back")
	tm.typeText(first.login)
	tm.press(vterm.Esc)
	tm.waitFor("Choose a service")
	tm.press(vterm.Enter)
	tm.waitScreen("the form again with the login kept", func(s string) bool {
		return strings.Contains(s, first.text(t, "config.step.user.title", nil)) && strings.Contains(s, first.login)
	})
	tm.show("back on the form")
	tm.press(vterm.Esc)
	tm.waitFor("Choose a service")
	tm.press(vterm.Esc)
	tm.exit(130)
	if l := w.list(); len(l) != 0 {
		t.Fatalf("entries after going back and cancelling: %+v", l)
	}
}
