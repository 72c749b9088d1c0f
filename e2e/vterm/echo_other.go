//go:build !linux

package vterm

import "errors"

// Echo is only implemented on Linux, where the e2e suite runs (it needs
// the Secret Service).
func (t *Term) Echo() (bool, error) {
	return false, errors.New("vterm: reading the echo flag is only implemented on Linux")
}
