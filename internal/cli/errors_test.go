package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/setupwizard/setupwizard/internal/store"
	"github.com/setupwizard/setupwizard/internal/ui/frontend"
)

// Every kind of command error maps to one exit code and one output, in
// text and in --json; this is the only place exit codes are decided.
func TestReport(t *testing.T) {
	keyringErr := &store.KeyringError{Op: "set", Item: "setupwizard:x/probe", Reason: "the keyring collection is locked", Err: errors.New("dbus: IsLocked")}
	cases := []struct {
		name        string
		err         error
		interactive bool
		code        int
		stderr      []string // substrings; nil means stderr is empty
		noStderr    []string
	}{
		{name: "nil", err: nil, code: ExitOK},
		{name: "usage", err: &usageError{msg: "bad flags"}, code: ExitUsage, stderr: []string{"setupwizard: bad flags\n", "--help"}},
		{name: "wrapped usage", err: fmt.Errorf("x: %w", &usageError{msg: "bad"}), code: ExitUsage, stderr: []string{"bad"}},
		{name: "cancel with words", err: &cancelError{msg: "Nothing removed."}, code: ExitCancelled, stderr: []string{"Nothing removed."}},
		{name: "cancel said on screen", err: &cancelError{}, code: ExitCancelled},
		{name: "front end cancel interactive", err: frontend.ErrCancelled, interactive: true, code: ExitCancelled},
		{name: "front end cancel scripted", err: frontend.ErrCancelled, code: ExitCancelled, stderr: []string{"nothing was saved"}},
		{name: "context cancel", err: context.Canceled, code: ExitCancelled, stderr: []string{"nothing was saved"}},
		{name: "silent", err: silent(ExitExpired), code: ExitExpired},
		{name: "silent flow", err: silent(ExitFlow), code: ExitFlow},
		{name: "with code", err: withCode(ExitExpired, errors.New("expired")), code: ExitExpired, stderr: []string{"expired"}},
		{name: "keyring", err: storeErr("probe", keyringErr), code: ExitKeyring, stderr: []string{"locked", "--demo"}, noStderr: []string{"IsLocked", "probe"}},
		{name: "keyring with code", err: withCode(ExitFlow, keyringErr), code: ExitKeyring, stderr: []string{"locked"}},
		{name: "plain", err: errors.New("boom"), code: ExitFlow, stderr: []string{"setupwizard: boom"}},
		{name: "outcome unknown", err: fmt.Errorf("replace: switch: %w: %w", store.ErrOutcomeUnknown, errors.New("timeout")), code: ExitFlow, stderr: []string{"may or may not have been replaced", "--status"}, noStderr: []string{"switch"}},
		{name: "keyring after the checks", err: &statusFailed{code: ExitKeyring, key: statusKeyring, err: storeErr("check", keyringErr)}, code: ExitKeyring, stderr: []string{"locked", "--demo"}},
		{name: "status expired", err: &statusFailed{code: ExitExpired, key: "auth_expired"}, code: ExitExpired},
		{name: "flow failed", err: &flowFailed{res: resultJSON{Result: "form", Errors: map[string]string{"base": "invalid_auth"}}, message: "Invalid login"}, code: ExitFlow},
		// The store's real chain: the abandoned switch is a keyring
		// timeout too, and the outcome must win over the keyring advice.
		{name: "outcome unknown after a keyring timeout", err: fmt.Errorf("update entry: switch: %w: %w", store.ErrOutcomeUnknown, keyringErr), code: ExitFlow, stderr: []string{"may or may not have been replaced", "--status"}, noStderr: []string{"--demo", "switch"}},
		{name: "locked", err: fmt.Errorf("entries.lock: %w", store.ErrLocked), code: ExitFlow, stderr: []string{"Another setupwizard"}, noStderr: []string{"entries.lock"}},
	}
	for _, tc := range cases {
		for _, asJSON := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s json=%v", tc.name, asJSON), func(t *testing.T) {
				var out, errOut bytes.Buffer
				a := &app{io: &IOStreams{Out: &out, ErrOut: &errOut, InTTY: tc.interactive, OutTTY: tc.interactive}, lang: "en"}
				a.opts.json = asJSON
				if code := a.report(tc.err); code != tc.code {
					t.Fatalf("code %d, want %d", code, tc.code)
				}
				if tc.stderr == nil && errOut.Len() > 0 {
					t.Fatalf("stderr %q, want none", errOut.String())
				}
				for _, s := range tc.stderr {
					if !strings.Contains(errOut.String(), s) {
						t.Errorf("stderr %q lacks %q", errOut.String(), s)
					}
				}
				for _, s := range tc.noStderr {
					if strings.Contains(errOut.String(), s) {
						t.Errorf("stderr %q shows internals %q", errOut.String(), s)
					}
				}
				// Every failure with --json is one error object on
				// stdout, whether or not stderr has words.
				switch {
				case asJSON && tc.code != ExitOK:
					var e errorJSON
					dec := json.NewDecoder(&out)
					if err := dec.Decode(&e); err != nil || dec.More() || e.Result != "error" || e.ExitCode != tc.code || e.Error == "" {
						t.Fatalf("stdout %q: %+v, %v", out.String(), e, err)
					}
				case out.Len() > 0:
					t.Fatalf("stdout %q, want nothing", out.String())
				}
			})
		}
	}
}

// The first run without a keyring: at most four short lines, plain words,
// one fix command and the demo; the store's internals only in --debug.
func TestKeyringAdvice(t *testing.T) {
	cases := []struct {
		reason string
		want   []string
	}{
		{"no D-Bus session bus: DBUS_SESSION_BUS_ADDRESS is unset and dbus-launch is not installed", []string{"no D-Bus session bus", "dbus-run-session", "gnome-keyring-daemon"}},
		{"no Secret Service on the session bus", []string{"Secret Service", "apt install gnome-keyring"}},
		{"the keyring collection is locked (or its unlock prompt was dismissed)", []string{"locked", "--unlock"}},
		{"the keyring did not answer (a password prompt may be waiting for an answer, or the keyring is locked)", []string{"did not answer"}},
		{"the OS keyring failed", []string{"--debug"}},
	}
	for _, lang := range textLangs {
		for _, tc := range cases {
			t.Run(lang+" "+tc.reason, func(t *testing.T) {
				a := &app{lang: lang}
				msg := a.keyringAdvice(&store.KeyringError{Op: "set", Item: "setupwizard:demo/setupwizard-probe-1", Reason: tc.reason, Err: errors.New("exec: dbus-launch: not found")})
				lines := strings.Split(msg, "\n")
				if len(lines) > 4 {
					t.Fatalf("%d lines:\n%s", len(lines), msg)
				}
				if !strings.Contains(msg, "setupwizard --demo") {
					t.Errorf("no demo hint:\n%s", msg)
				}
				for _, bad := range []string{"probe", "exec:", "dbus-launch: not found"} {
					if strings.Contains(msg, bad) {
						t.Errorf("internals %q shown:\n%s", bad, msg)
					}
				}
				if lang == "en" {
					for _, w := range tc.want {
						if !strings.Contains(msg, w) {
							t.Errorf("lacks %q:\n%s", w, msg)
						}
					}
				}
				for i, l := range lines {
					// The fix line is a command to paste; the others fit
					// 80 columns, the first after "setupwizard: ".
					if i == 0 {
						l = "setupwizard: " + l
					}
					if !strings.Contains(l, "bash -c") && len([]rune(l)) > 80 {
						t.Errorf("long line (%d): %s", len([]rune(l)), l)
					}
				}
				// The fix's own prompt speaks the person's language.
				if strings.Contains(msg, "read -rsp") && !strings.Contains(msg, `"`+a.T("cli.keyring.password_prompt")+`"`) {
					t.Errorf("the fix does not ask in %s:\n%s", lang, msg)
				}
			})
		}
	}
}

// cacheBlindKeyring answers the keyring probe but fails every read of a
// stored cache, as a keyring that locks between two calls does.
type cacheBlindKeyring struct{ *store.MemoryKeyring }

func (k cacheBlindKeyring) Get(service, user string) (string, error) {
	if strings.Contains(user, "probe") {
		return k.MemoryKeyring.Get(service, user)
	}
	return "", errors.New("the keyring collection is locked")
}

// TestStatusJSONKeyringFailsAfterProbe: --status --json whose keyring fails
// once the checks began exits 3 with stdout holding exactly one error
// object, each entry's state in its accounts, and the keyring advice on
// stderr only.
func TestStatusJSONKeyringFailsAfterProbe(t *testing.T) {
	w := newWorld(t)
	kr := store.NewMemoryKeyring()
	w.sopts = []store.Option{store.WithKeyring(kr)}
	w.addAll()
	w.sopts = []store.Option{store.WithKeyring(cacheBlindKeyring{kr})}
	o := w.run("", "--status", "--json")
	if o.code != ExitKeyring {
		t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", o.code, ExitKeyring, o.out, o.errOut)
	}
	var doc errorJSON
	dec := json.NewDecoder(strings.NewReader(o.out))
	if err := dec.Decode(&doc); err != nil || dec.More() || doc.Error != statusKeyring || doc.ExitCode != ExitKeyring {
		t.Fatalf("stdout is not exactly one error object (%v):\n%s", err, o.out)
	}
	lines := doc.Accounts
	if len(lines) != len(accounts()) {
		t.Fatalf("%d status lines, want %d:\n%s", len(lines), len(accounts()), o.out)
	}
	for _, l := range lines {
		if l.State != stateError || l.Error != "keyring" {
			t.Errorf("line %+v, want state error, error keyring", l)
		}
	}
	if !strings.Contains(o.errOut, "setupwizard --demo") {
		t.Errorf("stderr lacks the keyring advice:\n%s", o.errOut)
	}
}

// TestSelfCommand: the fix and the demo hint name the program the way the
// person started it, so the command works when pasted back.
func TestSelfCommand(t *testing.T) {
	for _, tc := range []struct{ program, want string }{
		{"", "setupwizard"},
		{"setupwizard", "setupwizard"},
		{"./setupwizard", "./setupwizard"},
		{"/home/anna/go/bin/setupwizard", "/home/anna/go/bin/setupwizard"},
		{"/tmp/go-build1234567/b001/exe/setupwizard", "go run ./cmd/setupwizard"},
		{"/home/anna/my tools/setupwizard", "'/home/anna/my tools/setupwizard'"},
		{"/tmp/it's/setupwizard", `'/tmp/it'\''s/setupwizard'`},
		{"-setupwizard", "setupwizard"},
	} {
		if got := selfCommand(tc.program); got != tc.want {
			t.Errorf("selfCommand(%q) = %q, want %q", tc.program, got, tc.want)
		}
	}
	a := &app{lang: "en", io: &IOStreams{Program: "./setupwizard"}}
	msg := a.keyringAdvice(&store.KeyringError{Reason: "no D-Bus session bus"})
	for _, want := range []string{"; ./setupwizard'", "without a keyring: ./setupwizard --demo"} {
		if !strings.Contains(msg, want) {
			t.Errorf("lacks %q:\n%s", want, msg)
		}
	}
}

// TestStatusLockedIsBusy: an account that another setupwizard holds past
// the wait is reported as busy (key locked, in words on the line), not as
// an unexpected error and not as expired; the exit is 1 and nothing is
// recorded.
func TestStatusLockedIsBusy(t *testing.T) {
	w := newWorld(t)
	w.sopts = []store.Option{store.WithKeyring(store.NewMemoryKeyring()), store.WithRefreshLockTimeout(50 * time.Millisecond)}
	a := accounts()[0]
	expect(t, w.add(a), ExitOK)
	e := w.entries()[0]
	release, err := w.store().LockRefresh(context.Background(), e.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	o := w.run("", "--status", "--json")
	if o.code != ExitFlow {
		t.Fatalf("exit %d, want %d\n%s%s", o.code, ExitFlow, o.out, o.errOut)
	}
	var doc errorJSON
	if err := json.Unmarshal([]byte(o.out), &doc); err != nil || len(doc.Accounts) != 1 || doc.Error != statusLocked {
		t.Fatalf("stdout is not one error object with one account (%v):\n%s", err, o.out)
	}
	lines := doc.Accounts
	if l := lines[0]; l.State != stateError || l.Error != statusLocked {
		t.Errorf("line %+v, want state error, error %s", l, statusLocked)
	}
	text := w.run("", "--status")
	if !strings.Contains(text.out, "another setupwizard is busy with this account") || strings.Contains(text.out, "unknown") {
		t.Errorf("the status line does not say the account is busy:\n%s", text.out)
	}
	if got := w.entries()[0].Issues; len(got) != 0 {
		t.Errorf("issues %v recorded while the account was busy", got)
	}
}

// TestStatusUnreadableCache: a cache that cannot be read is told in words
// with the command that rewrites it, not as a bare key, and records nothing.
func TestStatusUnreadableCache(t *testing.T) {
	w := newWorld(t)
	kr := store.NewMemoryKeyring()
	w.sopts = []store.Option{store.WithKeyring(kr)}
	a := accounts()[0]
	expect(t, w.add(a), ExitOK)
	e := w.entries()[0]
	if err := kr.Set(store.Service(e.Domain), e.ID, "{not a manifest"); err != nil {
		t.Fatal(err)
	}
	o := w.run("", "--status")
	if o.code != ExitFlow {
		t.Fatalf("exit %d, want %d\n%s%s", o.code, ExitFlow, o.out, o.errOut)
	}
	want := "the saved sign-in cannot be read; sign in again with: setupwizard --reauth --provider " + e.Domain + " --account " + e.UniqueID
	if !strings.Contains(o.out, want) {
		t.Errorf("the status line lacks %q:\n%s", want, o.out)
	}
	if got := w.entries()[0].Issues; len(got) != 0 {
		t.Errorf("issues %v recorded for an unreadable cache", got)
	}
}

// TestUsageHintWrapsAtWords: the "see --help" line after a usage error
// wraps at words on a narrow terminal, in every language (the Polish one
// is wider than 40 columns and was cut by the terminal mid-word).
func TestUsageHintWrapsAtWords(t *testing.T) {
	for _, lang := range textLangs {
		var errOut bytes.Buffer
		a := &app{io: &IOStreams{ErrOut: &errOut, ErrWidth: 40, Program: "setupwizard"}, lang: lang}
		a.report(a.usagef("cli.usage.unknown_flag", "flag", "--reuath"))
		for _, line := range strings.Split(strings.TrimRight(errOut.String(), "\n"), "\n") {
			if w := ansi.StringWidth(line); w > 40 {
				t.Errorf("%s: a line of %d columns: %q\n%s", lang, w, line, errOut.String())
			}
		}
	}
}
