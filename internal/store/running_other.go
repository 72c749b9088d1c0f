//go:build !(linux || freebsd || openbsd || netbsd || dragonfly)

package store

// SystemKeyringRunning is true here: Keychain and Credential Manager are
// part of the OS and starting them leaves nothing behind.
func SystemKeyringRunning() bool { return true }
