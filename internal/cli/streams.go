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
	// Program is how the person started this program (os.Args[0]), for
	// commands printed to be pasted back; "" reads as "setupwizard".
	Program string
}

// System returns the real standard streams. x/term's IsTerminal is one
// ioctl per descriptor, nothing slow at start-up.
func System() *IOStreams {
	return &IOStreams{
		In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr, Program: os.Args[0],
		InTTY:  term.IsTerminal(int(os.Stdin.Fd())),
		OutTTY: term.IsTerminal(int(os.Stdout.Fd())),
	}
}

// CanPrompt reports whether a person can answer prompts.
func (s *IOStreams) CanPrompt() bool { return s.InTTY && s.OutTTY }
