//go:build !(linux || freebsd || openbsd || netbsd || dragonfly)

package store

// systemBackend is where SystemKeyring's calls go: go-keyring's own
// backend for this OS.
var systemBackend Keyring = GoKeyring{}
