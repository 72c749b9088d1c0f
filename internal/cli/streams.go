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
}

// System returns the real standard streams. x/term's IsTerminal is one
// ioctl per descriptor, nothing slow at start-up.
func System() *IOStreams {
	return &IOStreams{
		In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr,
		InTTY:  term.IsTerminal(int(os.Stdin.Fd())),
		OutTTY: term.IsTerminal(int(os.Stdout.Fd())),
	}
}

// CanPrompt reports whether a person can answer prompts.
func (s *IOStreams) CanPrompt() bool { return s.InTTY && s.OutTTY }
