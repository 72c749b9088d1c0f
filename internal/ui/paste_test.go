package ui

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func TestPasteGuard(t *testing.T) {
	const esc = "\uFDD0"
	tests := []struct{ in, want string }{
		{"plain \x1b[A keys", "plain \x1b[A keys"},
		{"\x1b[200~pw\x1b[201~", "\x1b[200~pw\x1b[201~"},
		{"\x1b[200~pass\x1b[31mword\x1b[201~", "\x1b[200~pass" + esc + "[31mword\x1b[201~"},
		{"\x1b[200~a\x1b\x1b[201~", "\x1b[200~a" + esc + "\x1b[201~"},
		{"\x1b[200~a\x1b[20x\x1b[201~", "\x1b[200~a" + esc + "[20x\x1b[201~"},
		{"\x1b[200~\x1b]0;t\x07\x1b[201~\x1b[B", "\x1b[200~" + esc + "]0;t\x07\x1b[201~\x1b[B"},
		{"\x1b\x1b[200~a\x1b[201~", "\x1b\x1b[200~a\x1b[201~"},
		{"x\x1b[200~\x1b[201~\x1b[200~\x1b[1m\x1b[201~", "x\x1b[200~\x1b[201~\x1b[200~" + esc + "[1m\x1b[201~"},
	}
	for _, tt := range tests {
		// One byte per read: every marker and sequence is split.
		for name, r := range map[string]io.Reader{"whole": strings.NewReader(tt.in), "bytewise": iotest.OneByteReader(strings.NewReader(tt.in))} {
			got, err := io.ReadAll(&pasteGuard{r: r})
			if err != nil || string(got) != tt.want {
				t.Errorf("%s %q: got %q, %v; want %q", name, tt.in, got, err, tt.want)
			}
		}
	}
}

// TestPasteGuardNeverKeepsBytes: each Read returns all it settled, at
// most len(p), so nothing waits for a next call the terminal may never
// prompt.
func TestPasteGuardNeverKeepsBytes(t *testing.T) {
	in := "\x1b[200~" + strings.Repeat("\x1b", 500) + "\x1b[201~tail"
	g := &pasteGuard{r: strings.NewReader(in)}
	var out bytes.Buffer
	p := make([]byte, 64)
	for {
		n, err := g.Read(p)
		if n > len(p) {
			t.Fatalf("read %d > %d", n, len(p))
		}
		out.Write(p[:n])
		if err != nil {
			break
		}
	}
	if want := "\x1b[200~" + strings.Repeat("\uFDD0", 500) + "\x1b[201~tail"; out.String() != want {
		t.Fatalf("got %q", out.String())
	}
}

// TestPasteWithEscapeSequenceRefused: through the real program input, a
// paste with an escape sequence is refused, not stripped.
func TestPasteWithEscapeSequenceRefused(t *testing.T) {
	in, keys := io.Pipe()
	defer keys.Close()
	s := startSession(t, sessionOpts{in: in})
	s.wait("Password")
	_, _ = keys.Write([]byte("\x1b[200~pass\x1b[31mword\x1b[201~"))
	scr2 := s.wait("(invalid_characters)")
	if strings.Contains(scr2, "password") || strings.Contains(scr2, "pass") {
		t.Fatalf("the refused paste reached the field:\n%s", scr2)
	}
}
