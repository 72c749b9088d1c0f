package cli

import (
	"errors"
	"runtime"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/setupwizard/setupwizard/internal/store"
)

// plainMachine is the machine every other test of the package sees: no
// systemd login, no user bus, no gnome-keyring installed, so the advice
// they check does not depend on where the tests run.
var plainMachine = machine{}

func init() {
	readMachine = func(func(string) string) machine { return plainMachine }
}

// TestKeyringFixPerMachine: each of the four situations gets its own
// words and a fix that fits the machine: the user bus of a systemd login
// (lasting for the login), no systemd login (one command at a time, said
// so), a desktop prompt (answer it, then run again).
func TestKeyringFixPerMachine(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the fixes are Linux's")
	}
	const unlock = `| setsid gnome-keyring-daemon --replace --unlock --components=secrets`
	sshLogin := machine{onUserBus: true, userBus: true, userManager: true, busUnit: true, gnomeKeyring: true}
	noUserBus := machine{userManager: true, gnomeKeyring: true}
	staleBus := machine{named: true, userBus: true, userManager: true, busUnit: true, gnomeKeyring: true}
	for _, c := range []struct {
		name    string
		kind    store.KeyringKind
		m       machine
		what    string
		want    []string // in the fix, in this order
		notWant []string
		lasts   string
	}{
		{"ssh login, no Secret Service", store.KeyringNoService, sshLogin, "no_service", []string{"bash -c 'read -rsp", unlock, "' && setupwizard --provider librus"}, []string{"apt install"}, "lasts_login"},
		{"ssh login, gnome-keyring missing", store.KeyringNoService, machine{onUserBus: true, userBus: true, userManager: true}, "no_service", []string{"sudo apt install gnome-keyring && ", unlock, "setupwizard --provider librus"}, nil, "lasts_login"},
		{"ssh login, locked", store.KeyringLocked, sshLogin, "locked", []string{unlock, "&& setupwizard --provider librus"}, []string{"apt"}, "lasts_login"},
		{"a named bus that is not the login's", store.KeyringLocked, machine{named: true, gnomeKeyring: true}, "locked", []string{unlock}, nil, "lasts_bus"},
		{"desktop prompt waiting", store.KeyringPrompt, machine{onUserBus: true, userBus: true, desktop: true}, "timeout", []string{"setupwizard --provider librus"}, []string{"gnome-keyring-daemon", "bash"}, ""},
		{"systemd login without dbus-user-session", store.KeyringNoBus, noUserBus, "no_bus", []string{"sudo apt install dbus-user-session && systemctl --user daemon-reload && systemctl --user start dbus.socket && ", unlock, "setupwizard --provider librus"}, []string{"dbus-run-session", "unset"}, "lasts_login"},
		{"systemd login, user bus stopped", store.KeyringNoBus, machine{userManager: true, busUnit: true}, "no_bus", []string{"sudo apt install gnome-keyring && systemctl --user start dbus.socket && ", unlock}, []string{"dbus-user-session", "daemon-reload"}, "lasts_login"},
		{"systemd login, a stale bus address", store.KeyringNoBus, staleBus, "no_bus_gone", []string{"unset DBUS_SESSION_BUS_ADDRESS && ", unlock}, []string{"apt", "systemctl"}, "lasts_login"},
		{"no systemd login", store.KeyringNoBus, machine{gnomeKeyring: true}, "no_bus", []string{`dbus-run-session -- bash -c 'read -rsp "Keyring password: " p; echo; printf %s "$p" | gnome-keyring-daemon --unlock --components=secrets >/dev/null; setupwizard --provider librus'`}, []string{"--replace", "apt"}, "lasts_command"},
		{"no systemd login, no gnome-keyring", store.KeyringNoBus, machine{named: true}, "no_bus_gone", []string{"sudo apt install gnome-keyring && dbus-run-session -- bash -c"}, nil, "lasts_command"},
	} {
		t.Run(c.name, func(t *testing.T) {
			plainMachine = c.m
			t.Cleanup(func() { plainMachine = machine{} })
			for _, lang := range textLangs {
				a := parsedApp(t, lang, "--provider", "librus")
				msg := a.keyringAdvice(&store.KeyringError{Kind: c.kind, Op: "set", Item: "setupwizard:librus/x", Err: errors.New("backend")})
				lines := strings.Split(msg, "\n")
				if len(lines) > 4 {
					t.Fatalf("%s: %d lines:\n%s", lang, len(lines), msg)
				}
				if lines[0] != a.T("cli.keyring."+c.what) {
					t.Errorf("%s: first line %q, want the words of %s", lang, lines[0], c.what)
				}
				if c.lasts != "" && !strings.Contains(msg, a.T("cli.keyring."+c.lasts)) {
					t.Errorf("%s: does not say how long it lasts (%s):\n%s", lang, c.lasts, msg)
				}
				if c.lasts == "" && len(lines) != 3 {
					t.Errorf("%s: want the situation, the command and the demo:\n%s", lang, msg)
				}
				if lang != "en" {
					continue
				}
				fix := lines[1]
				rest := fix
				for _, w := range c.want {
					i := strings.Index(rest, w)
					if i < 0 {
						t.Fatalf("the fix lacks %q (or not in order):\n%s", w, fix)
					}
					rest = rest[i+len(w):]
				}
				for _, w := range c.notWant {
					if strings.Contains(fix, w) {
						t.Errorf("the fix has %q:\n%s", w, fix)
					}
				}
			}
		})
	}
}

// parsedApp is an app that has parsed args, as run leaves it, so that the
// printed commands carry them.
func parsedApp(t *testing.T, lang string, args ...string) *app {
	t.Helper()
	a := &app{lang: lang, getenv: func(string) string { return "" }}
	a.text = cliText()
	a.flags = a.flagSet()
	if err := a.flags.Parse(args); err != nil {
		t.Fatalf("parse %q: %v", args, err)
	}
	a.set = map[string]bool{}
	a.flags.Visit(func(f *pflag.Flag) { a.set[f.Name] = true })
	return a
}
