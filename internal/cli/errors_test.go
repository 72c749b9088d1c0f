package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

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
				switch {
				case asJSON && tc.stderr != nil:
					var e errorJSON
					if err := json.Unmarshal(out.Bytes(), &e); err != nil || e.Result != "error" || e.ExitCode != tc.code || e.Error == "" {
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
				for _, l := range lines {
					// The fix line is a command to paste; others stay short.
					if !strings.Contains(l, "bash -c") && len([]rune(l)) > 100 {
						t.Errorf("long line (%d): %s", len([]rune(l)), l)
					}
				}
			})
		}
	}
}
