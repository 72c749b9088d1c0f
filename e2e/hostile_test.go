package e2e

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/setupwizard/setupwizard/internal/store"
)

// namer is an emulator that lets a test choose the account's name the
// service reports (server-supplied text that ends up as the entry title).
type namer interface {
	AddUser(login, password, firstName, lastName string)
}

// Hostile names: an OSC that sets the window title, a screen clear, a
// C1 CSI (U+009B), a right-to-left override and a right-to-left mark.
const (
	hostileFirst = "Anna\x1b]0;PWNED\x07\x1b[2J\u202eLIVE"
	hostileLast  = "Kowal\u200fska\u009b31m"
)

// rawControls lists what of a server's control text appears raw in b:
// ESC, BEL, C1 controls and bidi overrides or marks. For a terminal's
// output, where the program's own escape sequences are expected, only the
// planted sequences count.
func rawControls(b []byte, terminal bool) []string {
	var found []string
	if terminal {
		for _, s := range []string{"\x1b]0;PWNED", "PWNED\x07", "\x1b[2J\u202e"} {
			if bytes.Contains(b, []byte(s)) {
				found = append(found, strings.ReplaceAll(s, "\x1b", "ESC"))
			}
		}
	} else {
		for _, c := range []byte{0x1b, 0x07} {
			if bytes.IndexByte(b, c) >= 0 {
				found = append(found, string(rune(c)))
			}
		}
	}
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		b = b[n:]
		if (r >= 0x80 && r <= 0x9f) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0x200e || r == 0x200f {
			found = append(found, string(r))
		}
	}
	return found
}

// TestHostileServerText: a service that names the account with terminal
// escape sequences and bidi controls gets none of them onto the terminal
// (add on a pty, --list and --status on a pty and through pipes), into
// entries.json, or into the --debug trace.
func TestHostileServerText(t *testing.T) {
	tested := 0
	forEachProvider(t, func(t *testing.T, p provCase) {
		w := newWorld(t)
		emu, ok := w.emus[p.domain].(namer)
		if !ok {
			t.Skipf("the %s emulator cannot choose the account's name", p.domain)
		}
		tested++
		login, pw := "7770001u", w.secret("hostile-pass-Hx9")
		emu.AddUser(login, pw, hostileFirst, hostileLast)
		trace := w.debugFile()

		// The add on a terminal.
		tm := w.startWith(nil, "--provider", p.domain, "--debug", trace)
		tm.waitFor(p.text(t, "config.step.user.title", nil))
		tm.fill(login, pw)
		tm.waitFor(saved)
		tm.exit(0)
		check := func(what string, b []byte, terminal bool) {
			t.Helper()
			if found := rawControls(b, terminal); len(found) > 0 {
				t.Errorf("%s holds the server's raw control text %q", what, found)
			}
		}
		check("the add's terminal", tm.Raw(), true)
		if !strings.Contains(tm.Screen(), "LIVE") {
			t.Errorf("the add's screen lost the printable part of the name:\n%s", tm.Screen())
		}
		tb, err := os.ReadFile(trace)
		if err != nil {
			t.Fatal(err)
		}
		check("the --debug trace", tb, false)
		ib, err := os.ReadFile(filepath.Join(w.configDir, store.IndexFile))
		if err != nil {
			t.Fatal(err)
		}
		check("entries.json", ib, false)
		// Not vacuous: the service did send the sequences (the trace
		// shows them escaped), and the title kept the printable rest.
		if !bytes.Contains(tb, []byte("PWNED")) {
			t.Error("the trace does not show the hostile name the service sent")
		}
		if !bytes.Contains(ib, []byte(`"title": "AnnaLIVE Kowalska"`)) {
			t.Errorf("the stored title is not the name without its control text:\n%s", ib)
		}
		if bytes.Contains(ib, []byte(`\u001b`)) || bytes.Contains(ib, []byte(`\u0007`)) {
			t.Errorf("entries.json stores the escape sequence JSON-escaped:\n%s", ib)
		}

		// --list and --status, on a terminal and through pipes.
		for _, args := range [][]string{{"--list"}, {"--status"}, {"--list", "--json"}, {"--status", "--json"}} {
			r := w.mustRun(0, "", args...)
			check(strings.Join(args, " ")+" stdout", []byte(r.stdout), false)
			check(strings.Join(args, " ")+" stderr", []byte(r.stderr), false)
			if len(args) == 1 {
				tm := w.start(args...)
				tm.waitFor("LIVE")
				tm.exit(0)
				check(args[0]+" on a terminal", tm.Raw(), true)
			}
		}
	})
	if tested == 0 {
		t.Skip("no emulator can choose the account's name")
	}
}
