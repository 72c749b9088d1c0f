package ui

import (
	"bytes"
	"io"
	"os"
	"runtime"
	"unicode/utf8"
)

// pasteESC stands for an ESC inside a bracketed paste. It is a Unicode
// noncharacter (reserved for a program's internal use, never typed), which
// the form refuses like any control character.
const pasteESC = '\uFDD0'

var (
	pasteStart = []byte("\x1b[200~")
	pasteEnd   = []byte("\x1b[201~")
)

// pasteGuard passes terminal input through unchanged, except that inside
// a bracketed paste every ESC that does not begin the end marker becomes
// pasteESC. Bubble Tea's input decoder parses escape sequences inside a
// paste and drops those that are not keys (CSI 31 m, OSC ...), so without
// this a pasted "pass\x1b[31mword" would arrive as "password": changed
// silently instead of refused with invalid_characters.
type pasteGuard struct {
	r     io.Reader
	in    bool   // inside a paste
	start int    // bytes of pasteStart matched so far, outside a paste
	held  []byte // a prefix of pasteEnd seen inside a paste
	buf   []byte
}

// Read fills p with at most len(p) guarded bytes. It never keeps guarded
// bytes back for a later call (a reader woken by the terminal's readiness
// would not call again for them); it only holds a possible end marker's
// first bytes, and reads on until they are settled.
func (g *pasteGuard) Read(p []byte) (int, error) {
	// An ESC grows to 3 bytes, and held bytes may be let go: room for both.
	room := (len(p) - 3*len(pasteEnd)) / utf8.UTFMax
	if room < 1 {
		return g.r.Read(p) // too small to guard; Bubble Tea reads 4 KiB
	}
	if cap(g.buf) < room {
		g.buf = make([]byte, room)
	}
	out := p[:0]
	for {
		n, err := g.r.Read(g.buf[:room])
		for _, b := range g.buf[:n] {
			out = g.feed(out, b)
		}
		if len(out) > 0 || err != nil {
			return len(out), err
		}
	}
}

// feed guards one byte and appends what it lets through to out.
func (g *pasteGuard) feed(out []byte, b byte) []byte {
	if !g.in {
		switch {
		case b == pasteStart[g.start]:
			g.start++
			if g.start == len(pasteStart) {
				g.in, g.start = true, 0
			}
		case b == pasteStart[0]:
			g.start = 1
		default:
			g.start = 0
		}
		return append(out, b)
	}
	if len(g.held) == 0 && b != pasteEnd[0] {
		return append(out, b)
	}
	g.held = append(g.held, b)
	switch {
	case bytes.Equal(g.held, pasteEnd):
		g.in, g.held = false, g.held[:0]
		return append(out, pasteEnd...)
	case bytes.HasPrefix(pasteEnd, g.held):
		return out
	}
	// Not the end marker: the ESC was part of the paste.
	rest := append([]byte(nil), g.held[1:]...)
	g.held = g.held[:0]
	out = utf8.AppendRune(out, pasteESC)
	for _, c := range rest {
		out = g.feed(out, c)
	}
	return out
}

// guardedFile is a terminal's file with its reads guarded; Fd, Write and
// Close are the file's, so Bubble Tea still finds the terminal to put in
// raw mode and to wait on.
type guardedFile struct {
	*os.File
	g *pasteGuard
}

func (f guardedFile) Read(p []byte) (int, error) { return f.g.Read(p) }

// guardInput wraps the program's input in a pasteGuard. Windows consoles
// deliver input as records, not through Read, so there it is left alone,
// as is the nil input (Bubble Tea then opens the terminal itself).
func guardInput(in io.Reader) io.Reader {
	if in == nil || runtime.GOOS == "windows" {
		return in
	}
	g := &pasteGuard{r: in}
	if f, ok := in.(*os.File); ok {
		return guardedFile{File: f, g: g}
	}
	return g
}
