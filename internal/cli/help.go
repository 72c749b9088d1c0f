package cli

import (
	"io"
	"strings"

	"github.com/setupwizard/setupwizard/internal/providers/registry"
)

// helpSections is --help in order: each is a catalog key whose text is
// printed as is, so a translation controls its own alignment.
var helpSections = []string{
	"cli.help.intro",
	"cli.help.commands",
	"cli.help.options",
	"cli.help.environment",
	"cli.help.exit_codes",
	"cli.help.examples",
}

// usage prints --help, grouped as gh and git do.
func (a *app) usage(w io.Writer) {
	var b strings.Builder
	for i, key := range helpSections {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(strings.TrimRight(a.T(key, "providers", registry.List(), "example", a.exampleProvider()), "\n"))
		b.WriteString("\n")
	}
	_, _ = io.WriteString(w, b.String())
}
