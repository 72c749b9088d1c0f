//go:build linux

package e2e

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/setupwizard/setupwizard/e2e/vterm"
	"github.com/setupwizard/setupwizard/internal/testenv/keyrings"
)

// Machines without a desktop (README "Servers and SSH"): no session bus at
// all, a user bus without a Secret Service, a user bus whose keyring is
// locked; dbus-launch on PATH. Every process these tests start, and any
// the binary might start, carries a marker in its environment, so the
// tests can tell what was left running and clean it up.

// markVar marks the processes of one headless scenario.
const markVar = "HEADLESS_E2E_MARK"

// login is a simulated login of a machine without a desktop: its own HOME
// and XDG_RUNTIME_DIR, and the environment of its shells.
type login struct {
	t    *testing.T
	w    *world
	mark string
	home string
	run  string
	// bin is a directory first on PATH (the dbus-launch spy).
	bin string
	// launched is the file the dbus-launch spy appends to when run.
	launched string
	bus      *exec.Cmd
}

func newLogin(t *testing.T, w *world) *login {
	t.Helper()
	var b [8]byte
	_, _ = rand.Read(b[:])
	tmp := t.TempDir()
	l := &login{t: t, w: w, mark: hex.EncodeToString(b[:]), home: filepath.Join(tmp, "home"),
		run: filepath.Join(tmp, "run"), bin: filepath.Join(tmp, "bin"), launched: filepath.Join(tmp, "dbus-launch-ran")}
	for _, d := range []string{l.home, l.run, l.bin} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	// dbus-launch on PATH, as dbus-x11 installs it: the spy records the
	// call, then runs the real one, whose bus would outlive the run.
	if real, err := exec.LookPath("dbus-launch"); err == nil {
		spy := "#!/bin/sh\necho \"$$\" >> '" + l.launched + "'\nexec '" + real + "' \"$@\"\n"
		if err := os.WriteFile(filepath.Join(l.bin, "dbus-launch"), []byte(spy), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(l.cleanup)
	return l
}

// env is a shell's environment in this login: the world's (its config
// dir, emulators and CA) without any bus address or display, with the
// login's HOME, XDG_RUNTIME_DIR and PATH, and the marker.
func (l *login) env(extra ...string) []string {
	var env []string
	for _, kv := range l.w.env() {
		switch k, _, _ := strings.Cut(kv, "="); k {
		case "DBUS_SESSION_BUS_ADDRESS", "DISPLAY", "WAYLAND_DISPLAY", "HOME", "XDG_RUNTIME_DIR", "PATH",
			"XDG_DATA_HOME", "XDG_CONFIG_HOME", "GNOME_KEYRING_CONTROL":
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "HOME="+l.home, "XDG_RUNTIME_DIR="+l.run,
		"PATH="+l.bin+string(os.PathListSeparator)+os.Getenv("PATH"), markVar+"="+l.mark)
	return append(env, extra...)
}

// startUserBus plays systemd's user bus: a dbus-daemon listening at
// $XDG_RUNTIME_DIR/bus, activating gnome-keyring as Debian's session bus
// does when activate is set, else nothing.
func (l *login) startUserBus(activate bool) {
	l.t.Helper()
	dirs := ""
	if activate {
		dirs = "<standard_session_servicedirs/>"
	}
	conf := filepath.Join(l.t.TempDir(), "bus.conf")
	cfg := strings.Replace(keyrings.BusConfig("unix:path="+filepath.Join(l.run, "bus")), "</listen>",
		"</listen>"+dirs, 1)
	if err := os.WriteFile(conf, []byte(cfg), 0o600); err != nil {
		l.t.Fatal(err)
	}
	l.bus = exec.Command("dbus-daemon", "--config-file="+conf, "--nofork", "--print-address=1")
	l.bus.Env = l.env()
	out, err := l.bus.StdoutPipe()
	if err != nil {
		l.t.Fatal(err)
	}
	if err := l.bus.Start(); err != nil {
		l.t.Fatalf("start dbus-daemon: %v", err)
	}
	if _, err := bufio.NewReader(out).ReadString('\n'); err != nil { // listening
		l.t.Fatalf("the user bus did not start: %v", err)
	}
}

// marked lists the live processes carrying this login's marker.
func (l *login) marked() []string {
	var out []string
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		env, err := os.ReadFile(filepath.Join("/proc", e.Name(), "environ"))
		if err != nil || !bytes.Contains(env, []byte("\x00"+markVar+"="+l.mark+"\x00")) && !bytes.HasPrefix(env, []byte(markVar+"="+l.mark+"\x00")) {
			continue
		}
		stat, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:])); len(f) > 0 && f[0] == "Z" {
			continue // exited, not yet reaped by its parent
		}
		cmd, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		out = append(out, fmt.Sprintf("%d %s", pid, strings.TrimSpace(strings.ReplaceAll(string(cmd), "\x00", " "))))
	}
	return out
}

// nothingLeft fails the test if a process of this login still runs (other
// than the programs named running), or dbus-launch was ever run.
func (l *login) nothingLeft(after string, running ...string) {
	l.t.Helper()
	var left []string
	for _, p := range l.marked() {
		if f := strings.Fields(p); len(f) < 2 || !slices.Contains(running, f[1]) {
			left = append(left, p)
		}
	}
	if len(left) > 0 {
		l.t.Errorf("after %s these are left running:\n%s", after, strings.Join(left, "\n"))
	}
	if b, err := os.ReadFile(l.launched); err == nil {
		l.t.Errorf("after %s: dbus-launch was run (pids %s)", after, strings.Fields(string(b)))
	}
}

// cleanup stops the user bus and kills whatever of this login still runs
// (a keyring daemon forks away from the shell that started it).
func (l *login) cleanup() {
	if l.bus != nil {
		_ = l.bus.Process.Kill()
		_ = l.bus.Wait()
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		left := l.marked()
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			l.t.Errorf("could not stop:\n%s", strings.Join(left, "\n"))
			return
		}
		for _, p := range left {
			pid, _ := strconv.Atoi(strings.Fields(p)[0])
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
		time.Sleep(20 * time.Millisecond) // polling /proc for the kills to land
	}
}

// wizard runs the binary in this login without a terminal.
func (l *login) wizard(stdin string, args ...string) result {
	l.t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = l.env()
	return l.exec(cmd, stdin, "setupwizard "+strings.Join(args, " "))
}

// shell runs script in a fresh bash of this login (no rc files), the
// way a new SSH session's command runs.
func (l *login) shell(script string) result {
	l.t.Helper()
	return l.exec(exec.Command("bash", "--norc", "--noprofile", "-c", script), "", "bash -c "+script)
}

func (l *login) exec(cmd *exec.Cmd, stdin, what string) result {
	l.t.Helper()
	if cmd.Env == nil {
		cmd.Env = l.env()
	}
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Start(); err != nil {
		l.t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(2 * exitWait):
		_ = cmd.Process.Kill()
		<-done
		l.t.Fatalf("%s: no exit within %v\n%s%s", what, 2*exitWait, out.String(), errOut.String())
	}
	r := result{code: cmd.ProcessState.ExitCode(), stdout: out.String(), stderr: errOut.String()}
	l.w.outputs = append(l.w.outputs, capture{what: "output of " + what, data: func() []byte { return []byte(r.stdout + r.stderr) }})
	return r
}

// fixOf is the command after "Fix: " in a keyring advice.
func fixOf(stderr string) string {
	for _, l := range strings.Split(stderr, "\n") {
		if c, ok := strings.CutPrefix(l, "Fix: "); ok {
			return c
		}
	}
	return ""
}

// TestNoBusStartsNothing: with no bus named, no user bus and dbus-launch
// on PATH, a sign-in, --status, --token and the demo each run without
// starting a bus (dbus-launch never runs) and leave no process behind; the
// sign-in says there is no session bus, and that without a systemd login
// nothing outlasts one command.
func TestNoBusStartsNothing(t *testing.T) {
	if _, err := exec.LookPath("dbus-launch"); err != nil {
		t.Skipf("dbus-launch is not installed (package dbus-x11; scripts/test installs it): %v", err)
	}
	p := providers[0]
	w := newWorld(t)
	l := newLogin(t, w)

	// Not the service's password: the demo below shows that one.
	r := l.wizard(w.secret("a-password-never-sent")+"\n", "--provider", p.domain, "-u", p.login, "--password-stdin")
	if r.code != 3 {
		t.Fatalf("a sign-in without a bus: exit %d, want 3\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{"this session has no D-Bus session bus", "Fix: ", "dbus-run-session", "nothing outlasts one command"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("the advice lacks %q:\n%s", want, r.stderr)
		}
	}
	l.nothingLeft("a sign-in")

	for _, args := range [][]string{{"--status"}, {"--token", "--account", p.login}, {"--list"}} {
		l.wizard("", args...)
		l.nothingLeft(strings.Join(args, " "))
	}

	// The demo runs, in memory, and starts nothing either.
	tm := w.startProgram(t, "terminal of the demo without a bus", l.env(), cols, rows, binary, "--demo", "--provider", p.domain)
	tm.waitFor("keyring: memory only")
	tm.waitFor(p.text(t, "config.step.user.title", nil))
	l.nothingLeft("the demo's start", binary) // the demo itself runs on
	tm.press(vterm.CtrlC)
	tm.exit(130)
	l.nothingLeft("the demo")
}

// TestUserBusFixLasts: on a login whose user bus ($XDG_RUNTIME_DIR/bus,
// no DBUS_SESSION_BUS_ADDRESS) has no Secret Service, or one the bus
// activated locked, the first sign-in says which, prints a fix and says it
// lasts for the login; the fix, pasted into a shell, asks for a keyring
// password and signs in; then two commands in fresh shells of the same
// login (--status, --token) work without any set-up of their own.
func TestUserBusFixLasts(t *testing.T) {
	needTools(t, "bash", "dbus-daemon", "gnome-keyring-daemon")
	for _, c := range []struct {
		name     string
		activate bool
		words    string
	}{
		{"bus without a Secret Service", false, "nothing provides the Secret Service"},
		{"keyring activated locked", true, "The keyring is locked"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.activate {
				if _, err := os.Stat("/usr/share/dbus-1/services/org.freedesktop.secrets.service"); err != nil {
					t.Skipf("nothing activates a Secret Service here: %v", err)
				}
			}
			p := providers[0]
			w := newWorld(t)
			l := newLogin(t, w)
			l.startUserBus(c.activate)

			r := l.wizard(w.secret(p.password)+"\n", "--provider", p.domain, "-u", p.login, "--password-stdin")
			if r.code != 3 {
				t.Fatalf("the first sign-in: exit %d, want 3\n%s%s", r.code, r.stdout, r.stderr)
			}
			for _, want := range []string{c.words, "New shells of this login share it"} {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("the advice lacks %q:\n%s", want, r.stderr)
				}
			}
			fix := fixOf(r.stderr)
			// The same command again, less what reads standard input: it
			// asks on the terminal, the login filled in.
			if !strings.HasSuffix(fix, "&& "+binary+" --provider "+p.domain+" --username "+p.login) || strings.Contains(fix, "dbus-run-session") {
				t.Fatalf("no lasting fix that runs this program again:\n%s", r.stderr)
			}
			// The README's lasting set-up is this very command.
			if readme := readmeUnlock(t); !strings.HasPrefix(fix, readme+" && ") {
				t.Fatalf("the fix is not README's unlock command %q:\n%s", readme, fix)
			}

			// The fix, pasted into a shell of the login.
			pasteFix(t, w, p, fix, l.env(), "the-login-keyring-password")

			// Two more commands, each from a fresh shell of the login.
			r = l.shell(binary + " --status")
			if r.code != 0 || !strings.Contains(r.stdout, p.login) {
				t.Fatalf("--status from a fresh shell: exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}
			r = l.shell(binary + " --token --account " + p.login)
			if r.code != 0 || strings.TrimSpace(r.stdout) == "" {
				t.Fatalf("--token from a fresh shell: exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}
		})
	}
}

// readmeUnlock is the unlock command README's "Servers and SSH" gives.
func readmeUnlock(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(b), "\n## Servers and SSH\n")
	if !ok {
		t.Fatal("README.md has no section Servers and SSH")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	for _, l := range strings.Split(section, "\n") {
		if strings.HasPrefix(l, "bash -c 'read -rsp") {
			return l
		}
	}
	t.Fatal("README's Servers and SSH gives no unlock command")
	return ""
}

// TestDemoActivatesNothing: on a user bus that would activate
// gnome-keyring, the demo finds no keyring running, keeps its sign-in in
// memory and starts none: only the bus runs after it.
func TestDemoActivatesNothing(t *testing.T) {
	if _, err := os.Stat("/usr/share/dbus-1/services/org.freedesktop.secrets.service"); err != nil {
		t.Skipf("nothing activates a Secret Service here: %v", err)
	}
	p := providers[0]
	w := newWorld(t)
	l := newLogin(t, w)
	l.startUserBus(true)
	tm := w.startProgram(t, "terminal of the demo on a user bus", l.env(), cols, rows, binary, "--demo", "--provider", p.domain)
	tm.waitFor("keyring: memory only")
	tm.waitFor(p.text(t, "config.step.user.title", nil))
	tm.press(vterm.CtrlC)
	tm.exit(130)
	l.nothingLeft("the demo", "dbus-daemon")
}
