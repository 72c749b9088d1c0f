package e2e

import (
	"strings"
	"testing"

	"github.com/setupwizard/setupwizard/e2e/vterm"
)

// TestDemo is what a new user tries first: --demo starts every service's
// emulator in-process, shows the demo credentials on the wizard's own
// screen, signs in through the real keyring, then offers the rest of the
// lifecycle (status, an expired sign-in and its reauth, remove) and leaves
// nothing behind when it ends.
func TestDemo(t *testing.T) {
	forEachProvider(t, func(t *testing.T, p provCase) { demoLifecycle(t, p, nil) })
}

// TestDemoWithoutKeyring: with no keyring at all the demo says so in one
// line and the whole lifecycle still works, in memory.
func TestDemoWithoutKeyring(t *testing.T) {
	demoLifecycle(t, providers[len(providers)-1], noBus)
}

// demoLifecycle signs in to p in the demo, then walks the next steps:
// check, expire and check again, reauth, remove.
func demoLifecycle(t *testing.T, p provCase, env []string) {
	{
		w := newWorld(t)
		tm := w.startWith(env, "--demo")
		tm.waitFor("Demo")
		tm.waitFor(p.login + " / " + p.password)
		for range indexOf(p) {
			tm.press(vterm.Down)
		}
		tm.waitFor("> " + p.text(t, "config.flow_title", nil))
		tm.press(vterm.Enter)
		tm.waitFor(p.text(t, "config.step.user.title", nil))
		tm.fill(p.login, w.secret(p.wrong))
		tm.waitFor("(invalid_auth)")
		// The demo notice is still there while the user retries.
		tm.waitFor(p.login + " / " + p.password)
		// The demo password is shown on screen by design, so it is not
		// registered as a secret to scan for; the wrong one is.
		tm.fill("", p.password)

		// The next steps: check, expire and check again, reauth, remove.
		// Each step's output stays in sight right above the menu, which
		// asks again below it (inline, not on the alternate screen).
		withMenu := func(what string) {
			t.Helper()
			tm.waitScreen(what+" right above the menu", func(s string) bool {
				above, ok := demoMenu(s)
				return ok && strings.Contains(above, what) && !tm.AltScreen()
			})
		}
		// The menu's cursor stays on the step just run: moving to the
		// next one starts from there.
		cur := 0
		step := func(i int) {
			t.Helper()
			tm.waitScreen("the menu", func(s string) bool { _, ok := demoMenu(s); return ok })
			for ; cur < i; cur++ {
				tm.press(vterm.Down)
			}
			for ; cur > i; cur-- {
				tm.press(vterm.Up)
			}
			tm.press(vterm.Enter)
		}
		step(0)
		withMenu(": signed in")
		step(2)
		withMenu("exit code 4")
		tm.waitFor("has expired")
		step(3)
		tm.waitFor(p.text(t, "config.step.reauth_confirm.title", nil)[:10])
		// esc on the reauth form goes back to the menu, not out of the demo.
		tm.press(vterm.Esc)
		withMenu("> Sign in again (--reauth)")
		step(3)
		tm.waitFor(p.text(t, "config.step.reauth_confirm.title", nil)[:10])
		tm.fill("", p.password)
		step(0)
		withMenu(": signed in")
		step(5)
		tm.waitFor("[y/N]")
		tm.typeText("y")
		tm.exit(0)
		scr := tm.Screen()
		for _, want := range []string{"Removed", "Demo ended"} {
			if !strings.Contains(scr, want) {
				t.Errorf("%q not on screen:\n%s", want, scr)
			}
		}
		if strings.Count(scr, "Remove this") != 1 || strings.Contains(scr, "Cancelled") {
			t.Errorf("the question should be left once, and nothing cancelled:\n%s", scr)
		}
		if left := w.newItems(p.domain); len(left) != 0 {
			t.Fatalf("--demo left keyring items: %v", names(left))
		}
		if l := w.list(); len(l) != 0 {
			t.Fatalf("--demo wrote to the user's entries: %+v", l)
		}
		if env != nil && strings.Count(tm.Screen(), "memory") > 2 {
			t.Errorf("the in-memory keyring is explained more than once:\n%s", tm.Screen())
		}
	}
}

// demoMenu reports whether the demo's menu ends the screen, freshly
// drawn (a cursor on one of its steps), and returns the line above it.
func demoMenu(screen string) (above string, ok bool) {
	lines := strings.Split(screen, "\n")
	for i := len(lines) - 1; i > 0; i-- {
		if strings.HasPrefix(lines[i], "What next?") {
			rest := strings.Join(lines[i:], "\n")
			return lines[i-1], strings.Contains(rest, "\n> ") && hintsEnd(rest)
		}
	}
	return "", false
}

// hintsEnd reports whether a help line ends the screen.
func hintsEnd(screen string) bool {
	return strings.HasSuffix(strings.TrimRight(screen, "\n "), "ctrl+c quit")
}

// indexOf is p's place in the provider picker.
func indexOf(p provCase) int {
	for i, q := range providers {
		if q.domain == p.domain {
			return i
		}
	}
	return 0
}

// TestDemoEnds: esc on the demo's menu ends the demo (exit 0, no
// "Cancelled"); ctrl+c there is a cancel (exit 130), as everywhere.
func TestDemoEnds(t *testing.T) {
	p := providers[0]
	for _, c := range []struct {
		name, key string
		code      int
		want      string
	}{{"esc", vterm.Esc, 0, "Demo ended"}, {"ctrl+c", vterm.CtrlC, 130, "Cancelled."}} {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t)
			tm := w.startWith(noBus, "--demo", "--provider", p.domain)
			tm.waitFor(p.text(t, "config.step.user.title", nil))
			tm.fill(p.login, p.password)
			tm.waitFor("Quit the demo")
			tm.press(c.key)
			tm.exit(c.code)
			if s := tm.Screen(); !strings.Contains(s, c.want) || (c.code == 0 && strings.Contains(s, "Cancelled")) {
				t.Errorf("want %q on screen:\n%s", c.want, s)
			}
		})
	}
}
