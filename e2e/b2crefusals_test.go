package e2e

import (
	"strings"
	"testing"

	"github.com/setupwizard/setupwizard/e2e/vterm"
	fcemu "github.com/setupwizard/setupwizard/internal/providers/flameconnect/emulator"
)

// TestFlameConnectRefusalsInWords: the real binary, signing in to the
// Flame Connect emulator as the accounts B2C refuses (locked for a while,
// locked until support unlocks it, throttled, sent back to the app), ends
// with each refusal's own key and words, in English and in Polish, in the
// scripted front end and the TUI, exits 1 and saves nothing
// (docs/flameconnect.md, "B2C error codes").
func TestFlameConnectRefusalsInWords(t *testing.T) {
	p := registered(t, "flameconnect")
	w := newWorld(t)
	tests := []struct{ login, key string }{
		{fcemu.LockedEmail, "account_locked"},
		{fcemu.SupportLockedEmail, "account_blocked"},
		{fcemu.ThrottledEmail, "too_many_attempts"},
		{fcemu.AppOnlyEmail, "interaction_required"},
	}
	for _, tc := range tests {
		for _, l := range traceLangs {
			// Without any white space: the TUI may break a line after a
			// hyphen ("sign-" / "ins"), which flat cannot join back.
			words := b2cSqueezed(p.textIn(t, l.lang, "config.error."+tc.key))
			shows := func(s string) bool {
				return strings.Contains(b2cSqueezed(s), words) && strings.Contains(flat(s), "("+tc.key+")")
			}
			r := w.runEnv(l.env, w.secret(p.password)+"\n", "--provider", p.domain, "-u", tc.login, "--password-stdin")
			if r.code != 1 || !shows(r.stdout) {
				t.Errorf("%s %s scripted: exit %d, want 1 with %q\nstdout:\n%s\nstderr:\n%s", tc.login, l.lang, r.code, words, r.stdout, r.stderr)
			}
			if tc.login != fcemu.LockedEmail {
				continue // one TUI run per language is enough
			}
			tm := w.startWith(l.env, "--provider", p.domain)
			tm.waitFor(p.textIn(t, l.lang, "config.step.user.title"))
			tm.fill(tc.login, w.secret(p.password))
			tm.waitScreen(l.lang+" TUI: "+tc.key, shows)
			tm.press(vterm.CtrlC)
			tm.exit(130)
		}
	}
	if l := w.list(); len(l) != 0 {
		t.Fatalf("entries after refused sign-ins: %+v", l)
	}
}

// b2cSqueezed is s without any white space.
func b2cSqueezed(s string) string { return strings.Join(strings.Fields(s), "") }
