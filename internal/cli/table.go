package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// table is rows under a header, laid out for the terminal the way gh lays
// out its lists: columns two spaces apart, and when the terminal is too
// narrow the columns a person can spare are shortened with an ellipsis
// (never a column marked whole: an id someone must copy). When even that
// does not fit, each row becomes a block of "HEADER: value" lines. Not
// on a terminal (width 0: a pipe, a file), rows are whole and aligned.
type table struct {
	head []string
	rows [][]string
	// shrink lists, most expendable first, the columns that may be
	// shortened; every other column is kept whole.
	shrink []int
}

// Shortened columns keep at least this many columns of text (with the
// ellipsis): a shorter cut says nothing.
const minShrunk = 8

const tableGap = "  "

// write lays the table out for width columns (0: no limit).
func (t table) write(w io.Writer, width int) error {
	widths := make([]int, len(t.head))
	for _, r := range append([][]string{t.head}, t.rows...) {
		for i, c := range r {
			widths[i] = max(widths[i], ansi.StringWidth(c))
		}
	}
	if width > 0 {
		total := len(tableGap) * (len(widths) - 1)
		for _, cw := range widths {
			total += cw
		}
		for _, i := range t.shrink {
			if total <= width {
				break
			}
			cut := min(total-width, widths[i]-min(widths[i], minShrunk))
			widths[i] -= cut
			total -= cut
		}
		if total > width {
			return t.blocks(w, width)
		}
	}
	var b strings.Builder
	for _, r := range append([][]string{t.head}, t.rows...) {
		var line strings.Builder
		for i, c := range r {
			if i > 0 {
				line.WriteString(tableGap)
			}
			c = ansi.Truncate(c, widths[i], "…")
			line.WriteString(c)
			if i < len(r)-1 {
				line.WriteString(strings.Repeat(" ", widths[i]-ansi.StringWidth(c)))
			}
		}
		b.WriteString(strings.TrimRight(line.String(), " ") + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// blocks writes each row as lines of "HEADER: value", a blank line
// between rows; a value that does not fit goes whole on a line of its own
// below its header, indented, so an id is never cut.
func (t table) blocks(w io.Writer, width int) error {
	label := 0
	for _, h := range t.head {
		label = max(label, ansi.StringWidth(h)+2)
	}
	var b strings.Builder
	for n, r := range t.rows {
		if n > 0 {
			b.WriteString("\n")
		}
		for i, c := range r {
			h := t.head[i] + ":"
			line := h + strings.Repeat(" ", label-ansi.StringWidth(h)) + c
			if ansi.StringWidth(line) > width {
				line = h + "\n  " + c
			}
			b.WriteString(line + "\n")
		}
	}
	_, err := fmt.Fprint(w, b.String())
	return err
}
