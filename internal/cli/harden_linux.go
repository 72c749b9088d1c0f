package cli

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// Harden keeps secrets out of core dumps: no core file at all, and on
// Linux the process is marked non-dumpable (no core, no ptrace attach by
// other processes of the same user). main calls it before anything reads a
// password or a token cache.
func Harden() error {
	if err := unix.Setrlimit(unix.RLIMIT_CORE, &unix.Rlimit{Cur: 0, Max: 0}); err != nil {
		return fmt.Errorf("set RLIMIT_CORE to 0: %w", err)
	}
	if err := unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0); err != nil {
		return fmt.Errorf("mark the process non-dumpable: %w", err)
	}
	return nil
}
