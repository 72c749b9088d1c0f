package e2e

import (
	"os/exec"
	"testing"
)

// pasteFix runs fix, the keyring command the wizard advised, as pasted
// into a shell with env: it answers the keyring password it must ask for
// on screen (with no echo) and the sign-in form it runs again with p's
// password, and fails unless it ends with exit 0. It returns the
// terminal for what the caller checks on its screen.
func pasteFix(t *testing.T, w *world, p provCase, fix string, env []string, keyringPassword string) *term {
	t.Helper()
	tm := w.startProgram(t, "terminal of the pasted fix", env, cols, rows, "bash", "--norc", "-c", fix)
	tm.waitFor("Keyring password:")
	tm.waitNoEcho()
	tm.typeText(w.secret(keyringPassword) + "\r")
	tm.waitFor(p.text(t, "config.step.user.title", nil))
	tm.fill("", w.secret(p.password))
	if code, err := tm.Wait(exitWait); err != nil || code != 0 {
		t.Fatalf("the pasted fix: exit %d, %v; screen:\n%s", code, err, tm.Screen())
	}
	return tm
}

// needTools skips the test unless every one of tools is on PATH.
func needTools(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed (scripts/test installs it): %v", tool, err)
		}
	}
}
