package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/setupwizard/setupwizard/internal/testenv/keyrings"
)

// ownKeyring is a D-Bus session bus and gnome-keyring of one scenario's
// own, so the scenario can stop or kill the keyring daemon, or run in
// parallel with others, without touching the suite's keyring.
type ownKeyring struct {
	t    *testing.T
	addr string
	home string
	run  string
	bus  *exec.Cmd
	// daemon is the running gnome-keyring-daemon (nil once killed).
	daemon *exec.Cmd
}

// newOwnKeyring starts the bus and an unlocked keyring; cleanup stops both.
func newOwnKeyring(t *testing.T) *ownKeyring {
	t.Helper()
	if _, err := exec.LookPath("gnome-keyring-daemon"); err != nil {
		t.Skip("gnome-keyring-daemon is not installed")
	}
	tmp := t.TempDir()
	k := &ownKeyring{t: t, home: tmp, run: filepath.Join(tmp, "run")}
	if err := os.Mkdir(k.run, 0o700); err != nil {
		t.Fatal(err)
	}
	// A bus without service directories: once the daemon is killed,
	// a call must fail as it would on a desktop whose keyring died, not
	// start another gnome-keyring by D-Bus activation.
	bus, addr, err := keyrings.StartBus(tmp, keyrings.BusConfig("unix:tmpdir=/tmp"))
	if err != nil {
		t.Fatal(err)
	}
	k.bus, k.addr = bus, addr
	t.Cleanup(func() {
		k.stopDaemon()
		_ = k.bus.Process.Kill()
		_ = k.bus.Wait()
	})
	k.startDaemon()
	return k
}

// env points a child (or secret-tool) at this keyring.
func (k *ownKeyring) env() []string { return []string{"DBUS_SESSION_BUS_ADDRESS=" + k.addr} }

// startDaemon starts gnome-keyring-daemon (again, after a kill: it opens
// the same login keyring from disk) and waits until it owns the Secret
// Service name.
func (k *ownKeyring) startDaemon() {
	k.t.Helper()
	d := exec.Command("gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets")
	d.Env = append(os.Environ(),
		"DBUS_SESSION_BUS_ADDRESS="+k.addr,
		"XDG_RUNTIME_DIR="+k.run,
		"HOME="+k.home,
		"XDG_DATA_HOME="+filepath.Join(k.home, "data"),
	)
	d.Stdin = strings.NewReader("pw")
	if err := d.Start(); err != nil {
		k.t.Fatalf("start gnome-keyring-daemon: %v", err)
	}
	k.daemon = d
	if err := waitForName(k.addr, "org.freedesktop.secrets", 20*time.Second); err != nil {
		k.t.Fatal(err)
	}
	k.t.Cleanup(k.stopDaemon)
}

// killDaemon kills the keyring daemon outright (SIGKILL).
func (k *ownKeyring) killDaemon() { k.stopDaemon() }

func (k *ownKeyring) stopDaemon() {
	if k.daemon == nil {
		return
	}
	_ = k.daemon.Process.Signal(syscall.SIGKILL)
	_ = k.daemon.Wait()
	k.daemon = nil
}

// useKeyring makes every child of w, and w's audits, use k: a fresh
// keyring, so nothing in it predates the world.
func (w *world) useKeyring(k *ownKeyring) {
	w.extraEnv = append(w.extraEnv, k.env()...)
	for d := range w.before {
		w.before[d] = map[string]bool{}
	}
}

// bus is the D-Bus address w's children use ("" for this process's).
func (w *world) bus() string {
	for _, kv := range w.extraEnv {
		if v, ok := strings.CutPrefix(kv, "DBUS_SESSION_BUS_ADDRESS="); ok {
			return v
		}
	}
	return ""
}
