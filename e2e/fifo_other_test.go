//go:build !unix

package e2e

import "errors"

// mkfifo has no named pipes to make here: the e2e suite runs on Unix.
func mkfifo(string, uint32) error { return errors.New("no named pipes on this OS") }

// umask does nothing here: there is no umask.
func umask(int) int { return 0 }
