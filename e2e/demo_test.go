package e2e

import (
	"testing"

	"github.com/setupwizard/setupwizard/e2e/vterm"
)

// TestDemo is what a new user tries first: --demo starts both emulators
// in-process, shows the demo credentials on the wizard's own screen, signs
// in through the real keyring, and leaves nothing behind when it ends.
func TestDemo(t *testing.T) {
	w := newWorld(t)
	tm := w.start("--demo")
	tm.waitFor("Demo: both services are emulated")
	tm.waitFor("1234567u / demo-password")
	tm.waitFor("Token caches: OS keyring")
	tm.press(vterm.Down)
	tm.press(vterm.Enter)
	tm.waitFor("Librus")
	tm.fill("1234567u", w.secret("wrong-pass-7Qx"))
	tm.waitFor("(invalid_auth)")
	// The demo notice is still there while the user retries.
	tm.waitFor("1234567u / demo-password")
	// The demo password is shown on screen by design, so it is not
	// registered as a secret to scan for; the wrong one above is.
	tm.fill("", "demo-password")
	tm.waitFor(saved)
	tm.exit(0)
	if left := w.newItems("librus"); len(left) != 0 {
		t.Fatalf("--demo left keyring items: %v", names(left))
	}
	if l := w.list(); len(l) != 0 {
		t.Fatalf("--demo wrote to the user's entries: %+v", l)
	}
}
