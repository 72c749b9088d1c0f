package trace

import (
	"fmt"
	"strings"
	"unicode"
)

// escapeControls keeps a trace safe to cat to a terminal: server-supplied
// text may carry escape sequences (a name that retitles the window or
// clears the screen) or bidi overrides. Every control character except
// newline, tab and the carriage return of a CRLF, and every format
// character, is written as a \u escape; line structure stays readable. A
// lone carriage return is escaped too: catted, it would let the text after
// it overwrite what the line said before (a name hiding the URL it came
// from).
func escapeControls(s string) string {
	if !hasUnsafe(s) {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		if unsafeRune(r) || (r == '\r' && !strings.HasPrefix(s[i+1:], "\n")) {
			fmt.Fprintf(&b, `\u%04x`, r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// hasUnsafe reports whether escapeControls would change s.
func hasUnsafe(s string) bool {
	for i, r := range s {
		if unsafeRune(r) || (r == '\r' && !strings.HasPrefix(s[i+1:], "\n")) {
			return true
		}
	}
	return false
}

func unsafeRune(r rune) bool {
	if r == '\n' || r == '\t' || r == '\r' {
		return false
	}
	return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029'
}
