package cli

import (
	"errors"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/setupwizard/setupwizard/internal/store"
)

// keyringTrouble is what a person needs to know about a failing keyring:
// the cause in plain words and the command that fixes it.
type keyringTrouble string

const (
	troubleNoBus     keyringTrouble = "no_bus"
	troubleNoService keyringTrouble = "no_service"
	troubleLocked    keyringTrouble = "locked"
	troubleTimeout   keyringTrouble = "timeout"
	troubleOther     keyringTrouble = "other"
)

// troubleOf sorts a keyring failure by the reason the store found. The
// store's full text (item names, D-Bus errors) goes to --debug only.
func troubleOf(err error) keyringTrouble {
	var ke *store.KeyringError
	if !errors.As(err, &ke) {
		return troubleOther
	}
	r := strings.ToLower(ke.Reason)
	switch {
	case strings.Contains(r, "no secret service"):
		return troubleNoService
	case strings.Contains(r, "session bus"):
		return troubleNoBus
	case strings.Contains(r, "did not answer"), strings.Contains(r, "never returned"):
		return troubleTimeout
	case strings.Contains(r, "locked"):
		return troubleLocked
	}
	return troubleOther
}

// keyringAdvice is the at most four short lines shown when the keyring
// cannot be used: what is wrong, the command that fixes it (one that works
// when pasted), and the demo, which needs no keyring.
func (a *app) keyringAdvice(err error) string {
	a.tracer.Note("keyring: %v", err)
	t := troubleOf(err)
	lines := []string{a.T("cli.keyring." + string(t))}
	if fix := a.keyringFix(t); fix != "" {
		lines = append(lines, a.T("cli.keyring.fix", "command", fix))
	}
	if !a.opts.demo {
		lines = append(lines, a.T("cli.keyring.demo", "command", a.printedCommand("--demo")))
	}
	return strings.Join(lines, "\n")
}

// keyringFix is a command that fixes t on this system, or "".
func (a *app) keyringFix(t keyringTrouble) string {
	if runtime.GOOS != "linux" {
		return ""
	}
	self := inSingleQuotes(a.rerunCommand())
	// The prompt goes inside double quotes in a single-quoted script: the
	// catalog's words must not end either.
	ask := strings.NewReplacer(`"`, "", `'`, "", `\`, "", "$", "", "`", "").Replace(a.T("cli.keyring.password_prompt"))
	switch t {
	case troubleNoBus:
		// A private session bus with a keyring for this one run; read -s
		// asks for the keyring password visibly instead of waiting silently.
		return `dbus-run-session -- bash -c 'read -rsp "` + ask + `" p; echo; printf %s "$p" | gnome-keyring-daemon --unlock --components=secrets >/dev/null; ` + self + `'`
	case troubleNoService:
		return "sudo apt install gnome-keyring"
	case troubleLocked:
		return `bash -c 'read -rsp "` + ask + `" p; echo; printf %s "$p" | gnome-keyring-daemon --replace --unlock --components=secrets >/dev/null'`
	}
	return ""
}

// self is selfCommand for this run.
func (a *app) self() string {
	if a.io == nil {
		return selfCommand("")
	}
	return selfCommand(a.io.Program)
}

// selfCommand is how to run this program again from the shell the person
// is in, for a command they will paste: the name or path they typed
// (program is os.Args[0]), quoted when it needs it, or
// "go run ./cmd/setupwizard" for a go run build, whose binary is deleted
// when it exits (go run is typed at the module's root, where the pasted
// line then works). A name starting with '-' would read as a flag.
func selfCommand(program string) string {
	const name = "setupwizard"
	switch {
	case program == "":
		return name
	case strings.Contains(program, "/go-build") && filepath.Base(filepath.Dir(program)) == "exe":
		return "go run ./cmd/setupwizard"
	case strings.HasPrefix(program, "-"):
		return name
	}
	return shellQuote(program)
}

// notShellSafe reports whether r would need quoting in a shell word.
func notShellSafe(r rune) bool {
	return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._/+-@%:,", r))
}
