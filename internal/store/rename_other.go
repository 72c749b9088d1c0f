//go:build !windows

package store

// renameTransient is false: POSIX rename(2) replaces a file that others
// hold open.
func renameTransient(error) bool { return false }
