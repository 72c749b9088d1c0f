package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/setupwizard/setupwizard/internal/store/secretservice"
)

// A keyring fix on Linux depends on the machine: whether this login has a
// systemd user manager (and so a user bus every shell of the login shares,
// SSH included), whether that bus is there, whether a bus is named at all,
// and what is installed. README "Servers and SSH" is the same set-up in
// prose; docs/storage.md lists the situations.

// machine is what the keyring fix depends on.
type machine struct {
	// named: DBUS_SESSION_BUS_ADDRESS names a bus ("autolaunch:" does not).
	named bool
	// onUserBus: the bus in use is the login's user bus (named as
	// $XDG_RUNTIME_DIR/bus, or found there with none named).
	onUserBus bool
	// userBus: the user bus's socket exists.
	userBus bool
	// userManager: this login has a systemd user manager
	// ($XDG_RUNTIME_DIR/systemd/private), which can start the user bus.
	userManager bool
	// busUnit: the user bus's socket unit is installed (Debian's package
	// dbus-user-session).
	busUnit bool
	// gnomeKeyring: gnome-keyring-daemon is on PATH.
	gnomeKeyring bool
	// desktop: a graphical session (DISPLAY or WAYLAND_DISPLAY).
	desktop bool
}

// readMachine looks at this machine; a variable so tests can pin one.
var readMachine = func(getenv func(string) string) machine {
	isSocket := func(p string) bool {
		fi, err := os.Stat(p)
		return err == nil && fi.Mode()&os.ModeSocket != 0
	}
	exists := func(p string) bool { _, err := os.Stat(p); return err == nil }
	var m machine
	addr := strings.TrimSpace(getenv("DBUS_SESSION_BUS_ADDRESS"))
	m.named = addr != "" && addr != "autolaunch:"
	if bus := secretservice.UserBus(getenv); bus != "" {
		m.userBus = isSocket(bus)
		m.onUserBus = m.named && addr == "unix:path="+bus || !m.named && m.userBus
		m.userManager = isSocket(filepath.Join(filepath.Dir(bus), "systemd", "private"))
	}
	for _, dir := range []string{"/usr/lib/systemd/user", "/lib/systemd/user", "/etc/systemd/user"} {
		m.busUnit = m.busUnit || exists(filepath.Join(dir, "dbus.socket"))
	}
	_, err := exec.LookPath("gnome-keyring-daemon")
	m.gnomeKeyring = err == nil
	m.desktop = getenv("DISPLAY") != "" || getenv("WAYLAND_DISPLAY") != ""
	return m
}

// linuxFix is the command that fixes t on machine m, the words for how
// long it lasts (a catalog key, or ""), and the catalog key of the line
// that introduces the command.
func (a *app) linuxFix(t keyringTrouble, m machine) (command, lasts, intro string) {
	rerun := a.rerunCommand()
	// The prompt goes inside double quotes in a single-quoted script: the
	// catalog's words must not end either.
	ask := strings.NewReplacer(`"`, "", `'`, "", `\`, "", "$", "", "`", "").Replace(a.T("cli.keyring.password_prompt"))
	// read -s asks for the keyring password visibly instead of waiting
	// silently; gnome-keyring-daemon --unlock creates the login keyring
	// with it, or unlocks the one on disk. --replace takes the Secret
	// Service over from a daemon the bus activated locked (without it a
	// second daemon starts beside the first and serves nobody). setsid:
	// the daemon forks but stays in the terminal's session, and the
	// hang-up when that terminal closes (the SSH session ends) would end
	// it with it; e2e TestUserBusFixLasts caught that.
	readPassword := `read -rsp "` + ask + `" p; echo; printf %s "$p" | `
	unlock := `bash -c '` + readPassword + `setsid gnome-keyring-daemon --replace --unlock --components=secrets >/dev/null'`
	var install []string
	if !m.gnomeKeyring {
		install = append(install, "gnome-keyring")
	}
	// How long the fix lasts: the user bus lives as long as the login
	// (every shell of it shares the unlocked keyring); another bus as
	// long as itself.
	lasts = "cli.keyring.lasts_login"
	if !m.onUserBus {
		lasts = "cli.keyring.lasts_bus"
		if m.desktop {
			lasts = ""
		}
	}
	intro = "cli.keyring.fix"
	var steps []string
	switch t {
	case troubleNoService:
		if len(install) > 0 {
			steps = append(steps, "sudo apt install "+strings.Join(install, " "))
		}
		steps = append(steps, unlock)
	case troubleLocked:
		steps = append(steps, unlock)
	case troubleTimeout:
		// A prompt is waiting where the keyring shows it (the desktop):
		// answering it is the fix; then the same command again.
		return rerun, "", "cli.keyring.again"
	case troubleNoBus:
		if !m.userManager {
			// No user manager, so no bus outlives the shell that starts
			// it: a private bus and keyring for this one command.
			cmd := `dbus-run-session -- bash -c '` + readPassword + `gnome-keyring-daemon --unlock --components=secrets >/dev/null; ` + inSingleQuotes(rerun) + `'`
			if len(install) > 0 {
				cmd = "sudo apt install " + strings.Join(install, " ") + " && " + cmd
			}
			return cmd, "cli.keyring.lasts_command", intro
		}
		// A systemd login: the user bus, started now and at every later
		// login, and a keyring unlocked on it.
		if m.named {
			steps = append(steps, "unset DBUS_SESSION_BUS_ADDRESS")
		}
		if !m.userBus {
			if !m.busUnit {
				install = append([]string{"dbus-user-session"}, install...)
			}
			if len(install) > 0 {
				steps = append(steps, "sudo apt install "+strings.Join(install, " "))
			}
			if !m.busUnit {
				steps = append(steps, "systemctl --user daemon-reload")
			}
			steps = append(steps, "systemctl --user start dbus.socket")
		} else if len(install) > 0 {
			steps = append(steps, "sudo apt install "+strings.Join(install, " "))
		}
		steps = append(steps, unlock)
		lasts = "cli.keyring.lasts_login"
	default:
		return "", "", ""
	}
	return strings.Join(append(steps, rerun), " && "), lasts, intro
}
