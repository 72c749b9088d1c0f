package e2e

import (
	"testing"
	"time"

	"github.com/setupwizard/setupwizard/e2e/vterm"
)

// TestAccessible: with TERM=dumb the wizard asks plain line prompts; the
// password is read with echo off (the scan would find an echoed one in the
// terminal output), a wrong one shows invalid_auth and the retry succeeds.
func TestAccessible(t *testing.T) {
	forEachProvider(t, func(t *testing.T, p provCase) {
		w := newWorld(t)
		tm := w.startWith([]string{"TERM=dumb"}, "--provider", p.domain)
		label := p.text(t, "config.step.user.data."+p.loginField, nil)
		login := label + ":"
		password := p.text(t, "config.step.user.data.password", nil) + ":"

		tm.waitPrompt(login)
		tm.typeText(p.login + "\r")
		tm.typePassword(w, password, p.wrong)
		tm.waitFor("(invalid_auth)")
		tm.show("after invalid_auth")

		// The login is offered as the default: enter keeps it.
		tm.waitPrompt(label + " [" + p.login + "]:")
		tm.typeText("\r")
		tm.typePassword(w, password, p.password)
		tm.waitFor(saved)
		tm.exit(0)
		w.entry(p.domain)
	})
}

// TestAccessibleCtrlC: in line-prompt mode ctrl+c is the terminal's SIGINT;
// pressed while the service hangs it exits 130 at once and saves nothing.
func TestAccessibleCtrlC(t *testing.T) {
	forEachProvider(t, func(t *testing.T, p provCase) {
		w := newWorld(t)
		p.hang(w)
		tm := w.startWith([]string{"TERM=dumb"}, "--provider", p.domain, "--timeout", "5m")
		tm.waitPrompt(p.text(t, "config.step.user.data."+p.loginField, nil) + ":")
		tm.typeText(p.login + "\r")
		tm.typePassword(w, p.text(t, "config.step.user.data.password", nil)+":", p.password)
		select {
		case <-p.held(w):
		case <-time.After(screenWait):
			t.Fatalf("no request reached the hanging emulator; screen:\n%s", tm.Screen())
		}
		tm.press(vterm.CtrlC)
		tm.exit(130)
		if l := w.list(); len(l) != 0 {
			t.Fatalf("entries after ctrl+c: %+v", l)
		}
		if left := w.newItems(p.domain); len(left) != 0 {
			t.Fatalf("ctrl+c left keyring items: %v", names(left))
		}
	})
}
