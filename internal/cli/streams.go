package cli

import (
	"io"
	"os"

	"golang.org/x/term"
)

// IOStreams are the process's standard streams and whether each is a
// terminal, as in GitHub CLI: CanPrompt decides interactive vs scripted.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
	InTTY  bool
	OutTTY bool
	// OutWidth and ErrWidth are the terminal's columns when that stream
	// is a terminal, else 0: sentences are wrapped at word boundaries to
	// fit (sayOut, sayErr) instead of the terminal cutting words.
	OutWidth, ErrWidth int
	// Program is how the person started this program (os.Args[0]), for
	// commands printed to be pasted back; "" reads as "setupwizard".
	Program string
}

// System returns the real standard streams. x/term's IsTerminal is one
// ioctl per descriptor, nothing slow at start-up.
func System() *IOStreams {
	return &IOStreams{
		In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr, Program: os.Args[0],
		InTTY:    term.IsTerminal(int(os.Stdin.Fd())),
		OutTTY:   term.IsTerminal(int(os.Stdout.Fd())),
		OutWidth: width(os.Stdout),
		ErrWidth: width(os.Stderr),
	}
}

// width is f's terminal width in columns, or 0 when f is not a terminal.
func width(f *os.File) int {
	w, _, err := term.GetSize(int(f.Fd()))
	if err != nil {
		return 0
	}
	return w
}

// CanPrompt reports whether a person can answer prompts.
func (s *IOStreams) CanPrompt() bool { return s.InTTY && s.OutTTY }
