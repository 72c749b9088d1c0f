package trace

import (
	"fmt"
	"strings"
	"unicode"
)

// escapeControls keeps a trace safe to cat to a terminal: server-supplied
// text may carry escape sequences (a name that retitles the window or
// clears the screen) or bidi overrides. Every control character except
// newline, tab and carriage return, and every format character, is written
// as a \u escape; line structure stays readable.
func escapeControls(s string) string {
	if strings.IndexFunc(s, unsafeRune) < 0 {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if unsafeRune(r) {
			fmt.Fprintf(&b, `\u%04x`, r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func unsafeRune(r rune) bool {
	if r == '\n' || r == '\t' || r == '\r' {
		return false
	}
	return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029'
}
