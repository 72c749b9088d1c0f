package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/setupwizard/setupwizard/e2e/vterm"
)

// The front end's key help (internal/ui/frontend's English chrome): which
// one is on screen tells the form from the validating state. saved and
// signedInAgain begin the success lines of an add and of a reauth.
const (
	helpForm       = "tab/↓ next • shift+tab/↑ previous • enter submit • esc cancel • ctrl+c quit"
	helpValidating = "esc back • ctrl+c quit"
	saved          = "✓ Added your "
	signedInAgain  = "✓ Signed in to "
)

// fill types into the form on screen: the login (when given) then the
// password, and submits.
func (tm *term) fill(login, password string) {
	tm.t.Helper()
	if login != "" {
		tm.typeText(login)
		tm.press(vterm.Tab)
	}
	tm.typeText(password)
	tm.press(vterm.Enter)
}

// addInteractive adds p's demo account through the TUI and checks the
// entry and its keyring items.
func addInteractive(t *testing.T, w *world, p provCase) listed {
	t.Helper()
	tm := w.start("--provider", p.domain)
	tm.waitFor(p.text(t, "config.step.user.title", nil))
	tm.fill(p.login, w.secret(p.password))
	tm.waitFor(saved)
	tm.exit(0)
	e := w.entry(p.domain)
	if e.UniqueID != p.uniqueID || !strings.EqualFold(e.Login, p.login) {
		t.Fatalf("entry %+v, want unique id %s and login %s", e, p.uniqueID, p.login)
	}
	if len(itemsOf(t, p.domain, e.ID)) == 0 {
		t.Fatalf("entry %s has no item in the keyring under %s", e.ID, p.domain)
	}
	return e
}

// TestAddDuplicateRemove: an account is added in the TUI, adding it again
// aborts already_configured, and --remove leaves no keyring item behind.
func TestAddDuplicateRemove(t *testing.T) {
	forEachProvider(t, func(t *testing.T, p provCase) {
		w := newWorld(t)
		e := addInteractive(t, w, p)

		tm := w.start("--provider", p.domain)
		tm.waitFor(p.text(t, "config.step.user.title", nil))
		tm.fill(p.login, w.secret(p.password))
		tm.waitFor("(already_configured)")
		tm.exit(1)
		if got := w.entry(p.domain); got.ID != e.ID {
			t.Fatalf("the duplicate replaced the entry: %+v, was %+v", got, e)
		}

		r := w.mustRun(0, "", "--remove", "--account", p.login, "--yes")
		if !strings.Contains(r.stdout, e.Title) {
			t.Errorf("--remove output does not name the account:\n%s", r.stdout)
		}
		if l := w.list(); len(l) != 0 {
			t.Fatalf("entries left after --remove: %+v", l)
		}
		if left := itemsOf(t, p.domain, e.ID); len(left) != 0 {
			t.Fatalf("--remove left %d keyring items of entry %s", len(left), e.ID)
		}
		if left := w.newItems(p.domain); len(left) != 0 {
			t.Fatalf("keyring items left under %s after --remove: %v", p.domain, names(left))
		}
	})
}

// TestWrongPasswordThenRetry: invalid_auth shows inline, the form keeps the
// login and clears the password, and the corrected submit succeeds.
func TestWrongPasswordThenRetry(t *testing.T) {
	forEachProvider(t, func(t *testing.T, p provCase) {
		w := newWorld(t)
		tm := w.start("--provider", p.domain, "--debug", w.debugFile())
		tm.waitFor(p.text(t, "config.step.user.title", nil))
		tm.fill(p.login, w.secret(p.wrong))
		tm.waitFor("(invalid_auth)")
		tm.show("after invalid_auth")
		screen := tm.Screen()
		if !strings.Contains(screen, p.login) {
			t.Errorf("the form lost the login after invalid_auth:\n%s", screen)
		}
		if strings.Contains(screen, strings.Repeat("*", len(p.wrong))) {
			t.Errorf("the password field still holds the wrong password's mask:\n%s", screen)
		}
		tm.fill("", w.secret(p.password))
		tm.waitFor(saved)
		tm.exit(0)
		if e := w.entry(p.domain); e.UniqueID != p.uniqueID {
			t.Fatalf("entry %+v, want unique id %s", e, p.uniqueID)
		}
	})
}

// TestProviderPicker: without --provider the TUI offers both services.
func TestProviderPicker(t *testing.T) {
	p := providers[1] // the second item, so the picker has to move
	w := newWorld(t)
	tm := w.start()
	tm.waitFor("Choose a service")
	for _, q := range providers {
		tm.waitFor(q.text(t, "config.flow_title", nil))
	}
	tm.press(vterm.Down)
	tm.waitFor("> " + p.text(t, "config.flow_title", nil))
	tm.press(vterm.Enter)
	tm.waitFor(p.text(t, "config.step.user.title", nil))
	tm.fill(p.login, w.secret(p.password))
	tm.waitFor(saved)
	tm.exit(0)
	w.entry(p.domain)
}

// TestCtrlCWhileValidating: ctrl+c while the service hangs cancels the
// requests at once, exits 130 and saves nothing.
func TestCtrlCWhileValidating(t *testing.T) {
	forEachProvider(t, func(t *testing.T, p provCase) {
		w := newWorld(t)
		p.hang(w)
		// A long --timeout: only a real cancellation can end the run in time.
		tm := w.start("--provider", p.domain, "--timeout", "5m")
		tm.waitFor(p.text(t, "config.step.user.title", nil))
		tm.fill(p.login, w.secret(p.password))
		select {
		case <-p.held(w):
		case <-time.After(screenWait):
			t.Fatalf("no request reached the hanging %s emulator; screen:\n%s", p.domain, tm.Screen())
		}
		tm.waitFor(helpValidating)
		pressed := time.Now()
		tm.press(vterm.CtrlC)
		tm.exit(130)
		t.Logf("ctrl+c to exit: %v", time.Since(pressed))

		if l := w.list(); len(l) != 0 {
			t.Fatalf("entries after ctrl+c: %+v", l)
		}
		if b, err := os.ReadFile(filepath.Join(w.configDir, "entries.json")); err == nil && strings.Contains(string(b), p.uniqueID) {
			t.Fatalf("entries.json names the cancelled account:\n%s", b)
		}
		if left := w.newItems(p.domain); len(left) != 0 {
			t.Fatalf("ctrl+c left keyring items under %s: %v", p.domain, names(left))
		}
	})
}

// TestResizeMidFlow: the terminal shrinks to 40x20 while the form is on
// screen and grows back; the sign-in still completes.
func TestResizeMidFlow(t *testing.T) {
	forEachProvider(t, func(t *testing.T, p provCase) {
		w := newWorld(t)
		tm := w.start("--provider", p.domain)
		title := p.text(t, "config.step.user.title", nil)
		tm.waitFor(title)
		tm.typeText(p.login)
		tm.waitFor(p.login)
		tm.resize(40, 20)
		// The help line is wider than 40 columns, so its end only starts a
		// line once the form was redrawn, wrapped, for the new width.
		tm.waitFor("\nenter submit • esc cancel • ctrl+c quit")
		tm.show("at 40x20")
		if s := tm.Screen(); !strings.Contains(s, p.login) {
			t.Fatalf("the login typed before the resize is gone:\n%s", s)
		}
		tm.resize(cols, rows)
		tm.waitFor(helpForm)
		tm.show("back at 80x24")
		tm.press(vterm.Tab)
		tm.fill("", w.secret(p.password))
		tm.waitFor(saved)
		tm.exit(0)
		w.entry(p.domain)
	})
}

func names(items []item) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.user)
	}
	return out
}
