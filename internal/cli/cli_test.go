package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/setupwizard/setupwizard/internal/flow"
	"github.com/setupwizard/setupwizard/internal/loopback"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
	"github.com/setupwizard/setupwizard/internal/providers/registry"
	"github.com/setupwizard/setupwizard/internal/store"
	"github.com/setupwizard/setupwizard/internal/testenv"
	"github.com/setupwizard/setupwizard/internal/ui/frontend"
)

// world is one test's services and config dir: every registered
// service's emulator over real TLS on loopback, the real store (real Secret
// Service under scripts/test).
type world struct {
	t     *testing.T
	ca    *loopback.CA
	emus  map[string]provider.Emulator
	dir   string
	env   map[string]string
	sopts []store.Option
	// prompter, when set, plays the person at the terminal.
	prompter Prompter
	tty      bool
}

// startEmulators starts every registered service's emulator with a new
// CA; they stop when t ends.
func startEmulators(t *testing.T) (*loopback.CA, registry.Emulators) {
	t.Helper()
	ca, err := loopback.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	emus, err := registry.StartEmulators(ca)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(emus.Close)
	return ca, emus
}

func newWorld(t *testing.T) *world {
	t.Helper()
	ca, emus := startEmulators(t)
	w := &world{t: t, ca: ca, dir: t.TempDir(), emus: emus, env: emus.Env()}
	w.env["SETUPWIZARD_CONFIG_DIR"] = w.dir
	t.Cleanup(w.removeAll)
	return w
}

// removeAll leaves no keyring item behind in the real Secret Service.
func (w *world) removeAll() {
	st, err := store.Open(w.dir, w.sopts...)
	if err != nil {
		return
	}
	es, _ := st.Entries(context.Background())
	for _, e := range es {
		_ = st.Remove(context.Background(), e.ID)
	}
}

type outcome struct {
	code        int
	out, errOut string
}

func (w *world) run(stdin string, args ...string) outcome {
	w.t.Helper()
	return w.runEnv(nil, stdin, args...)
}

// runEnv runs with extra environment variables.
func (w *world) runEnv(extra map[string]string, stdin string, args ...string) outcome {
	w.t.Helper()
	var out, errOut bytes.Buffer
	a := &app{
		io: &IOStreams{In: strings.NewReader(stdin), Out: &out, ErrOut: &errOut, InTTY: w.tty, OutTTY: w.tty},
		getenv: func(k string) string {
			if v, ok := extra[k]; ok {
				return v
			}
			return w.env[k]
		},
		rootCAs:   w.ca.Pool,
		storeOpts: w.sopts,
		prompter:  w.prompter,
	}
	code := a.run(context.Background(), args)
	return outcome{code, out.String(), errOut.String()}
}

func (w *world) store() *store.Store {
	st, err := store.Open(w.dir, w.sopts...)
	if err != nil {
		w.t.Fatal(err)
	}
	return st
}

func (w *world) entries() []store.Entry {
	es, err := w.store().Entries(context.Background())
	if err != nil {
		w.t.Fatal(err)
	}
	return es
}

func (w *world) cache(id string) []byte {
	c, _, err := w.store().LoadCache(context.Background(), id)
	if err != nil {
		w.t.Fatal(err)
	}
	return c
}

// account is one registered service's demo user, from the registry.
type account struct {
	provider, login, password, uid string
}

// accounts lists every registered service's demo account.
func accounts() []account {
	var out []account
	ca, err := loopback.NewCA()
	if err != nil {
		panic(err)
	}
	emus, err := registry.StartEmulators(ca)
	if err != nil {
		panic(err)
	}
	defer emus.Close()
	for _, d := range registry.Domains() {
		login, pw := emus[d].Demo()
		out = append(out, account{provider: d, login: login, password: pw, uid: provider.Slugify(login)})
	}
	return out
}

// expire makes a's stored grant unusable on the service's side.
func (w *world) expire(a account) { w.emus[a.provider].Expire() }

func (w *world) add(a account) outcome {
	w.t.Helper()
	return w.run(a.password+"\n", "--provider", a.provider, "-u", a.login, "--password-stdin")
}

// addAll adds every registered service's demo account and returns them.
func (w *world) addAll() []account {
	w.t.Helper()
	all := accounts()
	for _, a := range all {
		expect(w.t, w.add(a), ExitOK)
	}
	return all
}

// displayName is a service's name as the CLI prints it.
func displayName(domain string) string {
	return (&app{lang: "en"}).displayName(domain)
}

func expect(t *testing.T, o outcome, code int, wants ...string) {
	t.Helper()
	if o.code != code {
		t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", o.code, code, o.out, o.errOut)
	}
	for _, want := range wants {
		if !strings.Contains(o.out+o.errOut, want) {
			t.Fatalf("output lacks %q\nstdout: %s\nstderr: %s", want, o.out, o.errOut)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	w := &world{t: t, env: map[string]string{"SETUPWIZARD_CONFIG_DIR": t.TempDir()}, ca: &loopback.CA{}}
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--nope"}, "unknown flag"},
		{[]string{"-x"}, "unknown flag: -x"},
		{[]string{"--timeout"}, "--timeout needs a value"},
		{[]string{"--timeout", "soon"}, `--timeout: "soon" is not a valid value`},
		{[]string{"--list", "--status"}, "exclude each other"},
		{[]string{"--remove"}, "--remove needs --account"},
		{[]string{"--password-stdin"}, "needs -u/--username"},
		{[]string{"--list", "-u", "x"}, "-u/--username goes with adding an account"},
		{[]string{"--timeout", "0s"}, "--timeout must be positive"},
		{[]string{"--yes"}, "--yes goes with --remove"},
		{[]string{"--provider", "nest"}, `unknown provider "nest"`},
		{[]string{"stray"}, `unexpected argument "stray"`},
		{[]string{"--demo", "--list"}, "the demo offers --list in its menu after the sign-in: run 'setupwizard --demo' alone"},
		{[]string{"--demo", "--remove", "--account", "x"}, "the demo offers --remove in its menu"},
		{[]string{"--token", "--list"}, "--list, --token exclude each other"},
		{[]string{"--token", "-u", "x"}, "-u/--username goes with"},
		{[]string{"--status", "--account", " "}, "--account needs an account"},
		{[]string{"--remove", "--yes", "--account", "\t"}, "--account needs an account"},
		{[]string{"--provider", "NEST"}, `unknown provider "NEST"`},
		{[]string{"-u", "x", "--password-stdin"}, "needs --provider"},
		{[]string{"--account", "x"}, "--account goes with --reauth"},
		{[]string{"--demo", "--account", "x"}, "goes with"},
		{[]string{"--json"}, "--json needs --password-stdin"},
		{[]string{"--reauth", "--json"}, "--json needs --password-stdin"},
		// pflag lets the last win: a repeated flag is refused instead.
		{[]string{"--token", "--account", "a", "--account", "b"}, "--account was given more than once"},
		{[]string{"--provider", "librus", "--provider=flameconnect"}, "--provider was given more than once"},
		{[]string{"-u", "a", "--username", "b", "--provider", "librus", "--password-stdin"}, "-u/--username was given more than once"},
		{[]string{"--list", "--list"}, "--list was given more than once"},
		{[]string{"--remove", "--account", "x", "--yes", "--yes=false"}, "--yes was given more than once"},
		{[]string{"--timeout", "1s", "--timeout", "2s"}, "--timeout was given more than once"},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			expect(t, w.run("pw\n", tc.args...), ExitUsage, tc.want)
		})
	}
}

func TestUsageErrorAsJSON(t *testing.T) {
	w := &world{t: t, env: map[string]string{}, ca: &loopback.CA{}}
	o := w.run("", "--list", "--status", "--json")
	expect(t, o, ExitUsage)
	var e errorJSON
	if err := json.Unmarshal([]byte(o.out), &e); err != nil || e.Result != "error" || e.ExitCode != ExitUsage || e.Error != keyUsage || !strings.Contains(e.Message, "exclude each other") {
		t.Fatalf("stdout %q: %+v, %v", o.out, e, err)
	}
}

// ctrl+c while a script has not written the password yet: exit 130 at
// once, not a wait for standard input to close.
func TestSignalWhileWaitingForPasswordStdin(t *testing.T) {
	w := newWorld(t)
	w.sopts = []store.Option{store.WithKeyring(store.NewMemoryKeyring())}
	pr, pw := io.Pipe()
	defer pw.Close()
	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut bytes.Buffer
	a := &app{
		io:        &IOStreams{In: pr, Out: &out, ErrOut: &errOut},
		getenv:    func(k string) string { return w.env[k] },
		rootCAs:   w.ca.Pool,
		storeOpts: w.sopts,
	}
	done := make(chan int, 1)
	acct := accounts()[0]
	go func() {
		done <- a.run(ctx, []string{"--provider", acct.provider, "-u", acct.login, "--password-stdin"})
	}()
	cancel()
	if code := <-done; code != ExitCancelled {
		t.Fatalf("exit %d, want 130; stderr %s", code, errOut.String())
	}
	if es := w.entries(); len(es) != 0 {
		t.Fatalf("entries: %+v", es)
	}
}

func TestFormResultJSONNamesProvider(t *testing.T) {
	w := newWorld(t)
	w.sopts = []store.Option{store.WithKeyring(store.NewMemoryKeyring())}
	a := accounts()[0]
	o := w.run("wrong-pass-7Qx\n", "--provider", strings.ToUpper(a.provider), "-u", a.login, "--password-stdin", "--json")
	var res errorJSON
	if err := json.Unmarshal([]byte(o.out), &res); err != nil || res.Provider != a.provider || res.Result != "error" {
		t.Fatalf("%+v, %v\n%s", res, err, o.out)
	}
}

func TestFiltersMatchingNothing(t *testing.T) {
	w := newWorld(t)
	w.sopts = []store.Option{store.WithKeyring(store.NewMemoryKeyring())}
	expect(t, w.run("", "--list", "--account", "ghost"), ExitOK, "No accounts configured")
	expect(t, w.add(accounts()[0]), ExitOK)
	for _, args := range [][]string{{"--list"}, {"--list", "--json"}, {"--status"}, {"--status", "--json"}} {
		o := w.run("", append(args, "--account", "ghost")...)
		expect(t, o, ExitFlow, "no account matches --account ghost")
		if strings.Contains(o.out, "No accounts configured") {
			t.Fatalf("%v claims there are no accounts:\n%s", args, o.out)
		}
		if contains(args, "--json") {
			var e errorJSON
			if err := json.Unmarshal([]byte(o.out), &e); err != nil || e.Result != "error" || e.ExitCode != ExitFlow {
				t.Fatalf("%v: stdout is not one error object: %v\n%s", args, err, o.out)
			}
		}
	}
}

func TestHelpAndVersion(t *testing.T) {
	w := &world{t: t, env: map[string]string{}, ca: &loopback.CA{}}
	expect(t, w.run("", "--help"), ExitOK, "--password-stdin", "Exit codes")
	expect(t, w.run("", "--version"), ExitOK, "setupwizard ")
}

func TestNoTerminalNeedsPasswordStdin(t *testing.T) {
	w := &world{t: t, env: map[string]string{"SETUPWIZARD_CONFIG_DIR": t.TempDir()}, ca: &loopback.CA{}}
	for _, args := range [][]string{{}, {"--provider", accounts()[0].provider}, {"--reauth"}} {
		o := w.run("", args...)
		expect(t, o, ExitUsage, "--password-stdin")
	}
	if es, _ := os.ReadDir(w.env["SETUPWIZARD_CONFIG_DIR"]); len(es) > 0 {
		t.Fatalf("a refused run wrote %d files", len(es))
	}
}

func TestPasswordStdinInput(t *testing.T) {
	cases := []struct {
		name, in string
		ok       bool
		want     string
		err      error
	}{
		{"plain", "pw\n", true, "pw", nil},
		{"crlf", "pw\r\n", true, "pw", nil},
		{"no newline", "pw", true, "pw", nil},
		{"spaces kept", " p w \n", true, " p w ", nil},
		{"only first line", "pw\nsecond\n", true, "pw", nil},
		{"empty line", "\n", false, "", errPasswordEmpty},
		{"nothing", "", false, "", errPasswordEmpty},
		{"oversized", strings.Repeat("x", 5000) + "\n", false, "", errPasswordTooLong},
		{"exactly max", strings.Repeat("x", 1024) + "\n", true, strings.Repeat("x", 1024), nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readPassword(strings.NewReader(tc.in))
			if tc.ok && (err != nil || got != tc.want) {
				t.Fatalf("readPassword = %q, %v; want %q", got, err, tc.want)
			}
			if !tc.ok && !errors.Is(err, tc.err) {
				t.Fatalf("readPassword err = %v, want %v", err, tc.err)
			}
		})
	}
}

func TestScriptedAddAndDuplicate(t *testing.T) {
	testenv.RealKeyring(t)
	for _, a := range accounts() {
		t.Run(a.provider, func(t *testing.T) {
			w := newWorld(t)
			expect(t, w.add(a), ExitOK, "Added your "+displayName(a.provider), "Step 1 of")
			es := w.entries()
			if len(es) != 1 || es[0].UniqueID != a.uid || es[0].Domain != a.provider {
				t.Fatalf("entries = %+v", es)
			}
			if len(w.cache(es[0].ID)) == 0 {
				t.Fatal("empty token cache in the keyring")
			}
			expect(t, w.add(a), ExitFlow, "(already_configured)")
			if n := len(w.entries()); n != 1 {
				t.Fatalf("duplicate made %d entries", n)
			}
		})
	}
}

func TestScriptedWrongPasswordJSON(t *testing.T) {
	testenv.RealKeyring(t)
	w := newWorld(t)
	for _, a := range accounts() {
		o := w.run("wrong-pass-7Qx\n", "--provider", a.provider, "-u", a.login, "--password-stdin", "--json")
		expect(t, o, ExitFlow)
		var res errorJSON
		if err := json.Unmarshal([]byte(o.out), &res); err != nil {
			t.Fatalf("%s: --json output: %v\n%s", a.provider, err, o.out)
		}
		if res.Result != "error" || res.Error != provider.KeyInvalidAuth || res.ExitCode != ExitFlow || res.Errors[flow.Base] != provider.KeyInvalidAuth {
			t.Fatalf("%s: result = %+v", a.provider, res)
		}
		if strings.Contains(o.out+o.errOut, "wrong-pass-7Qx") {
			t.Fatalf("%s: password in output", a.provider)
		}
	}
	if es := w.entries(); len(es) != 0 {
		t.Fatalf("failed sign-ins saved %d entries", len(es))
	}
}

func TestStatusExpiredThenReauth(t *testing.T) {
	testenv.RealKeyring(t)
	for _, a := range accounts() {
		t.Run(a.provider, func(t *testing.T) {
			w := newWorld(t)
			expect(t, w.add(a), ExitOK)
			expect(t, w.run("", "--status"), ExitOK, "signed in")

			w.expire(a)
			o := w.run("", "--status")
			expect(t, o, ExitExpired, "has expired", "setupwizard --reauth --provider "+a.provider+" --account "+a.uid)
			if !w.entries()[0].HasIssue(store.IssueAuthExpired) {
				t.Fatal("--status did not record auth_expired")
			}
			var list []entryJSON
			if err := json.Unmarshal([]byte(w.run("", "--list", "--json").out), &list); err != nil || len(list) != 1 || len(list[0].Issues) != 1 || list[0].Issues[0] != "auth_expired" {
				t.Fatalf("--list --json = %+v, %v", list, err)
			}

			// The login defaults to the entry's; --account selects by login.
			o = w.run(a.password+"\n", "--reauth", "--account", strings.ToUpper(a.login), "--password-stdin")
			expect(t, o, ExitOK, "Signed in to "+displayName(a.provider)+" again")
			es := w.entries()
			if len(es) != 1 || es[0].HasIssue(store.IssueAuthExpired) {
				t.Fatalf("after reauth: %+v", es)
			}
			expect(t, w.run("", "--status", "--account", a.uid), ExitOK, "signed in")
		})
	}
}

func TestReauthWrongAccountAndFailureLeaveCache(t *testing.T) {
	testenv.RealKeyring(t)
	w := newWorld(t)
	a := accounts()[0]
	expect(t, w.add(a), ExitOK)
	e := w.entries()[0]
	before := w.cache(e.ID)

	w.emus[a.provider].AddAccount("other@example.com", "other-pass-9Zk")
	expect(t, w.run("other-pass-9Zk\n", "--reauth", "-u", "other@example.com", "--password-stdin"), ExitFlow, "(wrong_account)")
	if after := w.cache(e.ID); !bytes.Equal(before, after) {
		t.Fatal("wrong_account changed the cache")
	}
	expect(t, w.run("wrong-pass-7Qx\n", "--reauth", "--password-stdin"), ExitFlow, "(invalid_auth)")
	if after := w.cache(e.ID); !bytes.Equal(before, after) {
		t.Fatal("a failed reauth changed the cache")
	}
	if n := len(w.entries()); n != 1 {
		t.Fatalf("reauth made %d entries", n)
	}
}

func TestStatusNetworkTroubleChangesNothing(t *testing.T) {
	testenv.RealKeyring(t)
	w := newWorld(t)
	a := accounts()[len(accounts())-1]
	expect(t, w.add(a), ExitOK)
	_ = w.emus[a.provider].Close()
	o := w.run("", "--status", "--json")
	expect(t, o, ExitFlow)
	var doc errorJSON
	if err := json.Unmarshal([]byte(o.out), &doc); err != nil || doc.Error != provider.KeyCannotConnect {
		t.Fatalf("status = %+v, %v\n%s", doc, err, o.out)
	}
	if st := doc.Accounts; len(st) != 1 || st[0].State != "error" || st[0].Error != provider.KeyCannotConnect {
		t.Fatalf("status = %+v", st)
	}
	if w.entries()[0].HasIssue(store.IssueAuthExpired) {
		t.Fatal("a network failure recorded auth_expired")
	}
}

func TestRemoveLeavesNoKeyringItem(t *testing.T) {
	testenv.RealKeyring(t)
	w := newWorld(t)
	expect(t, w.add(accounts()[0]), ExitOK)
	e := w.entries()[0]
	expect(t, w.run("", "--remove", "--account", "nobody", "--yes"), ExitFlow, "no account matches")
	expect(t, w.run("", "--remove", "--account", e.UniqueID), ExitUsage, "needs --yes")
	expect(t, w.run("", "--remove", "--account", e.UniqueID, "--yes"), ExitOK, "Removed")
	if n := len(w.entries()); n != 0 {
		t.Fatalf("%d entries left", n)
	}
	if _, _, err := w.store().LoadCache(context.Background(), e.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("cache after remove: %v", err)
	}
	expect(t, w.run("", "--list"), ExitOK, "No accounts configured")
}

// failingKeyring fails every call with its err.
type failingKeyring struct{ err error }

func (k failingKeyring) Get(string, string) (string, error) { return "", k.err }
func (k failingKeyring) Set(string, string, string) error   { return k.err }
func (k failingKeyring) Delete(string, string) error        { return k.err }

var errNoService = errors.New("the name org.freedesktop.secrets was not provided by any .service files")

// brokenKeyring fails like a session without a Secret Service.
var brokenKeyring = failingKeyring{errNoService}

func TestKeyringUnavailableExits3(t *testing.T) {
	w := newWorld(t)
	w.sopts = []store.Option{store.WithKeyring(brokenKeyring)}
	a := accounts()[0]
	o := w.run(a.password+"\n", "--provider", a.provider, "-u", a.login, "--password-stdin")
	expect(t, o, ExitKeyring, "Secret Service")
	if es := w.entries(); len(es) != 0 {
		t.Fatalf("entries written without a keyring: %+v", es)
	}
}

func TestKeyringProbedWhileTyping(t *testing.T) {
	w := newWorld(t)
	w.sopts = []store.Option{store.WithKeyring(brokenKeyring)}
	w.prompter, w.tty = &fakePrompter{typing: true}, true
	for _, args := range [][]string{{}, {"--provider", accounts()[0].provider}} {
		expect(t, w.run("", args...), ExitKeyring, "Secret Service", "setupwizard --demo")
	}
}

func TestDebugTraceRedactsSecrets(t *testing.T) {
	testenv.RealKeyring(t)
	for _, a := range accounts() {
		t.Run(a.provider, func(t *testing.T) {
			w := newWorld(t)
			tr := filepath.Join(t.TempDir(), "trace.log")
			expect(t, w.run("wrong-pass-7Qx\n", "--provider", a.provider, "-u", a.login, "--password-stdin", "--debug", tr), ExitFlow)
			expect(t, w.run(a.password+"\n", "--provider", a.provider, "-u", a.login, "--password-stdin", "--debug", tr+"2"), ExitOK)
			cache := w.cache(w.entries()[0].ID)
			for _, f := range []string{tr, tr + "2"} {
				b, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				if len(b) == 0 || !strings.Contains(string(b), "POST") {
					t.Fatalf("%s: trace has no requests", f)
				}
				for _, secret := range append([]string{"wrong-pass-7Qx", a.password}, secretsIn(cache)...) {
					if strings.Contains(string(b), secret) {
						t.Fatalf("%s: trace holds a secret (%d bytes)", f, len(secret))
					}
				}
				if fi, _ := os.Stat(f); fi.Mode().Perm() != 0o600 {
					t.Fatalf("trace mode %v", fi.Mode().Perm())
				}
			}
		})
	}
}

// secretsIn pulls every long string value out of a token cache: tokens,
// cookie values.
func secretsIn(cache []byte) []string {
	var v any
	if json.Unmarshal(cache, &v) != nil {
		return nil
	}
	var out []string
	var walk func(any, string)
	walk = func(x any, key string) {
		switch x := x.(type) {
		case map[string]any:
			for k, y := range x {
				walk(y, k)
			}
		case []any:
			for _, y := range x {
				walk(y, key)
			}
		case string:
			switch strings.ToLower(key) {
			case "secret", "value":
				if len(x) >= 12 {
					out = append(out, x)
				}
			}
		}
	}
	walk(v, "")
	return out
}

// fakePrompter answers as a person would.
type fakePrompter struct {
	pick    int
	confirm bool
	picked  []string
	// typing makes RunFlow wait like a person at the form until the
	// command cancels it.
	typing bool
}

func (f *fakePrompter) RunFlow(ctx context.Context, _ []provider.Provider, _ func(provider.Provider) (*flow.Flow, error)) (flow.Result, error) {
	if f.typing {
		<-ctx.Done()
	}
	return flow.Result{}, frontend.ErrCancelled
}

func (f *fakePrompter) PickAccount(_ context.Context, p frontend.Pick) (int, error) {
	f.picked = nil
	for _, a := range p.Accounts {
		f.picked = append(f.picked, a.Label)
	}
	return f.pick, nil
}

func (f *fakePrompter) Confirm(context.Context, string) (bool, error) { return f.confirm, nil }

func TestInteractivePickAndConfirm(t *testing.T) {
	testenv.RealKeyring(t)
	w := newWorld(t)
	w.addAll()
	fp := &fakePrompter{pick: 1}
	w.prompter, w.tty = fp, true
	// Every entry matches --reauth: the picker shows them all; the flow is
	// cancelled.
	expect(t, w.run("", "--reauth"), ExitCancelled)
	if len(fp.picked) != len(accounts()) {
		t.Fatalf("picker items = %q", fp.picked)
	}
	// --remove asks; "no" keeps the entry.
	// Declining is cancelling: exit 130.
	last := accounts()[len(accounts())-1]
	expect(t, w.run("", "--remove", "--account", last.uid), ExitCancelled, "Nothing removed")
	fp.confirm = true
	expect(t, w.run("", "--remove", "--account", last.uid), ExitOK, "Removed the "+displayName(last.provider))
	if n := len(w.entries()); n != len(accounts())-1 {
		t.Fatalf("%d entries", n)
	}
}

func TestReauthSelection(t *testing.T) {
	testenv.RealKeyring(t)
	w := newWorld(t)
	expect(t, w.run("pw\n", "--reauth", "--password-stdin"), ExitFlow, "no accounts configured")
	w.addAll()
	expect(t, w.run("pw\n", "--reauth", "--password-stdin"), ExitUsage, fmt.Sprintf("%d accounts match", len(accounts())))
	expect(t, w.run("pw\n", "--reauth", "--account", "ghost", "--password-stdin"), ExitFlow, "no account matches --account ghost")
}

// runNoCA runs without emulators (flag-only tests).
func (w *world) runNoCA(stdin string, args ...string) outcome {
	w.t.Helper()
	var out, errOut bytes.Buffer
	a := &app{
		io:     &IOStreams{In: strings.NewReader(stdin), Out: &out, ErrOut: &errOut},
		getenv: func(k string) string { return w.env[k] },
	}
	code := a.run(context.Background(), args)
	return outcome{code, out.String(), errOut.String()}
}

func registryDomains() []string { return registry.Domains() }
