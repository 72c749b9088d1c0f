package vterm

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// Echo reports whether the terminal echoes typed keys (the line
// discipline's ECHO flag, shared by both ends of the pty), so a test can
// wait until a program turned echo off before typing a password.
func (t *Term) Echo() (bool, error) {
	tio, err := unix.IoctlGetTermios(int(t.ptmx.Fd()), unix.TCGETS)
	if err != nil {
		return false, fmt.Errorf("read the pty's termios: %w", err)
	}
	return tio.Lflag&unix.ECHO != 0, nil
}
