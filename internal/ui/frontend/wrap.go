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
// wider than the width is left whole for the terminal to cut. A command
// named in single quotes ('setupwizard --demo') stays on one line when it
// fits one.
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
		for _, word := range quotedGroups(strings.Fields(line), width-len(indent)) {
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

// quotedGroups joins the words of a single-quoted span ('setupwizard
// --demo'.) into one, so a line never breaks inside it; a span wider than
// width stays words, as does a quote that never closes.
func quotedGroups(words []string, width int) []string {
	out := make([]string, 0, len(words))
	for i := 0; i < len(words); i++ {
		w := words[i]
		if !strings.HasPrefix(w, "'") || closesQuote(w[1:]) {
			out = append(out, w)
			continue
		}
		j := i + 1
		for j < len(words) && !closesQuote(words[j]) {
			j++
		}
		if j == len(words) {
			out = append(out, w)
			continue
		}
		group := strings.Join(words[i:j+1], " ")
		if ansi.StringWidth(group) > width {
			out = append(out, w)
			continue
		}
		out = append(out, group)
		i = j
	}
	return out
}

// closesQuote says whether a word ends a single-quoted span: its last
// quote is followed only by punctuation.
func closesQuote(w string) bool {
	return strings.HasSuffix(strings.TrimRight(w, ".,;:!?)"), "'")
}
