package secretservice

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/godbus/dbus/v5"
)

// Which session bus, and never a new one.
//
// godbus's ConnectSessionBus starts a bus of its own through dbus-launch
// when DBUS_SESSION_BUS_ADDRESS is empty and no per-user bus is found; on a
// machine without a desktop that bus, and the keyring D-Bus activates on
// it, outlive the program: every run left two daemons behind
// (README, "Servers and SSH"; docs/storage.md). Here the bus is only ever the one
// the environment names, or the per-login user bus systemd gives every
// login (SSH included) at $XDG_RUNTIME_DIR/bus; with neither, the caller
// is told there is no session bus.

// NoBusError means there is no session bus to reach: none is named and
// there is no user bus, or the named one does not answer. Its text starts
// with "no D-Bus session bus", which the store's classification matches
// (internal/store/errors.go).
type NoBusError struct {
	// Address is the bus address tried, "" when there was none to try.
	Address string
	// Err is why the address could not be used.
	Err error
}

func (e *NoBusError) Error() string {
	if e.Address == "" {
		return "no D-Bus session bus: DBUS_SESSION_BUS_ADDRESS is unset and there is no $XDG_RUNTIME_DIR/bus"
	}
	return fmt.Sprintf("no D-Bus session bus at %s: %v", e.Address, e.Err)
}

func (e *NoBusError) Unwrap() error { return e.Err }

// UserBus is the socket of the per-login user bus, $XDG_RUNTIME_DIR/bus
// (/run/user/UID/bus when XDG_RUNTIME_DIR is unset), or "" where there is
// no such directory to look in.
func UserBus(getenv func(string) string) string {
	dir := getenv("XDG_RUNTIME_DIR")
	if dir == "" {
		dir = fmt.Sprintf("/run/user/%d", os.Getuid())
	}
	if !filepath.IsAbs(dir) {
		return ""
	}
	return filepath.Join(dir, "bus")
}

// BusAddress is the session bus to use: the address DBUS_SESSION_BUS_ADDRESS
// names, else the user bus if its socket exists, else a *NoBusError. It
// never names a bus to be started: "autolaunch:" counts as unset.
func BusAddress(getenv func(string) string) (string, error) {
	if a := strings.TrimSpace(getenv("DBUS_SESSION_BUS_ADDRESS")); a != "" && a != "autolaunch:" {
		return a, nil
	}
	if p := UserBus(getenv); p != "" {
		if fi, err := os.Stat(p); err == nil && fi.Mode()&os.ModeSocket != 0 {
			return "unix:path=" + dbus.EscapeBusAddressValue(p), nil
		}
	}
	return "", &NoBusError{}
}

// connectSessionBus connects to BusAddress's bus. Transports other than
// unix, tcp and nonce-tcp (autolaunch among them) are refused by godbus's
// Connect, so nothing is ever started here.
func connectSessionBus() (*dbus.Conn, error) {
	addr, err := BusAddress(os.Getenv)
	if err != nil {
		return nil, err
	}
	conn, err := dbus.Connect(addr)
	if err != nil {
		return nil, &NoBusError{Address: addr, Err: err}
	}
	return conn, nil
}

// ServiceRunning reports whether a Secret Service owns its name on the
// session bus right now. It starts nothing: no bus, and no D-Bus
// activation of a keyring (NameHasOwner is answered by the bus itself), so
// a caller that only may use a keyring (the demo) can leave the machine as
// it found it.
func ServiceRunning() bool {
	conn, err := connectSessionBus()
	if err != nil {
		return false
	}
	defer func() { _ = conn.Close() }()
	var owned bool
	err = conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, serviceName).Store(&owned)
	return err == nil && owned
}
