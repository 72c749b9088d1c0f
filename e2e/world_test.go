package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/setupwizard/setupwizard/e2e/vterm"
	"github.com/setupwizard/setupwizard/internal/loopback"
	"github.com/setupwizard/setupwizard/internal/providers/registry"
	"github.com/setupwizard/setupwizard/internal/testenv"
)

// buildTags are the tags the binary is built with: the test's own, so the
// binary registers the same services the suite loops over.
var buildTags = ""

// Failure bounds, not synchronisation: every wait ends as soon as the
// screen or the process gets there.
const (
	screenWait = 10 * time.Second
	exitWait   = 10 * time.Second
)

// Terminal size a scenario starts with.
const (
	cols = 80
	rows = 24
)

// world is one scenario's universe: fresh emulators of both services, a CA
// the child trusts through SSL_CERT_FILE, and a config dir of its own. Its
// cleanup scans everything the scenario produced for every password typed.
type world struct {
	t         *testing.T
	configDir string
	caFile    string
	// emus are every registered service's emulator, by domain.
	emus registry.Emulators
	// secrets are every password used in the scenario.
	secrets []string
	// outputs are all terminal logs and scripted stdout/stderr.
	outputs []capture
	// before is the keyring's items at the start, per service.
	before map[string]map[string]bool
	// extraEnv is added to every child's environment (a scenario's own
	// D-Bus session, for one).
	extraEnv []string
}

// capture is one piece of output the child wrote.
type capture struct {
	what string
	data func() []byte
}

func newWorld(t *testing.T) *world {
	t.Helper()
	testenv.RealKeyring(t)
	ca, err := loopback.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	caFile, err := ca.WriteCertFile(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	w := &world{
		t:         t,
		configDir: filepath.Join(t.TempDir(), "config"),
		caFile:    caFile,
		before:    map[string]map[string]bool{},
	}
	if w.emus, err = registry.StartEmulators(ca); err != nil {
		t.Fatal(err)
	}
	for _, p := range providers {
		w.before[p.domain] = itemNames(keyringItems(t, p.domain))
	}
	t.Cleanup(func() {
		w.scanSecrets()
		w.deleteOwnItems()
		w.emus.Close()
	})
	return w
}

// secret registers a password that must appear nowhere, and returns it.
func (w *world) secret(pw string) string {
	w.secrets = append(w.secrets, pw)
	return pw
}

// debugFile is a path for --debug whose content the secret scan covers.
func (w *world) debugFile() string {
	path := filepath.Join(w.t.TempDir(), "debug.log")
	w.t.Cleanup(func() {
		if w.t.Failed() {
			b, _ := os.ReadFile(path)
			w.t.Logf("--debug trace:\n%s", b)
		}
	})
	w.outputs = append(w.outputs, capture{what: "--debug trace " + path, data: func() []byte {
		b, _ := os.ReadFile(path)
		return b
	}})
	return path
}

// env is the child's whole environment: the parent's (so it reaches the
// same D-Bus session and Secret Service) without anything that would change
// the product's behaviour, plus the scenario's settings.
func (w *world) env() []string {
	drop := []string{"SETUPWIZARD_", // the E2E_BINARY and REAL_KEYRING switches too
		"NO_COLOR=", "TERM=", "SSL_CERT_FILE=", "SSL_CERT_DIR=",
		"LANG=", "LANGUAGE=", "LC_", "COLUMNS=", "LINES=", "CI="}
	var env []string
outer:
	for _, kv := range os.Environ() {
		for _, d := range drop {
			if strings.HasPrefix(kv, d) {
				continue outer
			}
		}
		env = append(env, kv)
	}
	env = append(env,
		"TERM=xterm-256color",
		"LANG=C.UTF-8",
		"SETUPWIZARD_CONFIG_DIR="+w.configDir,
		"SSL_CERT_FILE="+w.caFile,
	)
	for k, v := range w.emus.Env() {
		env = append(env, k+"="+v)
	}
	return append(env, w.extraEnv...)
}

// start runs the binary in a fresh 80x24 pty.
func (w *world) start(args ...string) *term {
	w.t.Helper()
	return w.startWith(nil, args...)
}

// result is a run without a terminal.
type result struct {
	code           int
	stdout, stderr string
}

// run runs the binary without a terminal: stdin is the given text, or
// /dev/null when it is empty; stdout and stderr are pipes. Its output joins
// the secret scan.
func (w *world) run(stdin string, args ...string) result {
	w.t.Helper()
	r := w.runQuiet(stdin, args...)
	name := "setupwizard " + strings.Join(args, " ")
	w.outputs = append(w.outputs,
		capture{what: "stdout of " + name, data: func() []byte { return []byte(r.stdout) }},
		capture{what: "stderr of " + name, data: func() []byte { return []byte(r.stderr) }})
	return r
}

// runQuiet is run without recording the output, safe to call from several
// goroutines; the caller scans (or records) the output itself.
func (w *world) runQuiet(stdin string, args ...string) result {
	return w.runQuietEnv(nil, stdin, args...)
}

// runQuietEnv is runQuiet with extra environment (later values win).
func (w *world) runQuietEnv(extra []string, stdin string, args ...string) result {
	cmd := exec.Command(binary, args...)
	cmd.Env = append(w.env(), extra...)
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		return result{code: -1, stderr: "start: " + err.Error()}
	}
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(exitWait):
		_ = cmd.Process.Kill()
		<-done
		return result{code: -1, stdout: out.String(), stderr: fmt.Sprintf("%s\n(killed: no exit within %v)", errOut.String(), exitWait)}
	}
	return result{code: cmd.ProcessState.ExitCode(), stdout: out.String(), stderr: errOut.String()}
}

// mustRun runs without a terminal and insists on the exit code.
func (w *world) mustRun(want int, stdin string, args ...string) result {
	w.t.Helper()
	r := w.run(stdin, args...)
	if r.code != want {
		w.t.Fatalf("setupwizard %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s%s", strings.Join(args, " "), r.code, want, r.stdout, r.stderr, keyringState())
	}
	return r
}

// listed is one entry of --list --json.
type listed struct {
	ID       string   `json:"entry_id"`
	Provider string   `json:"provider"`
	Title    string   `json:"title"`
	UniqueID string   `json:"unique_id"`
	Login    string   `json:"login"`
	Issues   []string `json:"issues"`
}

// list is --list --json.
func (w *world) list() []listed {
	w.t.Helper()
	r := w.mustRun(0, "", "--list", "--json")
	var out []listed
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		w.t.Fatalf("--list --json is not a JSON list of entries: %v\n%s", err, r.stdout)
	}
	return out
}

// entry is the only listed entry of domain; the test fails unless there is
// exactly one.
func (w *world) entry(domain string) listed {
	w.t.Helper()
	var found []listed
	for _, e := range w.list() {
		if e.Provider == domain {
			found = append(found, e)
		}
	}
	if len(found) != 1 {
		w.t.Fatalf("want one %s entry, --list --json has %d: %+v", domain, len(found), found)
	}
	return found[0]
}

// term is a Term whose helpers fail the test instead of returning errors.
type term struct {
	*vterm.Term
	t *testing.T
}

func (tm *term) waitFor(text string) {
	tm.t.Helper()
	if err := tm.WaitFor(text, screenWait); err != nil {
		tm.t.Fatal(err)
	}
}

func (tm *term) typeText(s string) {
	tm.t.Helper()
	if err := tm.Type(s); err != nil {
		tm.t.Fatal(err)
	}
}

func (tm *term) press(key string) { tm.t.Helper(); tm.typeText(key) }

func (tm *term) resize(c, r int) {
	tm.t.Helper()
	if err := tm.Resize(c, r); err != nil {
		tm.t.Fatal(err)
	}
}

// show logs the screen when SETUPWIZARD_E2E_SCREENS is set, to look at
// what a person would see at each step.
func (tm *term) show(label string) {
	tm.t.Helper()
	if os.Getenv("SETUPWIZARD_E2E_SCREENS") != "" {
		tm.t.Logf("%s:\n%s", label, tm.Screen())
	}
}

// exit waits for the program to end and insists on the exit code.
func (tm *term) exit(want int) {
	tm.t.Helper()
	code, err := tm.Wait(exitWait)
	if err != nil {
		tm.t.Fatal(err)
	}
	tm.show(fmt.Sprintf("final screen (exit %d)", code))
	tm.restored()
	if code != want {
		tm.t.Fatalf("exit code %d, want %d; screen:\n%s", code, want, tm.Screen())
	}
}

// startWith is start with extra environment (later values win).
func (w *world) startWith(extra []string, args ...string) *term {
	w.t.Helper()
	what := fmt.Sprintf("terminal of %v setupwizard %s", extra, strings.Join(args, " "))
	return w.startProgram(w.t, what, append(w.env(), extra...), cols, rows, binary, args...)
}

// startProgram runs name with args in a fresh c x r pty with env, closed
// when t ends; what names the terminal's output in w's secret scan.
func (w *world) startProgram(t *testing.T, what string, env []string, c, r int, name string, args ...string) *term {
	t.Helper()
	vt, err := vterm.Start(name, args, env, c, r)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(vt.Close)
	w.outputs = append(w.outputs, capture{what: what, data: vt.Raw})
	return &term{Term: vt, t: t}
}

// restored checks the program gave the terminal back as it found it:
// echo on, main screen, cursor shown, whatever the way it ended.
func (tm *term) restored() {
	tm.t.Helper()
	if on, err := tm.Echo(); err != nil {
		tm.t.Error(err)
	} else if !on {
		tm.t.Error("the program left the terminal's echo off")
	}
	if tm.AltScreen() {
		tm.t.Error("the program left the terminal on the alternate screen")
	}
	if !tm.CursorVisible() {
		tm.t.Error("the program left the cursor hidden")
	}
}

// waitPrompt waits until the last line on screen is the line prompt p.
func (tm *term) waitPrompt(p string) {
	tm.t.Helper()
	if err := tm.WaitUntil("the prompt "+p, func(s string) bool { return vterm.LastLine(s) == p }, screenWait); err != nil {
		tm.t.Fatal(err)
	}
}

// typePassword waits for the line prompt p and for the echo to go off,
// then types password (a secret of w's) and Enter.
func (tm *term) typePassword(w *world, p, password string) {
	tm.t.Helper()
	tm.waitPrompt(p)
	tm.waitNoEcho()
	tm.typeText(w.secret(password) + "\r")
}

// waitNoEcho waits until the program turned the terminal's echo off.
func (tm *term) waitNoEcho() {
	tm.t.Helper()
	err := tm.WaitUntil("echo off", func(string) bool {
		on, err := tm.Echo()
		return err == nil && !on
	}, screenWait)
	if err != nil {
		tm.t.Fatal(err)
	}
}
