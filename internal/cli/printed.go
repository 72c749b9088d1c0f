package cli

import (
	"strings"

	"github.com/spf13/pflag"

	"github.com/setupwizard/setupwizard/internal/store"
)

// Every command the program prints for a person to paste (a --reauth
// command, a keyring fix's "run again", a hint such as "run '... --help'")
// is built here, by one rule (docs/cli.md, "Printed commands"): it names
// the program as it was started (selfCommand) and carries every argument
// needed to do the same thing again, each word quoted for a POSIX shell
// when it needs it.

// printedCommand is the program as started followed by args, quoted.
func (a *app) printedCommand(args ...string) string {
	words := make([]string, 0, 1+len(args))
	words = append(words, a.self())
	for _, w := range args {
		words = append(words, shellQuote(w))
	}
	return strings.Join(words, " ")
}

// reauthCommand is the command that signs entry e in again.
func (a *app) reauthCommand(e store.Entry) string {
	return a.printedCommand("--reauth", "--provider", e.Domain, "--account", clean(e.UniqueID))
}

// rerunCommand is this very command line again, for a fix that ends by
// running it (the keyring fix): every flag as given, except the ones that
// read standard input (the re-run asks on the terminal instead of waiting
// silently for a password that never comes) and --json where it only goes
// with --password-stdin.
func (a *app) rerunCommand() string {
	return a.printedCommand(a.rerunArgs()...)
}

// rerunArgs is rerunCommand's arguments, from the parsed flags in their
// declared order, each spelled --name value.
func (a *app) rerunArgs() []string {
	var out []string
	if a.flags == nil {
		return out
	}
	stdin := a.set["password-stdin"]
	cmd := a.command()
	// The command first, as a person writes it; then the rest in the
	// order --help lists them.
	var cmds []*pflag.Flag
	for _, c := range commandFlags {
		if f := a.flags.Lookup(c); f != nil {
			cmds = append(cmds, f)
		}
	}
	var rest []*pflag.Flag
	a.flags.VisitAll(func(f *pflag.Flag) {
		if !contains(commandFlags, f.Name) {
			rest = append(rest, f)
		}
	})
	for _, f := range append(cmds, rest...) {
		if !a.set[f.Name] {
			continue
		}
		switch {
		case f.Name == "password-stdin":
			continue
		case f.Name == "json" && stdin && (cmd == cmdAdd || cmd == "reauth"):
			continue
		}
		if f.NoOptDefVal != "" {
			// A flag usable without a value (a bool): as given.
			if v := f.Value.String(); v == f.NoOptDefVal {
				out = append(out, "--"+f.Name)
			} else {
				out = append(out, "--"+f.Name+"="+v)
			}
			continue
		}
		out = append(out, "--"+f.Name, f.Value.String())
	}
	return out
}

// shellQuote returns s as one word for a POSIX shell: as is when it holds
// only characters no shell treats specially, else in single quotes (a
// single quote inside closes them, is escaped, and opens them again).
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, notShellSafe) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// inSingleQuotes makes a command safe to put inside a single-quoted
// script (bash -c '...; COMMAND'): each single quote in it ends the
// script's quoting, adds itself escaped, and starts it again.
func inSingleQuotes(cmd string) string {
	return strings.ReplaceAll(cmd, "'", `'\''`)
}
