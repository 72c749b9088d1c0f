//go:build !unix

package cli

// Harden does nothing where the system has no core-size limit to set.
func Harden() error { return nil }
