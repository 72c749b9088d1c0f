package cli

import (
	"embed"
	"fmt"
	"strings"
	"sync"

	"github.com/charmbracelet/x/ansi"

	"github.com/setupwizard/setupwizard/internal/i18n"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
	"github.com/setupwizard/setupwizard/internal/ui/frontend"
)

// translations holds the command line's own words, one strings.json-style
// file per language; every line the CLI prints is looked up here.
//
//go:embed translations/*.json
var translations embed.FS

// textLangs are the languages the command line speaks.
var textLangs = []string{"en", "pl"}

var (
	textOnce sync.Once
	textCat  *i18n.Catalog
)

// cliText loads the catalog once per process.
func cliText() *i18n.Catalog {
	textOnce.Do(func() {
		c, err := i18n.Load(translations, "translations")
		if err != nil {
			// The files are embedded: a broken one fails every test.
			panic(err)
		}
		textCat = c
	})
	return textCat
}

// T looks key up in this run's language and fills {placeholders} from
// name/value pairs.
func (a *app) T(key string, kv ...string) string {
	if a.text == nil {
		a.text = cliText()
	}
	ph := make(map[string]string, len(kv)/2+1)
	// {prog} in a hint is the program as started (printed.go's rule).
	ph["prog"] = a.self()
	for i := 0; i+1 < len(kv); i += 2 {
		ph[kv[i]] = kv[i+1]
	}
	return a.text.T(a.lang, key, ph)
}

func (a *app) outf(format string, args ...any) { fmt.Fprintf(a.io.Out, format, args...) }
func (a *app) errf(format string, args ...any) { fmt.Fprintf(a.io.ErrOut, format, args...) }

// sayOut and sayErr print one sentence of prose (no command to copy: a
// command must stay one line to paste) wrapped at word boundaries to the
// terminal's width, so a narrow terminal never cuts a word in two.
func (a *app) sayOut(s string) { fmt.Fprintln(a.io.Out, fit(s, a.io.OutWidth)) }
func (a *app) sayErr(s string) { fmt.Fprintln(a.io.ErrOut, fit(s, a.io.ErrWidth)) }

// sayCommand prints line, which ends with command (or has none: ""), to
// standard output. When it does not fit the terminal, the prose is wrapped
// at words and the command gets a line of its own, whole, so it can be
// copied and pasted as one line.
func (a *app) sayCommand(line, command string) {
	w := a.io.OutWidth
	head, ok := strings.CutSuffix(line, command)
	if command == "" || !ok {
		a.sayOut(line)
		return
	}
	if w <= 0 || ansi.StringWidth(line) <= w {
		fmt.Fprintln(a.io.Out, line)
		return
	}
	fmt.Fprintf(a.io.Out, "%s\n  %s\n", fit(strings.TrimRight(head, " "), w), continued(command, w-2))
}

// continued breaks a command wider than width at spaces, ending each line
// but the last with " \\" (the shell's line continuation) and indenting
// the next, so the lines pasted together still run as one command and no
// argument is cut in two by the terminal. A narrower command is as it is.
func continued(command string, width int) string {
	if width <= 0 || ansi.StringWidth(command) <= width || strings.ContainsAny(command, "'\"\\") {
		// A quoted argument may hold a space: it is never split.
		return command
	}
	const more, indent = " \\", "    "
	var lines []string
	line := ""
	for _, word := range argGroups(command) {
		switch {
		case line == "":
			line = word
		case ansi.StringWidth(line+" "+word+more) <= width:
			line += " " + word
		default:
			lines = append(lines, line+more)
			line = indent + word
		}
	}
	lines = append(lines, line)
	return strings.Join(lines, "\n  ")
}

// sayErrMessage prints an error message (one or more lines) to standard
// error for the terminal's width: sentences wrap at words; a command that
// ends a line after its colon ("renew it with: setupwizard --reauth ...")
// gets lines of its own as sayCommand gives it; an indented command (on a
// line of its own already) is left as it is, and an indented item of a
// list (an account with its id) wraps at words keeping its indent, so the
// terminal never cuts an id someone must copy in two.
func (a *app) sayErrMessage(msg string) {
	w := a.io.ErrWidth
	if w <= 0 {
		fmt.Fprintln(a.io.ErrOut, msg)
		return
	}
	var out []string
	for _, line := range strings.Split(msg, "\n") {
		switch {
		case ansi.StringWidth(line) <= w:
			out = append(out, line)
		case strings.HasPrefix(line, " "):
			if item := strings.TrimLeft(line, " "); isCommand(item) || strings.HasSuffix(item, "\\") {
				out = append(out, line)
			} else {
				out = append(out, fit(line, w))
			}
		default:
			head, command := splitCommand(line)
			if command == "" {
				out = append(out, fit(line, w))
				continue
			}
			out = append(out, fit(head, w), "  "+continued(command, w-2))
		}
	}
	fmt.Fprintln(a.io.ErrOut, strings.Join(out, "\n"))
}

// splitCommand splits a line ending in a command after a ": " into the
// prose (with the colon) and the command; command is "" when the line
// ends in no command. A command starts with this program's name (however
// it was started) or a shell's; continued leaves a quoted one whole.
func splitCommand(line string) (head, command string) {
	for i := strings.Index(line, ": "); i >= 0; {
		tail := line[i+2:]
		if isCommand(tail) {
			return line[:i+1], tail
		}
		next := strings.Index(tail, ": ")
		if next < 0 {
			break
		}
		i += 2 + next
	}
	return line, ""
}

// commandStarts are how the commands this program prints begin, besides
// its own name.
// The keyring fix on a systemd login starts with "unset" or "systemctl"
// (headless.go): read as prose, it was wrapped at words, cutting its
// quoted script with newlines that break it when pasted.
var commandStarts = []string{"go run ", "sudo ", "bash ", "dbus-run-session ", "env ", "unset ", "systemctl "}

func isCommand(s string) bool {
	// A command in quotes is named inside a sentence ("wypróbuj offline:
	// 'setupwizard --demo'."): on a line of its own, the quotes and the
	// full stop would be pasted with it.
	if strings.HasPrefix(s, "'") || strings.HasPrefix(s, `"`) {
		return false
	}
	first, _, _ := strings.Cut(s, " ")
	if strings.Contains(first, "setupwizard") {
		return true
	}
	for _, p := range commandStarts {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// fit wraps s at spaces to width columns (0: as it is). A word longer than
// the width is left whole for the terminal to cut; a hyphen never breaks
// a line (frontend.Wrap).
func fit(s string, width int) string {
	return frontend.Wrap(s, width)
}

// clean makes server-supplied text safe for a terminal or a file: escape
// sequences, controls and bidi overrides are removed (provider.CleanText),
// so a hostile name can neither move the cursor nor reorder what is
// around it.
func clean(s string) string { return provider.CleanText(s) }

// argGroups splits a command at spaces, a flag and its value staying
// together ("--account ID"), so a continued line never leaves a flag
// alone at its end.
func argGroups(command string) []string {
	var out []string
	for _, f := range strings.Fields(command) {
		if n := len(out); n > 0 && strings.HasPrefix(out[n-1], "-") && !strings.Contains(out[n-1], " ") && !strings.HasPrefix(f, "-") {
			out[n-1] += " " + f
			continue
		}
		out = append(out, f)
	}
	return out
}
