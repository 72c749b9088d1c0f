package provider

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxTextLen caps CleanText's result, in runes.
const MaxTextLen = 200

// CleanText makes a server-supplied string (a name, a message, an error
// code) safe to store and to show on a terminal: terminal escape
// sequences (CSI, OSC up to BEL or ST, DCS/SOS/PM/APC strings, two-byte
// ESC sequences and their 8-bit C1 forms) are removed with their
// parameters, other C0/C1 controls and bidirectional overrides, isolates
// and marks are dropped, white space runs become one space, and the result
// is trimmed and capped at MaxTextLen runes ("..." marks a cut). Invalid
// UTF-8 is dropped.
func CleanText(s string) string {
	var b strings.Builder
	b.Grow(min(len(s), 4*MaxTextLen))
	const (
		plain = iota
		esc   // after ESC
		escI  // ESC intermediates, waiting for the final byte
		csi   // inside a control sequence, waiting for its final byte
		str   // inside an OSC/DCS/SOS/PM/APC string, waiting for BEL or ST
		strE  // ESC seen inside a string (ST is ESC \)
	)
	state, n, space := plain, 0, false
	cut := false
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if r == utf8.RuneError && size <= 1 {
			continue
		}
		switch state {
		case esc:
			switch {
			case r == '[':
				state = csi
			case r == ']' || r == 'P' || r == 'X' || r == '^' || r == '_':
				state = str
			case r >= 0x20 && r <= 0x2f:
				state = escI
			default:
				// A two-byte sequence (ESC 7, ESC c, ...) or a stray ESC:
				// the byte after it is swallowed only when it is a final.
				state = plain
				if r < 0x30 || r > 0x7e {
					i -= size
				}
			}
			continue
		case escI:
			if r >= 0x20 && r <= 0x2f {
				continue
			}
			state = plain
			if r < 0x30 || r > 0x7e {
				i -= size
			}
			continue
		case csi:
			// Parameters and intermediates are 0x20-0x3f; a final byte
			// (0x40-0x7e) ends it; anything else aborts the sequence.
			if r >= 0x20 && r <= 0x3f {
				continue
			}
			state = plain
			if r < 0x40 || r > 0x7e {
				i -= size
			}
			continue
		case str:
			switch r {
			case 0x07, 0x9c:
				state = plain
			case 0x1b:
				state = strE
			}
			continue
		case strE:
			if r == '\\' {
				state = plain
			} else if r != 0x1b {
				state = str
			}
			continue
		}
		switch {
		case r == 0x1b:
			state = esc
			continue
		case r == 0x9b:
			state = csi
			continue
		case r == 0x9d || r == 0x90 || r == 0x98 || r == 0x9e || r == 0x9f:
			state = str
			continue
		case unicode.IsSpace(r):
			space = true
			continue
		case r < 0x20 || (r >= 0x7f && r <= 0x9f) || invisible(r):
			continue
		}
		sep := space && n > 0
		if n+1 > MaxTextLen || sep && n+2 > MaxTextLen {
			cut = true
			break
		}
		if sep {
			b.WriteByte(' ')
			n++
		}
		space = false
		b.WriteRune(r)
		n++
	}
	if cut {
		return b.String() + "..."
	}
	return b.String()
}

// invisible reports the format characters that reorder or hide text: the
// bidi embeddings, overrides, isolates and marks, and the BOM.
func invisible(r rune) bool {
	switch {
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	case r == 0x200e, r == 0x200f, r == 0x061c, r == 0xfeff:
		return true
	}
	return false
}
