//go:build unix && !linux

package cli

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// Harden keeps secrets out of core dumps: no core file at all. main calls
// it before anything reads a password or a token cache.
func Harden() error {
	if err := unix.Setrlimit(unix.RLIMIT_CORE, &unix.Rlimit{Cur: 0, Max: 0}); err != nil {
		return fmt.Errorf("set RLIMIT_CORE to 0: %w", err)
	}
	return nil
}
