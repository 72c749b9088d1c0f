package ui

import (
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/setupwizard/setupwizard/internal/ui/frontend"
)

// Widths: below minWidth the layout stops shrinking (the terminal then
// wraps); above maxWidth text stops growing, as lines much longer than 80
// columns are hard to read; an unknown width (0) is a classic 80 columns.
const (
	minWidth     = 20
	maxWidth     = 80
	defaultWidth = 80
)

func effectiveWidth(w int) int {
	if w <= 0 {
		return defaultWidth
	}
	return min(max(w, minWidth), maxWidth)
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
	for i, line := range strings.Split(wrap(s, avail), "\n") {
		lead := hang
		if i == 0 {
			lead = prefix
		}
		p.lines = append(p.lines, pad+st.Render(lead+strings.TrimRight(line, " ")))
	}
}

// wrap breaks s at spaces only, as the command line does (frontend.Wrap):
// a hyphen is part of an id or a password someone copies ("demo-password",
// "demo-example-com") and of words that must not be split in Polish
// ("e-mail"). Only a word wider than the width is cut, so no line ever
// needs the terminal to wrap it.
func wrap(s string, width int) string {
	lines := strings.Split(frontend.Wrap(s, width), "\n")
	for i, line := range lines {
		if ansi.StringWidth(line) > width {
			lines[i] = ansi.Hardwrap(line, width, true)
		}
	}
	return strings.Join(lines, "\n")
}

// raw adds a line that already fits the width.
func (p *page) raw(line string) { p.lines = append(p.lines, line) }

func (p *page) blank() {
	if n := len(p.lines); n > 0 && p.lines[n-1] != "" {
		p.lines = append(p.lines, "")
	}
}

// trim drops trailing blank lines.
func (p *page) trim() {
	for len(p.lines) > 0 && p.lines[len(p.lines)-1] == "" {
		p.lines = p.lines[:len(p.lines)-1]
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

// frame is a screen in three parts: the head and the foot (status and key
// hints) stay in place, the body scrolls so that its focus is in sight.
// This is what huh does for a form taller than the terminal: the focused
// field, its error and the help line are never off screen.
type frame struct {
	head, body, foot []string
	// from..to are the body lines that must be visible (the focused field
	// and its error); want is where the focus's extra lines (its
	// description) end, shown too when there is room.
	from, to, want int
}

// join is the whole frame, unscrolled.
func (f frame) join() string {
	lines := append(append(append([]string(nil), f.head...), f.body...), f.foot...)
	return strings.Join(lines, "\n")
}

func (f frame) height() int { return len(f.head) + len(f.body) + len(f.foot) }

// fit cuts the body to what h lines leave after the head and the foot,
// scrolled as little as possible from the top while from..to (and, room
// permitting, up to want) stays visible.
func (f frame) fit(h int) string {
	avail := max(h-len(f.head)-len(f.foot), 1)
	if len(f.body) <= avail {
		return f.join()
	}
	off := 0
	if f.want > avail {
		off = f.want - avail
	}
	off = min(off, f.from)
	if f.to-off > avail {
		off = f.to - avail
	}
	off = max(0, min(off, len(f.body)-avail))
	g := f
	g.body = f.body[off : off+avail]
	return g.join()
}
