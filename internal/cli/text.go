package cli

import (
	"embed"
	"fmt"
	"strings"
	"sync"

	"github.com/charmbracelet/x/ansi"

	"github.com/setupwizard/setupwizard/internal/i18n"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
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
	fmt.Fprintf(a.io.Out, "%s\n  %s\n", fit(strings.TrimRight(head, " "), w), command)
}

// fit wraps s at spaces to width columns (0: as it is). A word longer than
// the width is left whole for the terminal to cut.
func fit(s string, width int) string {
	if width <= 0 || ansi.StringWidth(s) <= width {
		return s
	}
	return ansi.Wordwrap(s, width, " ")
}

// clean makes server-supplied text safe for a terminal or a file: escape
// sequences, controls and bidi overrides are removed (provider.CleanText),
// so a hostile name can neither move the cursor nor reorder what is
// around it.
func clean(s string) string { return provider.CleanText(s) }
