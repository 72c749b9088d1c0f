package vterm

import (
	"bytes"
	"regexp"
)

// vtFilter drops, before they reach vt10x, the sequences it misreads:
// keyboard-protocol pushes, pops and queries (CSI > 1 u, CSI < 1 u,
// CSI ? u), which it takes for "restore cursor" and so moves the cursor
// where the program never put it; modifyOtherKeys (CSI > 4 ; 2 m); and
// mode queries (CSI ? 2026 $ p). A real terminal ignores or answers them
// without moving anything. A sequence split across reads is held back
// until its end arrives.
type vtFilter struct{ pending []byte }

var misread = regexp.MustCompile(`\x1b\[[<>=][0-9;]*[A-Za-z]|\x1b\[\?[0-9;]*\$p|\x1b\[\?u`)

// feed returns what of b (after what was held back) vt10x may see now.
func (f *vtFilter) feed(b []byte) []byte {
	buf := append(f.pending, b...)
	f.pending = nil
	if i := bytes.LastIndexByte(buf, 0x1b); i >= 0 && !complete(buf[i:]) {
		f.pending = bytes.Clone(buf[i:])
		buf = buf[:i]
	}
	return misread.ReplaceAll(buf, nil)
}

// complete reports whether the escape sequence seq (from its ESC) has
// ended: a CSI sequence once its final byte arrived, any other after the
// byte following ESC.
func complete(seq []byte) bool {
	if len(seq) < 2 {
		return false
	}
	if seq[1] != '[' {
		return true
	}
	for _, c := range seq[2:] {
		if c >= 0x40 && c <= 0x7e {
			return true
		}
	}
	return false
}
