//go:build unix

package store

import (
	"os"
	"syscall"
)

// tightenDir narrows an existing config dir wider than 0700 (it holds the
// entries index), best effort: a read-only or foreign dir is left as it
// is, and so is a shared dir such as /tmp (sticky, or owned by someone
// else), which setupwizard must not lock others out of.
func tightenDir(dir string) {
	fi, err := os.Stat(dir)
	if err != nil || fi.Mode().Perm()&0o077 == 0 || fi.Mode()&os.ModeSticky != 0 {
		return
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); !ok || int(st.Uid) != os.Geteuid() {
		return
	}
	_ = os.Chmod(dir, fi.Mode().Perm()&0o700)
}
