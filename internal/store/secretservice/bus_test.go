package secretservice

import (
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/setupwizard/setupwizard/internal/testenv/keyrings"
)

// TestBusAddress: the named bus, else the user bus when its socket exists,
// else no bus; "autolaunch:" and a plain file at $XDG_RUNTIME_DIR/bus are
// no bus either.
func TestBusAddress(t *testing.T) {
	withSocket := t.TempDir()
	l, err := net.Listen("unix", filepath.Join(withSocket, "bus"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	withFile := t.TempDir()
	if err := os.WriteFile(filepath.Join(withFile, "bus"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	empty := t.TempDir()
	for _, c := range []struct {
		name string
		env  map[string]string
		want string // "" for no bus
	}{
		{"named", map[string]string{"DBUS_SESSION_BUS_ADDRESS": "unix:path=/x/y", "XDG_RUNTIME_DIR": withSocket}, "unix:path=/x/y"},
		{"user bus", map[string]string{"XDG_RUNTIME_DIR": withSocket}, "unix:path=" + filepath.Join(withSocket, "bus")},
		{"autolaunch is unset", map[string]string{"DBUS_SESSION_BUS_ADDRESS": "autolaunch:", "XDG_RUNTIME_DIR": withSocket}, "unix:path=" + filepath.Join(withSocket, "bus")},
		{"no socket", map[string]string{"XDG_RUNTIME_DIR": empty}, ""},
		{"a file is not a bus", map[string]string{"XDG_RUNTIME_DIR": withFile}, ""},
		{"autolaunch and nothing else", map[string]string{"DBUS_SESSION_BUS_ADDRESS": "autolaunch:", "XDG_RUNTIME_DIR": empty}, ""},
		{"relative runtime dir", map[string]string{"XDG_RUNTIME_DIR": "run"}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := BusAddress(func(k string) string { return c.env[k] })
			var nb *NoBusError
			switch {
			case c.want == "" && !errors.As(err, &nb):
				t.Fatalf("BusAddress = %q, %v; want a *NoBusError", got, err)
			case c.want != "" && (err != nil || got != c.want):
				t.Fatalf("BusAddress = %q, %v; want %q", got, err, c.want)
			}
			if c.want == "" && !strings.HasPrefix(err.Error(), "no D-Bus session bus") {
				t.Fatalf("the store matches this text: %q", err)
			}
		})
	}
}

// TestNeverAutolaunch: with no bus named and no user bus, a client call
// fails as "no D-Bus session bus" and runs no dbus-launch, though one is
// first on PATH (godbus's ConnectSessionBus would run it).
func TestNeverAutolaunch(t *testing.T) {
	bin := t.TempDir()
	called := filepath.Join(t.TempDir(), "called")
	script := "#!/bin/sh\ntouch '" + called + "'\nexit 1\n"
	if err := os.WriteFile(filepath.Join(bin, "dbus-launch"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	var c Client
	_, err := c.Get("setupwizard:test", "x")
	var nb *NoBusError
	if !errors.As(err, &nb) || nb.Address != "" {
		t.Fatalf("Get without a bus: %v, want a *NoBusError without an address", err)
	}
	if ServiceRunning() {
		t.Fatal("ServiceRunning without a bus")
	}
	if _, err := os.Stat(called); err == nil {
		t.Fatal("dbus-launch was run")
	}
}

// TestUserBusWithoutService: the user bus at $XDG_RUNTIME_DIR/bus is found
// without DBUS_SESSION_BUS_ADDRESS; ServiceRunning says no and activates
// nothing, though the bus could activate a Secret Service; a client call
// that may activate does (the bus's way of starting the user's keyring).
func TestUserBusWithoutService(t *testing.T) {
	if _, err := exec.LookPath("dbus-daemon"); err != nil {
		t.Skip("dbus-daemon is not installed")
	}
	tmp := t.TempDir()
	run := filepath.Join(tmp, "run")
	services := filepath.Join(tmp, "services")
	for _, d := range []string{run, services} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	activated := filepath.Join(tmp, "activated")
	service := "[D-BUS Service]\nName=org.freedesktop.secrets\nExec=/bin/sh -c \"touch '" + activated + "'; exit 1\"\n"
	if err := os.WriteFile(filepath.Join(services, "org.freedesktop.secrets.service"), []byte(service), 0o600); err != nil {
		t.Fatal(err)
	}
	bus, _, err := keyrings.StartBus(tmp, keyrings.BusConfig("unix:path="+filepath.Join(run, "bus"), services))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = bus.Process.Kill(); _ = bus.Wait() })
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	t.Setenv("XDG_RUNTIME_DIR", run)

	if ServiceRunning() {
		t.Fatal("ServiceRunning on a bus where nothing owns the name")
	}
	if _, err := os.Stat(activated); err == nil {
		t.Fatal("ServiceRunning activated the Secret Service")
	}
	var c Client
	_, err = c.Get("setupwizard:test", "x")
	if err == nil || errors.As(err, new(*NoBusError)) {
		t.Fatalf("Get on the user bus: %v, want the bus's answer (the activated service never registers)", err)
	}
	if _, err := os.Stat(activated); err != nil {
		t.Fatalf("the user bus was not used: %v", err)
	}
}
