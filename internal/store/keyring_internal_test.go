//go:build linux || freebsd || openbsd || netbsd || dragonfly

package store

import (
	"errors"
	"testing"

	"github.com/setupwizard/setupwizard/internal/testenv"
	"github.com/zalando/go-keyring"
)

// TestSystemKeyringKeepsOneSession: on Linux SystemKeyring goes through the
// process's one Secret Service session (not go-keyring's session per
// item), and reads what go-keyring wrote. (That it follows MockInit is
// tested in internal/store/mockinit, a binary of its own.)
func TestSystemKeyringKeepsOneSession(t *testing.T) {
	testenv.RealKeyring(t)
	if systemBackend != Keyring(&sessionClient) {
		t.Fatalf("SystemKeyring goes to %T, not the session client", systemBackend)
	}
	var k SystemKeyring
	const svc, user = "setupwizard:test", "keyring-internal-session"
	t.Cleanup(func() { _ = keyring.Delete(svc, user) })
	if err := keyring.Set(svc, user, "from go-keyring"); err != nil {
		t.Fatal(err)
	}
	if got, err := k.Get(svc, user); err != nil || got != "from go-keyring" {
		t.Fatalf("Get: %q, %v", got, err)
	}
	before := sessionClient.Sessions()
	for range 3 {
		if err := k.Set(svc, user, "v"); err != nil {
			t.Fatal(err)
		}
		if _, err := k.Get(svc, user); err != nil {
			t.Fatal(err)
		}
	}
	if err := k.Delete(svc, user); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Get(svc, user); !errors.Is(err, keyring.ErrNotFound) {
		t.Fatalf("Get after Delete: %v, want keyring.ErrNotFound", err)
	}
	if after := sessionClient.Sessions(); before < 1 || after != before {
		t.Fatalf("sessions %d before and %d after 8 calls, want the one kept", before, after)
	}
}
