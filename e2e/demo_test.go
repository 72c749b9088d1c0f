package e2e

import (
	"fmt"
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
		// A step's lines are on the main screen only until the menu
		// comes back on the alternate one: they are looked for in what
		// the step wrote, not on the screen.
		var since int
		step := func(i int) {
			t.Helper()
			tm.waitFor("Quit the demo")
			for range i {
				tm.press(vterm.Down)
			}
			since = len(tm.Raw())
			tm.press(vterm.Enter)
		}
		wrote := func(texts ...string) {
			t.Helper()
			tm.waitScreen(fmt.Sprintf("the step to write %q", texts), func(string) bool {
				out := string(tm.Raw()[since:])
				for _, x := range texts {
					if !strings.Contains(out, x) {
						return false
					}
				}
				return true
			})
		}
		step(0)
		wrote("signed in")
		step(2)
		wrote("has expired", "exit code 4")
		step(3)
		tm.waitFor(p.text(t, "config.step.reauth_confirm.title", nil)[:10])
		tm.fill("", p.password)
		step(5)
		tm.waitFor("[y/N]")
		tm.typeText("y")
		tm.exit(0)
		if !strings.Contains(tm.Screen(), "Removed") {
			t.Errorf("no removal on screen:\n%s", tm.Screen())
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

// indexOf is p's place in the provider picker.
func indexOf(p provCase) int {
	for i, q := range providers {
		if q.domain == p.domain {
			return i
		}
	}
	return 0
}
