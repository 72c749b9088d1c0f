package store_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/setupwizard/setupwizard/internal/store"
	"github.com/zalando/go-keyring"
)

// TestKeyringErrors feeds the errors go-keyring really returns (captured
// from the situations docs/storage.md lists) through the store and
// checks the message names the cause and the fix.
func TestKeyringErrors(t *testing.T) {
	cases := []struct {
		name, backend string
		kind          store.KeyringKind
		reason, fix   string
	}{
		{"no bus, no dbus-launch", `exec: "dbus-launch": executable file not found in $PATH`, store.KeyringNoBus, "no D-Bus session bus", "dbus-run-session"},
		{"no bus named, no user bus", "secret service: no D-Bus session bus: DBUS_SESSION_BUS_ADDRESS is unset and there is no $XDG_RUNTIME_DIR/bus", store.KeyringNoBus, "no D-Bus session bus", "dbus-user-session"},
		{"named bus gone", "secret service: no D-Bus session bus at unix:path=/run/user/1000/bus: dial unix /run/user/1000/bus: connect: no such file or directory", store.KeyringNoBus, "no D-Bus session bus", "Servers and SSH"},
		{"bus socket gone", "dial unix /run/user/1000/bus: connect: no such file or directory", store.KeyringNoBus, "cannot connect to the D-Bus session bus", "DBUS_SESSION_BUS_ADDRESS"},
		{"no Secret Service", "The name org.freedesktop.secrets was not provided by any .service files", store.KeyringNoService, "no Secret Service", "install and start a Secret Service provider such as gnome-keyring"},
		{"no owner", "secret service OpenSession: Could not get owner of name 'org.freedesktop.secrets': no such name [org.freedesktop.DBus.Error.NameHasNoOwner]", store.KeyringNoService, "no Secret Service", "gnome-keyring"},
		{"activation failed", "secret service OpenSession: Process org.freedesktop.secrets exited with status 1 [org.freedesktop.DBus.Error.Spawn.ChildExited]", store.KeyringNoService, "no Secret Service", "gnome-keyring"},
		{"locked", "failed to unlock correct collection '/org/freedesktop/secrets/aliases/default'", store.KeyringLocked, "locked", "unlock the keyring"},
		{"too big", keyring.ErrSetDataTooBig.Error(), store.KeyringOther, "too big", "2048"},
		{"other", "Keychain: some OSStatus -25293", store.KeyringOther, "the OS keyring failed", "macOS Keychain"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, kr := openFake(t)
			kr.setBefore(func(string, string, string) error { return errors.New(c.backend) })
			_, err := s.Add(bg, newEntry("librus", "jan"), []byte("s3cr3t-token"))
			if !errors.Is(err, store.ErrKeyring) {
				t.Fatalf("Add: %v, want ErrKeyring", err)
			}
			var ke *store.KeyringError
			if !errors.As(err, &ke) {
				t.Fatalf("no *KeyringError in %v", err)
			}
			if ke.Kind != c.kind {
				t.Errorf("kind %q, want %q", ke.Kind, c.kind)
			}
			msg := err.Error()
			for _, want := range []string{c.reason, c.fix, c.backend, "setupwizard:librus"} {
				if !strings.Contains(msg, want) {
					t.Errorf("message %q lacks %q", msg, want)
				}
			}
			if strings.Contains(msg, "s3cr3t") || strings.Contains(msg, "czNjcjN0") { // raw or base64
				t.Errorf("message shows the secret: %q", msg)
			}
		})
	}
}

// TestKeyringTimeout: a call that never returns (an unanswered prompt)
// fails with ErrKeyring after the timeout instead of hanging, and calls
// queued behind it never reach the keyring.
func TestKeyringTimeout(t *testing.T) {
	s, kr := openFake(t)
	e := mustAdd(t, s, newEntry("librus", "jan"), []byte("old"))

	release := make(chan struct{})
	hung := make(chan struct{}, 1)
	blocking := &blockingKeyring{fakeKeyring: kr, release: release, hung: hung}
	s2, err := store.Open(s.Dir(), store.WithKeyring(blocking), store.WithTimeout(50*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	_, err = s2.ReplaceCache(bg, e.ID, []byte("new"), "")
	if !errors.Is(err, store.ErrKeyring) || !strings.Contains(err.Error(), "did not answer") || !strings.Contains(err.Error(), "unlock") {
		t.Fatalf("ReplaceCache on a hung keyring: %v", err)
	}
	if ke := (*store.KeyringError)(nil); !errors.As(err, &ke) || ke.Kind != store.KeyringPrompt {
		t.Fatalf("a hung keyring is not the prompt-waiting kind: %#v", ke)
	}
	<-hung // the first call is the one hanging
	// A second operation times out too: its calls queue behind the hung one.
	if _, _, err := s2.LoadCache(bg, e.ID); !errors.Is(err, store.ErrKeyring) {
		t.Fatalf("LoadCache behind a hung call: %v", err)
	}
	close(release)
	if got, _, err := s.LoadCache(bg, e.ID); err != nil || string(got) != "old" {
		t.Fatalf("old cache after the timeout: %q %v", got, err)
	}
	if n := blocking.callCount(); n != 1 {
		t.Fatalf("%d calls reached the keyring, want only the hung one", n)
	}
}

// blockingKeyring hangs its first call until release closes.
type blockingKeyring struct {
	*fakeKeyring
	release chan struct{}
	hung    chan struct{}
	calls   int
}

func (b *blockingKeyring) wait() {
	b.fakeKeyring.mu.Lock()
	b.calls++
	b.fakeKeyring.mu.Unlock()
	b.hung <- struct{}{}
	<-b.release
}

func (b *blockingKeyring) callCount() int {
	b.fakeKeyring.mu.Lock()
	defer b.fakeKeyring.mu.Unlock()
	return b.calls
}

func (b *blockingKeyring) Get(service, user string) (string, error) {
	b.wait()
	return b.fakeKeyring.Get(service, user)
}

func (b *blockingKeyring) Set(service, user, secret string) error {
	b.wait()
	return b.fakeKeyring.Set(service, user, secret)
}

func (b *blockingKeyring) Delete(service, user string) error {
	b.wait()
	return b.fakeKeyring.Delete(service, user)
}
