package frontend

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// Wrap breaks text at spaces so no line is wider than width columns (0:
// as it is), for prose printed straight to a terminal, which would cut a
// word in two. Only spaces break a line: a hyphen may be part of a
// password or an id someone copies ("demo-password"). A line's leading
// spaces (an indented item) are kept on its continuation lines; a word
// wider than the width is left whole for the terminal to cut.
func Wrap(text string, width int) string {
	if width <= 0 {
		return text
	}
	lines := strings.Split(text, "\n")
	for i, line := range lines {
		if ansi.StringWidth(line) <= width {
			continue
		}
		indent := line[:len(line)-len(strings.TrimLeft(line, " "))]
		var out []string
		cur := ""
		for _, word := range strings.Fields(line) {
			switch {
			case cur == "":
				cur = indent + word
			case ansi.StringWidth(cur+" "+word) <= width:
				cur += " " + word
			default:
				out = append(out, cur)
				cur = indent + word
			}
		}
		lines[i] = strings.Join(append(out, cur), "\n")
	}
	return strings.Join(lines, "\n")
}
