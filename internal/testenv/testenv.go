// Package testenv tells tests what the machine offers. Tests that need the
// real Secret Service call RealKeyring: under ./scripts/test they run; in CI
// without it they fail (so a missing install step cannot hide as a skip);
// in a bare `go test` on a developer machine they skip with the fix.
package testenv

import (
	"os"
	"testing"
)

// RealKeyring stops the test unless a real, unlocked Secret Service is there.
func RealKeyring(t testing.TB) {
	t.Helper()
	if os.Getenv("SETUPWIZARD_REAL_KEYRING") == "1" {
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatal("CI must run the suite through ./scripts/test (real Secret Service); SETUPWIZARD_REAL_KEYRING is not set")
	}
	t.Skip("needs a real Secret Service: run ./scripts/test")
}

// Keyring is the Secret Service implementation the tests run against:
// "gnome-keyring" (./scripts/test), "kwallet" or "keepassxc"
// (./scripts/test-keyrings sets SETUPWIZARD_KEYRING).
func Keyring() string {
	if k := os.Getenv("SETUPWIZARD_KEYRING"); k != "" {
		return k
	}
	return "gnome-keyring"
}
