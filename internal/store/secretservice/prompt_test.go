package secretservice

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// silentPrompter plays the desktop's password dialog (gcr's system
// prompter, which gnome-keyring asks over D-Bus) with nobody in front of
// it: it tells the test a prompt began and answers only when released.
type silentPrompter struct {
	began   chan struct{}
	release chan struct{}
}

func (p *silentPrompter) BeginPrompting(dbus.ObjectPath) *dbus.Error {
	select {
	case p.began <- struct{}{}:
	default:
	}
	<-p.release
	return dbus.MakeFailedError(os.ErrClosed)
}

// TestPromptWaiting: a locked login keyring whose unlock prompt nobody
// answers keeps the call waiting (the store's timeout then reports "a
// password prompt may be waiting", the fourth situation of README's
// Servers and SSH); once the prompt fails the call ends as locked.
func TestPromptWaiting(t *testing.T) {
	p := startPrivateKeyring(t)
	c := p.client()
	if err := c.Set(testService, "u", "v"); err != nil { // creates the login keyring
		t.Fatal(err)
	}
	_ = c.Close()
	p.stop()

	// The same keyring, locked: no password on stdin.
	kr := exec.Command("gnome-keyring-daemon", "--foreground", "--components=secrets")
	kr.Env = append(os.Environ(),
		"DBUS_SESSION_BUS_ADDRESS="+p.addr,
		"XDG_RUNTIME_DIR="+filepath.Join(p.dir, "run"),
		"HOME="+p.dir,
		"XDG_DATA_HOME="+filepath.Join(p.dir, "data"),
	)
	if err := kr.Start(); err != nil {
		t.Fatal(err)
	}
	p.kr = kr
	p.waitOwner(true)

	conn, err := dbus.Connect(p.addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	sp := &silentPrompter{began: make(chan struct{}, 1), release: make(chan struct{})}
	released := false
	release := func() {
		if !released {
			released = true
			close(sp.release)
		}
	}
	t.Cleanup(release)
	if err := conn.Export(sp, "/org/gnome/keyring/Prompter", "org.gnome.keyring.internal.Prompter"); err != nil {
		t.Fatal(err)
	}
	if r, err := conn.RequestName("org.gnome.keyring.SystemPrompter", dbus.NameFlagDoNotQueue); err != nil || r != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("own the prompter's name: %v %v", r, err)
	}

	done := make(chan error, 1)
	go func() {
		_, err := p.client().Get(testService, "u")
		done <- err
	}()
	select {
	case <-sp.began:
	case err := <-done:
		t.Fatalf("Get of a locked keyring ended without a prompt: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("no prompt began within 30 s")
	}
	select {
	case err := <-done:
		t.Fatalf("Get returned while the prompt waits: %v", err)
	default:
	}
	release()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("Get succeeded though the prompt failed")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Get still waits after the prompt failed")
	}
}
