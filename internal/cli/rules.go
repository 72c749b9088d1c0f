package cli

import (
	"sort"
	"strings"

	"github.com/spf13/pflag"
)

// commandFlags are the command flags; at most one is given, and none means
// "add an account".
var commandFlags = []string{"list", "status", "remove", "token", "reauth"}

// cmdAdd names the default command in the rules below.
const cmdAdd = "add"

// goesWith declares, for every option that only makes sense with some
// commands, which ones; a flag absent here goes with every command.
var goesWith = map[string][]string{
	"account":        {"reauth", "list", "status", "remove", "token"},
	"yes":            {"remove"},
	"username":       {cmdAdd, "reauth"},
	"password-stdin": {cmdAdd, "reauth"},
	"accessible":     {cmdAdd, "reauth", "remove"},
	"demo":           {cmdAdd},
}

// needs declares flags that are only meaningful with another one.
var needs = []struct {
	flag, other string
	// on limits the rule to these commands (nil: every command).
	on []string
}{
	{flag: "password-stdin", other: "username", on: []string{cmdAdd}},
	{flag: "json", other: "password-stdin", on: []string{cmdAdd, "reauth"}},
	{flag: "serve", other: "demo"},
}

// command is the command the flags chose.
func (a *app) command() string {
	for _, c := range commandFlags {
		if a.set[c] && a.boolFlag(c) {
			return c
		}
	}
	return cmdAdd
}

func (a *app) boolFlag(name string) bool {
	switch name {
	case "list":
		return a.opts.list
	case "status":
		return a.opts.status
	case "remove":
		return a.opts.remove
	case "token":
		return a.opts.token
	case "reauth":
		return a.opts.reauth
	}
	return false
}

// checkFlags refuses flag mixes that would silently ignore something.
func (a *app) checkFlags() error {
	var cmds []string
	for _, c := range commandFlags {
		if a.boolFlag(c) {
			cmds = append(cmds, "--"+c)
		}
	}
	if len(cmds) > 1 {
		return a.usagef("cli.usage.exclusive", "flags", strings.Join(cmds, ", "))
	}
	cmd := a.command()
	if a.set["demo"] && cmd != cmdAdd {
		// The demo's menu offers every command after its sign-in.
		return a.usagef("cli.usage.demo_command", "flag", "--"+cmd)
	}
	for _, name := range sortedKeys(goesWith) {
		if !a.set[name] || contains(goesWith[name], cmd) {
			continue
		}
		return a.usagef("cli.usage.goes_with", "flag", flagName(name), "commands", a.commandList(goesWith[name]))
	}
	for _, n := range needs {
		if a.set[n.flag] && !a.set[n.other] && (n.on == nil || contains(n.on, cmd)) {
			return a.usagef("cli.usage.needs", "flag", flagName(n.flag), "other", flagName(n.other))
		}
	}
	switch {
	case a.set["account"] && strings.TrimSpace(a.opts.account) == "":
		return a.usagef("cli.usage.blank_account")
	case cmd == "remove" && !a.set["account"]:
		return a.usagef("cli.usage.remove_needs_account")
	case a.opts.timeout <= 0:
		return a.usagef("cli.usage.timeout")
	}
	return nil
}

// flagName spells a flag as a person types it.
func flagName(name string) string {
	if name == "username" {
		return "-u/--username"
	}
	return "--" + name
}

// commandList names commands for a message: "--reauth, --list".
func (a *app) commandList(cmds []string) string {
	out := make([]string, len(cmds))
	for i, c := range cmds {
		if c == cmdAdd {
			out[i] = a.T("cli.usage.cmd_add")
			continue
		}
		out[i] = "--" + c
	}
	return strings.Join(out, ", ")
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func sortedKeys(m map[string][]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// countedValue counts how often the command line sets a flag: pflag lets
// the last of several spellings win, which would silently ignore the rest.
type countedValue struct {
	pflag.Value
	name string
	seen *[]string // names in the order they were set
}

func (c countedValue) Set(s string) error {
	*c.seen = append(*c.seen, c.name)
	return c.Value.Set(s)
}

// IsBoolFlag keeps a bool flag usable without a value.
func (c countedValue) IsBoolFlag() bool {
	b, ok := c.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// countSets wraps every flag of fs so a.setOrder records each setting.
func (a *app) countSets(fs *pflag.FlagSet) {
	fs.VisitAll(func(f *pflag.Flag) {
		f.Value = countedValue{Value: f.Value, name: f.Name, seen: &a.setOrder}
	})
}

// checkRepeats refuses a flag given twice (--account a --account b, or
// -u x --username y): exit 2 naming the first one repeated.
func (a *app) checkRepeats() error {
	n := map[string]int{}
	for _, name := range a.setOrder {
		if n[name]++; n[name] == 2 {
			return a.usagef("cli.usage.repeated", "flag", flagName(name))
		}
	}
	return nil
}
