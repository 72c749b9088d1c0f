package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/setupwizard/setupwizard/internal/flow"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
	"github.com/setupwizard/setupwizard/internal/store"
)

// TestFailureJSON: every command's failure with --json prints exactly one
// object on stdout with result "error", the error key and the exit code
// (docs/cli.md, "Failures with --json"), and the process exits with that
// code. The extras a command adds (a sign-in's step and field errors,
// --status's accounts) are checked where they matter.
func TestFailureJSON(t *testing.T) {
	all := accounts()
	first, last := all[0], all[len(all)-1]
	cases := []struct {
		name  string
		setup func(w *world)
		stdin string
		args  []string
		code  int
		key   string
		// tty plays a person at a terminal with fp.
		fp *fakePrompter
		// cancel cancels the run's context once it waits for stdin.
		cancel bool
		check  func(t *testing.T, e errorJSON)
	}{
		{name: "add invalid_auth", stdin: "wrong-pass-7Qx\n", args: []string{"--provider", first.provider, "-u", first.login, "--password-stdin"},
			code: ExitFlow, key: provider.KeyInvalidAuth, check: func(t *testing.T, e errorJSON) {
				if e.Step != flow.StepUser || e.Errors[flow.Base] != provider.KeyInvalidAuth || e.Provider != first.provider || e.Message == "" {
					t.Errorf("the sign-in's fields are missing: %+v", e)
				}
			}},
		{name: "add abort already_configured", setup: func(w *world) { expect(w.t, w.add(first), ExitOK) },
			stdin: first.password + "\n", args: []string{"--provider", first.provider, "-u", first.login, "--password-stdin"},
			code: ExitFlow, key: flow.AbortAlreadyConfigured, check: func(t *testing.T, e errorJSON) {
				if e.Reason != flow.AbortAlreadyConfigured {
					t.Errorf("reason %q", e.Reason)
				}
			}},
		{name: "add empty password line", stdin: "\n", args: []string{"--provider", first.provider, "-u", first.login, "--password-stdin"},
			code: ExitUsage, key: keyUsage},
		{name: "add cancelled", args: []string{"--provider", first.provider, "-u", first.login, "--password-stdin"}, cancel: true,
			code: ExitCancelled, key: keyCancelled},
		{name: "reauth invalid_auth", setup: func(w *world) { expect(w.t, w.add(last), ExitOK) },
			stdin: "wrong-pass-7Qx\n", args: []string{"--reauth", "--password-stdin"},
			code: ExitFlow, key: provider.KeyInvalidAuth, check: func(t *testing.T, e errorJSON) {
				if e.Step != flow.StepReauthConfirm {
					t.Errorf("step %q", e.Step)
				}
			}},
		{name: "reauth abort wrong_account", setup: func(w *world) {
			expect(w.t, w.add(first), ExitOK)
			w.emus[first.provider].AddAccount("other@example.com", "other-pass-9Zk")
		}, stdin: "other-pass-9Zk\n", args: []string{"--reauth", "-u", "other@example.com", "--password-stdin"},
			code: ExitFlow, key: flow.AbortWrongAccount, check: func(t *testing.T, e errorJSON) {
				if e.Entry == nil || e.Entry.UniqueID != first.uid {
					t.Errorf("entry %+v, want the entry that was kept", e.Entry)
				}
			}},
		{name: "reauth no accounts", stdin: "pw\n", args: []string{"--reauth", "--password-stdin"}, code: ExitFlow, key: keyNoAccounts},
		{name: "status no accounts", args: []string{"--status"}, code: ExitFlow, key: keyNoAccounts},
		{name: "status no match", setup: func(w *world) { expect(w.t, w.add(first), ExitOK) },
			args: []string{"--status", "--account", "ghost"}, code: ExitFlow, key: "no_match"},
		{name: "status expired", setup: func(w *world) { expect(w.t, w.add(first), ExitOK); w.expire(first) },
			args: []string{"--status"}, code: ExitExpired, key: store.IssueAuthExpired, check: func(t *testing.T, e errorJSON) {
				if len(e.Accounts) != 1 || e.Accounts[0].State != stateExpired || e.Accounts[0].Reauth == "" {
					t.Errorf("accounts %+v", e.Accounts)
				}
			}},
		{name: "status service down", setup: func(w *world) { expect(w.t, w.add(first), ExitOK); _ = w.emus[first.provider].Close() },
			args: []string{"--status"}, code: ExitFlow, key: provider.KeyCannotConnect},
		{name: "status keyring", setup: func(w *world) {
			expect(w.t, w.add(first), ExitOK)
			w.sopts = []store.Option{store.WithKeyring(brokenKeyring)}
		},
			args: []string{"--status"}, code: ExitKeyring, key: keyKeyring},
		{name: "token no accounts", args: []string{"--token"}, code: ExitFlow, key: keyNoAccounts},
		{name: "token expired", setup: func(w *world) {
			// A cached access token outlives its grant: the cache gets
			// one near its end, so --token must refresh, and fails.
			expect(w.t, w.add(first), ExitOK)
			shortLived(w.t, w, first)
			w.expire(first)
		},
			args: []string{"--token"}, code: ExitExpired, key: store.IssueAuthExpired},
		{name: "token after status recorded the expiry", setup: func(w *world) {
			// The cached credential would still be accepted, but the
			// service has said the sign-in is dead: no cached answer.
			expect(w.t, w.add(first), ExitOK)
			w.expire(first)
			expect(w.t, w.run("", "--status"), ExitExpired)
		}, args: []string{"--token"}, code: ExitExpired, key: store.IssueAuthExpired},
		{name: "token service down", setup: func(w *world) { expect(w.t, w.add(last), ExitOK); _ = w.emus[last.provider].Close() },
			args: []string{"--token"}, code: ExitFlow, key: provider.KeyCannotConnect},
		{name: "token keyring", setup: func(w *world) {
			expect(w.t, w.add(first), ExitOK)
			w.sopts = []store.Option{store.WithKeyring(brokenKeyring)}
		},
			args: []string{"--token"}, code: ExitKeyring, key: keyKeyring},
		{name: "token several accounts", setup: func(w *world) {
			expect(w.t, w.add(first), ExitOK)
			w.emus[first.provider].AddAccount("second@example.com", "second-pass-4Kq")
			expect(w.t, w.run("second-pass-4Kq\n", "--provider", first.provider, "-u", "second@example.com", "--password-stdin"), ExitOK)
		}, args: []string{"--token"}, code: ExitUsage, key: "several_accounts"},
		{name: "list no match", setup: func(w *world) { expect(w.t, w.add(first), ExitOK) },
			args: []string{"--list", "--account", "ghost"}, code: ExitFlow, key: "no_match"},
		{name: "remove no match", setup: func(w *world) { expect(w.t, w.add(first), ExitOK) },
			args: []string{"--remove", "--account", "ghost", "--yes"}, code: ExitFlow, key: "no_match"},
		{name: "remove needs yes", args: []string{"--remove", "--account", "x"}, code: ExitUsage, key: "needs_yes"},
		{name: "remove declined", setup: func(w *world) { expect(w.t, w.add(first), ExitOK) }, fp: &fakePrompter{},
			args: []string{"--remove", "--account", first.uid}, code: ExitCancelled, key: keyCancelled},
		{name: "remove keyring", setup: func(w *world) {
			expect(w.t, w.add(first), ExitOK)
			w.sopts = []store.Option{store.WithKeyring(brokenKeyring)}
		},
			args: []string{"--remove", "--account", first.uid, "--yes"}, code: ExitKeyring, key: keyKeyring},
		{name: "usage exclusive", args: []string{"--list", "--status"}, code: ExitUsage, key: keyUsage},
		{name: "usage unknown flag before --json", args: []string{"--list", "--bogus"}, code: ExitUsage, key: keyUsage},
		{name: "usage json without password-stdin", args: []string{"--reauth"}, code: ExitUsage, key: keyUsage},
		{name: "keyring on add", setup: func(w *world) { w.sopts = []store.Option{store.WithKeyring(brokenKeyring)} },
			stdin: first.password + "\n", args: []string{"--provider", first.provider, "-u", first.login, "--password-stdin"},
			code: ExitKeyring, key: keyKeyring},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			w.sopts = []store.Option{store.WithKeyring(store.NewMemoryKeyring())}
			if tc.setup != nil {
				tc.setup(w)
			}
			if tc.fp != nil {
				w.prompter, w.tty = tc.fp, true
			}
			o := w.runJSON(t, tc.cancel, tc.stdin, append(tc.args, "--json")...)
			if o.code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", o.code, tc.code, o.out, o.errOut)
			}
			var e errorJSON
			dec := json.NewDecoder(strings.NewReader(o.out))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&e); err != nil || dec.More() {
				t.Fatalf("stdout is not exactly one error object (%v):\n%s", err, o.out)
			}
			if e.Result != "error" || e.Error != tc.key || e.ExitCode != tc.code {
				t.Fatalf("result %q error %q exit_code %d, want error %q %d:\n%s", e.Result, e.Error, e.ExitCode, tc.key, tc.code, o.out)
			}
			if strings.Contains(o.errOut, `"result"`) {
				t.Errorf("stderr carries JSON:\n%s", o.errOut)
			}
			if tc.check != nil {
				tc.check(t, e)
			}
		})
	}
}

// runJSON is run with an optional cancel of the context while the command
// waits for standard input (ctrl+c in a script).
func (w *world) runJSON(t *testing.T, cancel bool, stdin string, args ...string) outcome {
	t.Helper()
	if !cancel {
		return w.run(stdin, args...)
	}
	ctx, stop := context.WithCancel(context.Background())
	stop()
	var out, errOut bytes.Buffer
	a := &app{
		io:        &IOStreams{In: blockingReader{}, Out: &out, ErrOut: &errOut},
		getenv:    func(k string) string { return w.env[k] },
		rootCAs:   w.ca.Pool,
		storeOpts: w.sopts,
	}
	code := a.run(ctx, args)
	return outcome{code, out.String(), errOut.String()}
}

// blockingReader is a standard input nobody writes to.
type blockingReader struct{}

func (blockingReader) Read([]byte) (int, error) { select {} }

// TestStatusNoAccounts: --status with nothing configured is a failure a
// script must see (exit 1, no_accounts), unlike --list, whose empty list is
// an answer.
func TestStatusNoAccounts(t *testing.T) {
	w := newWorld(t)
	w.sopts = []store.Option{store.WithKeyring(store.NewMemoryKeyring())}
	o := w.run("", "--status")
	expect(t, o, ExitFlow, (&app{lang: "en"}).T("cli.entry.none_configured"))
	if o.out != "" {
		t.Errorf("stdout %q, want nothing: the words go to stderr", o.out)
	}
	expect(t, w.run("", "--list"), ExitOK)
}
