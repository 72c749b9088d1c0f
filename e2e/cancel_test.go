package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/setupwizard/setupwizard/e2e/vterm"
)

// TestEscWhileValidatingGoesBack: esc while the service hangs stops the
// validation and returns to the form with the login kept and the password
// cleared; nothing is saved, and a later submit succeeds.
func TestEscWhileValidatingGoesBack(t *testing.T) {
	forEachProvider(t, func(t *testing.T, p provCase) {
		w := newWorld(t)
		p.hang(w)
		tm := w.start("--provider", p.domain, "--timeout", "5m", "--debug", w.debugFile())
		tm.waitFor(p.text(t, "config.step.user.title", nil))
		tm.fill(p.login, w.secret(p.password))
		select {
		case <-p.held(w):
		case <-time.After(screenWait):
			t.Fatalf("no request reached the hanging %s emulator; screen:\n%s", p.domain, tm.Screen())
		}
		// The validating screen must be up before esc: the form's help line
		// may still be on screen for a frame after the request went out.
		tm.waitFor(helpValidating)
		tm.press(vterm.Esc)
		// Nothing may follow esc at once: esc and a key close behind it
		// read as alt+key, as in any terminal.
		tm.waitFor("Sign-in stopped; nothing was saved.")
		tm.waitFor(helpForm)
		tm.show("after esc")
		if s := tm.Screen(); !strings.Contains(s, p.login) || strings.Contains(s, "****") {
			t.Fatalf("after esc the form should keep the login and clear the password:\n%s", s)
		}
		if left := w.newItems(p.domain); len(left) != 0 {
			t.Fatalf("esc left keyring items: %v", names(left))
		}
		p.heal(w)
		tm.fill("", p.password)
		tm.waitFor(saved)
		tm.exit(0)
		w.entry(p.domain)
	})
}

// TestCancelOnForm: esc or ctrl+c on the empty form exits 130.
func TestCancelOnForm(t *testing.T) {
	for _, key := range []struct{ name, seq string }{{"esc", vterm.Esc}, {"ctrl+c", vterm.CtrlC}} {
		t.Run(key.name, func(t *testing.T) {
			p := providers[0]
			w := newWorld(t)
			tm := w.start("--provider", p.domain)
			tm.waitFor(p.text(t, "config.step.user.title", nil))
			tm.typeText(p.login)
			tm.press(key.seq)
			tm.exit(130)
			if l := w.list(); len(l) != 0 {
				t.Fatalf("entries after cancelling: %+v", l)
			}
		})
	}
}

// TestSigintWhileScripted: SIGINT (ctrl+c on a shell running a script)
// during a hanging scripted sign-in exits 130 and saves nothing.
func TestSigintWhileScripted(t *testing.T) {
	forEachProvider(t, func(t *testing.T, p provCase) {
		w := newWorld(t)
		p.hang(w)
		cmd := exec.Command(binary, "--provider", p.domain, "-u", p.login, "--password-stdin", "--timeout", "5m")
		cmd.Env = w.env()
		cmd.Stdin = strings.NewReader(w.secret(p.password) + "\n")
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		w.outputs = append(w.outputs,
			capture{"stdout of the interrupted run", out.Bytes},
			capture{"stderr of the interrupted run", errOut.Bytes})
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		defer func() { _ = cmd.Process.Kill(); <-done }()
		select {
		case <-p.held(w):
		case <-time.After(screenWait):
			t.Fatalf("no request reached the hanging emulator; stderr:\n%s", errOut.String())
		}
		if err := cmd.Process.Signal(os.Interrupt); err != nil {
			t.Fatal(err)
		}
		select {
		case <-done:
		case <-time.After(exitWait):
			t.Fatalf("still running %v after SIGINT", exitWait)
		}
		if code := cmd.ProcessState.ExitCode(); code != 130 {
			t.Fatalf("exit %d after SIGINT, want 130; stderr:\n%s", code, errOut.String())
		}
		if l := w.list(); len(l) != 0 {
			t.Fatalf("entries after SIGINT: %+v", l)
		}
		if left := w.newItems(p.domain); len(left) != 0 {
			t.Fatalf("SIGINT left keyring items: %v", names(left))
		}
	})
}
