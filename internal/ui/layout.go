package ui

import (
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// Widths: below minWidth the layout stops shrinking (the terminal then
// wraps), and an unknown width (0) is treated as a classic 80 columns.
const (
	minWidth     = 20
	defaultWidth = 80
)

func effectiveWidth(w int) int {
	if w <= 0 {
		return defaultWidth
	}
	return max(w, minWidth)
}

// page builds a frame line by line, wrapping every text to the width so a
// narrow terminal never has to wrap (and so never breaks the renderer's
// line accounting).
type page struct {
	w     int
	lines []string
}

// text wraps s (plain text) to the width less indent, then styles and
// indents each line. A first-line prefix (a bullet, a cursor) hangs: the
// following lines are indented by its width.
func (p *page) text(st lipgloss.Style, indent int, prefix, s string) {
	if s == "" {
		return
	}
	pad := strings.Repeat(" ", indent)
	hang := strings.Repeat(" ", ansi.StringWidth(prefix))
	avail := max(p.w-indent-len(hang), 1)
	for i, line := range strings.Split(ansi.Wrap(s, avail, ""), "\n") {
		lead := hang
		if i == 0 {
			lead = prefix
		}
		p.lines = append(p.lines, pad+st.Render(lead+strings.TrimRight(line, " ")))
	}
}

// raw adds a line that already fits the width.
func (p *page) raw(line string) { p.lines = append(p.lines, line) }

func (p *page) blank() {
	if n := len(p.lines); n > 0 && p.lines[n-1] != "" {
		p.lines = append(p.lines, "")
	}
}

func (p *page) String() string { return strings.Join(p.lines, "\n") }

// helpSep separates key hints; lines break only between hints.
const helpSep = " • "

// help packs the hints of a help line ("tab next field • enter submit")
// into as few lines as fit, never splitting a hint unless it alone is
// wider than the page.
func (p *page) help(st lipgloss.Style, s string) {
	line := ""
	for _, hint := range strings.Split(s, helpSep) {
		switch {
		case line == "":
			line = hint
		case ansi.StringWidth(line+helpSep+hint) <= p.w:
			line += helpSep + hint
		default:
			p.text(st, 0, "", line)
			line = hint
		}
	}
	p.text(st, 0, "", line)
}
