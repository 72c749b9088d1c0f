package secretservice

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/setupwizard/setupwizard/internal/testenv"
	"github.com/zalando/go-keyring"
)

// privateKeyring is a D-Bus session bus and a gnome-keyring of one test's
// own, so the test can restart the daemon or lock its collection without
// disturbing the test packages that share the suite's keyring.
type privateKeyring struct {
	t    *testing.T
	addr string
	dir  string
	kr   *exec.Cmd
}

func startPrivateKeyring(t *testing.T) *privateKeyring {
	t.Helper()
	testenv.RealKeyring(t)
	if k := testenv.Keyring(); k != "gnome-keyring" {
		// It starts a gnome-keyring of its own whatever the environment
		// names: the gnome-keyring pass runs it, another keyring's pass
		// would only run it again.
		t.Skipf("runs its own gnome-keyring, not %s: the gnome-keyring pass covers it", k)
	}
	for _, cmd := range []string{"dbus-daemon", "gnome-keyring-daemon"} {
		if _, err := exec.LookPath(cmd); err != nil {
			t.Fatalf("%s: %v (./scripts/test installs it)", cmd, err)
		}
	}
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "run"), 0o700); err != nil {
		t.Fatal(err)
	}
	bus := exec.Command("dbus-daemon", "--session", "--nofork", "--print-address=1")
	out, err := bus.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := bus.Start(); err != nil {
		t.Fatalf("start dbus-daemon: %v", err)
	}
	t.Cleanup(func() { _ = bus.Process.Kill(); _ = bus.Wait() })
	addr, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("read the bus address: %v", err)
	}
	p := &privateKeyring{t: t, addr: strings.TrimSpace(addr), dir: dir}
	p.start()
	t.Cleanup(p.stop)
	return p
}

// start runs gnome-keyring-daemon, unlocked, keeping its keyrings under
// p.dir (so they survive a restart), and waits until it owns the name.
func (p *privateKeyring) start() {
	p.t.Helper()
	kr := exec.Command("gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets")
	kr.Env = append(os.Environ(),
		"DBUS_SESSION_BUS_ADDRESS="+p.addr,
		"XDG_RUNTIME_DIR="+filepath.Join(p.dir, "run"),
		"HOME="+p.dir,
		"XDG_DATA_HOME="+filepath.Join(p.dir, "data"),
	)
	kr.Stdin = strings.NewReader("pw")
	if err := kr.Start(); err != nil {
		p.t.Fatalf("start gnome-keyring-daemon: %v", err)
	}
	p.kr = kr
	p.waitOwner(true)
}

// stop kills the daemon and waits until its name is released.
func (p *privateKeyring) stop() {
	if p.kr == nil {
		return
	}
	_ = p.kr.Process.Kill()
	_ = p.kr.Wait()
	p.kr = nil
	p.waitOwner(false)
}

// waitOwner waits until org.freedesktop.secrets has an owner (or none),
// from the bus's NameOwnerChanged signal rather than by polling.
func (p *privateKeyring) waitOwner(want bool) {
	p.t.Helper()
	conn, err := dbus.Connect(p.addr)
	if err != nil {
		p.t.Fatalf("connect to the private bus: %v", err)
	}
	defer conn.Close()
	signals := make(chan *dbus.Signal, 16)
	conn.Signal(signals)
	if err := conn.AddMatchSignal(dbus.WithMatchInterface("org.freedesktop.DBus"), dbus.WithMatchMember("NameOwnerChanged"), dbus.WithMatchArg(0, serviceName)); err != nil {
		p.t.Fatalf("watch %s: %v", serviceName, err)
	}
	var has bool
	if err := conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, serviceName).Store(&has); err != nil {
		p.t.Fatalf("ask for %s: %v", serviceName, err)
	}
	deadline := time.After(30 * time.Second)
	for has != want {
		select {
		case s := <-signals:
			if len(s.Body) == 3 {
				owner, _ := s.Body[2].(string)
				has = owner != ""
			}
		case <-deadline:
			p.t.Fatalf("%s owned: %v, want %v after 30 s", serviceName, has, want)
		}
	}
}

// client is a Client on the private bus.
func (p *privateKeyring) client() *Client {
	c := &Client{connect: func() (*dbus.Conn, error) { return dbus.Connect(p.addr) }}
	p.t.Cleanup(func() { _ = c.Close() })
	return c
}

// TestDaemonRestart: the keyring daemon restarts between two calls (the
// bus connection survives, the session does not); the next call opens a
// new session and succeeds. (No call is made while no daemon runs: the
// bus would start one by D-Bus activation, with this process's HOME.)
func TestDaemonRestart(t *testing.T) {
	p := startPrivateKeyring(t)
	c := p.client()
	if err := c.Set(testService, "u", "kept"); err != nil {
		t.Fatal(err)
	}
	p.stop()
	p.start()
	if got, err := c.Get(testService, "u"); err != nil || got != "kept" {
		t.Fatalf("Get after the restart: %q, %v", got, err)
	}
	if n := c.Sessions(); n != 2 {
		t.Fatalf("%d sessions, want 2", n)
	}
}

// TestLockedCollection: a locked collection is unlocked through the
// service's prompt, as go-keyring does. With no prompter on this bus the
// prompt cannot be answered, and the call fails with go-keyring's
// "failed to unlock" text (classified as a locked keyring), never with
// keyring.ErrNotFound or a secret.
func TestLockedCollection(t *testing.T) {
	p := startPrivateKeyring(t)
	c := p.client()
	if err := c.Set(testService, "u", "secret"); err != nil {
		t.Fatal(err)
	}
	fresh := p.client() // a new process: unlocks the collection first
	c.mu.Lock()
	var locked []dbus.ObjectPath
	var prompt dbus.ObjectPath
	err := c.conn.Object(serviceName, servicePath).Call(serviceInterface+".Lock", 0, []dbus.ObjectPath{c.collection}).Store(&locked, &prompt)
	c.mu.Unlock()
	if err != nil || len(locked) != 1 {
		t.Fatalf("Lock: %v %v (prompt %s)", locked, err, prompt)
	}
	for name, get := range map[string]func() (string, error){
		"fresh client":                func() (string, error) { return fresh.Get(testService, "u") },
		"client that unlocked":        func() (string, error) { return c.Get(testService, "u") },
		"write, fresh client":         func() (string, error) { return "", p.client().Set(testService, "u", "x") },
		"delete, fresh client":        func() (string, error) { return "", p.client().Delete(testService, "u") },
		"write, client that unlocked": func() (string, error) { return "", c.Set(testService, "u", "x") },
	} {
		got, err := get()
		t.Logf("%s: %v", name, err)
		if err == nil || got != "" || errors.Is(err, keyring.ErrNotFound) ||
			!(strings.Contains(err.Error(), "failed to unlock") || strings.Contains(err.Error(), "IsLocked")) {
			t.Errorf("%s on a locked collection: %q, %v", name, got, err)
		}
	}
}
