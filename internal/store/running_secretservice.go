//go:build linux || freebsd || openbsd || netbsd || dragonfly

package store

import "github.com/setupwizard/setupwizard/internal/store/secretservice"

// SystemKeyringRunning reports whether the OS keyring is there to use now
// without starting anything: a Secret Service already owns its name on the
// session bus. It starts no bus and activates no keyring, so a run that
// only may use the keyring (the demo) leaves no process behind.
func SystemKeyringRunning() bool { return secretservice.ServiceRunning() }
