// Package frontend holds what the two interactive front ends (the Bubble Tea
// TUI in internal/ui and the accessible line prompts in internal/ui/prompt)
// share, so the command line can switch between them with one flag and both
// report cancellation the same way. It imports no terminal library, which
// keeps the accessible mode's start-up free of Bubble Tea.
package frontend

import (
	"errors"
	"io"
)

// ErrCancelled is returned when the person cancelled (esc, ctrl+c, or end
// of input). Nothing was saved; the command line exits 130.
var ErrCancelled = errors.New("cancelled")

// Options configures one interactive session.
type Options struct {
	// In and Out are the terminal (nil: os.Stdin / os.Stdout).
	In  io.Reader
	Out io.Writer
	// Lang is a language code such as "pl"; strings a provider does not
	// ship in it fall back to English.
	Lang string
	// NoColor disables every colour escape code (NO_COLOR is read by the caller).
	NoColor bool
	// Width and Height fix the screen size; 0 asks the terminal.
	Width, Height int
	// Notice is shown above every screen (the TUI runs on the alternate
	// screen, so text printed before it is out of sight): --demo puts the
	// demo credentials here.
	Notice string
}
