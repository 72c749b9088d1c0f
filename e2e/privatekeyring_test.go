package e2e

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/setupwizard/setupwizard/internal/testenv/keyrings"
)

// privateKeyring starts a D-Bus session bus and an unlocked gnome-keyring
// of the suite's own and points this process (and so every child) at it.
// Other test packages that `go test ./...` runs at the same time use the
// outer session's keyring, so this suite's "no new keyring item" checks
// can't see their writes. It returns a stop function.
func privateKeyring() (func(), error) {
	tmp, err := os.MkdirTemp("", "setupwizard-e2e-keyring-")
	if err != nil {
		return nil, err
	}
	run := filepath.Join(tmp, "run")
	if err := os.Mkdir(run, 0o700); err != nil {
		return nil, err
	}
	var procs []*exec.Cmd
	var killDaemon func()
	stop := func() {
		if killDaemon != nil {
			killDaemon()
		}
		for i := len(procs) - 1; i >= 0; i-- {
			_ = procs[i].Process.Kill()
			_ = procs[i].Wait()
		}
		_ = os.RemoveAll(tmp)
	}

	// A bus that activates nothing (keyrings.BusConfig): should the keyring die,
	// every call fails at once and says so, instead of each one waiting
	// out D-Bus activation of a gnome-keyring that the suite did not set
	// up (two minutes a call).
	bus, addr, err := keyrings.StartBus(tmp, keyrings.BusConfig("unix:tmpdir=/tmp"))
	if err != nil {
		stop()
		return nil, err
	}
	procs = append(procs, bus)

	kr := exec.Command("gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets")
	kr.Env = append(os.Environ(),
		"DBUS_SESSION_BUS_ADDRESS="+addr,
		"XDG_RUNTIME_DIR="+run,
		"HOME="+tmp,
		"XDG_DATA_HOME="+filepath.Join(tmp, "data"),
	)
	kr.Stdin = strings.NewReader("pw")
	logFile, err := os.Create(filepath.Join(tmp, "gnome-keyring.log"))
	if err != nil {
		stop()
		return nil, err
	}
	kr.Stdout, kr.Stderr = logFile, logFile
	if err := kr.Start(); err != nil {
		stop()
		return nil, fmt.Errorf("start gnome-keyring-daemon: %w", err)
	}
	suiteKeyring = &daemonWatch{log: logFile.Name(), exited: make(chan struct{})}
	go func(d *daemonWatch) {
		d.err = kr.Wait()
		close(d.exited)
	}(suiteKeyring)
	killDaemon = func() {
		_ = kr.Process.Kill()
		<-suiteKeyring.exited
		_ = logFile.Close()
		// gnome-keyring's complaints (CRITICAL, ERROR) outlive the suite in
		// its output: they are how a keyring bug the suite ran into is told
		// from a bug of the product's.
		if b, _ := os.ReadFile(logFile.Name()); bytes.Contains(b, []byte("CRITICAL")) || bytes.Contains(b, []byte("ERROR")) {
			fmt.Fprintf(os.Stderr, "e2e: the suite's gnome-keyring-daemon complained:\n%s\n", b)
		}
	}
	if err := waitForName(addr, "org.freedesktop.secrets", 20*time.Second); err != nil {
		stop()
		return nil, err
	}
	// Every process of the suite (this one too) reaches the bus through
	// the shield (keyringShield says why).
	shield, err := startShield(tmp, addr)
	if err != nil {
		stop()
		return nil, fmt.Errorf("start the keyring shield: %w", err)
	}
	os.Setenv("DBUS_SESSION_BUS_ADDRESS", shield.addr)
	return func() { shield.close(); stop() }, nil
}

// waitForName waits until name has an owner on the bus: the keyring is
// ready once it has claimed org.freedesktop.secrets. It listens for the
// bus's NameOwnerChanged signal rather than polling.
func waitForName(addr, name string, timeout time.Duration) error {
	conn, err := dbus.Connect(addr)
	if err != nil {
		return fmt.Errorf("connect to the private bus: %w", err)
	}
	defer conn.Close()
	signals := make(chan *dbus.Signal, 16)
	conn.Signal(signals)
	if err := conn.AddMatchSignal(dbus.WithMatchInterface("org.freedesktop.DBus"), dbus.WithMatchMember("NameOwnerChanged"), dbus.WithMatchArg(0, name)); err != nil {
		return fmt.Errorf("watch %s: %w", name, err)
	}
	var has bool
	if err := conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, name).Store(&has); err != nil {
		return fmt.Errorf("ask for %s: %w", name, err)
	}
	deadline := time.After(timeout)
	for !has {
		select {
		case s := <-signals:
			if len(s.Body) == 3 {
				if owner, _ := s.Body[2].(string); owner != "" {
					has = true
				}
			}
		case <-deadline:
			return errors.New("gnome-keyring did not claim " + name + " within " + timeout.String())
		}
	}
	return nil
}

// daemonWatch knows whether the suite's gnome-keyring-daemon is still
// running, and what it said, so a test that loses the keyring can say why.
type daemonWatch struct {
	log    string
	exited chan struct{}
	err    error // how it ended, once exited is closed
}

// suiteKeyring is the suite's own keyring daemon (nil without one).
var suiteKeyring *daemonWatch

// keyringState describes the suite's keyring daemon for a failure message:
// "" while it runs (or when the suite has none).
func keyringState() string {
	d := suiteKeyring
	if d == nil {
		return ""
	}
	select {
	case <-d.exited:
	default:
		return ""
	}
	b, _ := os.ReadFile(d.log)
	if len(b) > 4096 {
		b = b[len(b)-4096:]
	}
	return fmt.Sprintf("\nthe suite's gnome-keyring-daemon has exited (%v); it printed:\n%s", d.err, b)
}
