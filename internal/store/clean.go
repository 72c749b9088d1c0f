package store

import (
	"strings"
	"unicode"
)

// cleanText drops what could drive a terminal from text a server supplied
// (an entry's title, an identity): C0 and C1 controls (ESC, and so every
// escape sequence's introducer), DEL, bidi overrides and other format
// characters, line and paragraph separators, and invalid UTF-8. Providers
// clean server text already; the store does it again before writing, so
// no path can put control bytes into entries.json or onto a screen that
// lists entries.
func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "")
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029' {
			return -1
		}
		return r
	}, s)
}
