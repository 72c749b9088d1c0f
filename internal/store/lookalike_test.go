//go:build linux || freebsd || openbsd || netbsd || dragonfly

package store_test

import (
	"bytes"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/godbus/dbus/v5"
	"github.com/setupwizard/setupwizard/internal/store"
	"github.com/setupwizard/setupwizard/internal/testenv"
	"github.com/setupwizard/setupwizard/internal/testenv/keyrings"
)

// storeForeign writes, as another program would, an item with the
// service and username attributes of one of setupwizard's but another
// label. It creates with replace=false: a program replacing would (on
// gnome-keyring) take over setupwizard's item instead of adding one.
func storeForeign(t *testing.T, service, user, label, secret string) {
	t.Helper()
	item, err := keyrings.CreateLookAlike(service, user, label, secret)
	if err != nil {
		t.Fatalf("create the look-alike: %v", err)
	}
	t.Cleanup(func() { _ = keyrings.DeleteItem(item) })
}

// foreignSecret is the secret secret-tool shows under label, or "".
func foreignSecret(t *testing.T, service, label string) string {
	t.Helper()
	out, _ := exec.Command("secret-tool", "search", "--all", "service", service).Output()
	var found bool
	for _, line := range strings.Split(string(out), "\n") {
		switch {
		case strings.HasPrefix(line, "["):
			found = false
		case line == "label = "+label:
			found = true
		case found && strings.HasPrefix(line, "secret = "):
			return strings.TrimPrefix(line, "secret = ")
		}
	}
	return ""
}

// TestLookAlikeItems: another program's item with the same service and
// username as an entry's manifest (another label) is never read, never
// overwritten and never deleted by setupwizard; a remove deletes every
// item of setupwizard's own and reports the look-alike as left behind.
func TestLookAlikeItems(t *testing.T) {
	testenv.RealKeyring(t)
	s, err := store.Open(t.TempDir(), realTimeout)
	if err != nil {
		t.Fatal(err)
	}
	added := mustAdd(t, s, newEntry(realDomain, "lookalike"), cacheOf(100, 1))
	t.Cleanup(func() { _ = s.Remove(bg, added.ID) })
	const label, secret = "Another program's token", "not-setupwizard's"
	service := store.Service(realDomain)
	storeForeign(t, service, added.ID, label, secret)

	// A replace rewrites the manifest: setupwizard's, never the look-alike.
	cache := cacheOf(5000, 2)
	if _, err := s.ReplaceCache(bg, added.ID, cache, ""); err != nil {
		t.Fatalf("ReplaceCache beside a look-alike: %v", err)
	}
	if got := foreignSecret(t, service, label); got != secret {
		t.Fatalf("the look-alike after a replace: %q, want it untouched", got)
	}
	if got, _, err := s.LoadCache(bg, added.ID); err != nil || !bytes.Equal(got, cache) {
		t.Fatalf("LoadCache beside a look-alike: %d bytes, %v", len(got), err)
	}
	if err := s.Remove(bg, added.ID); err != nil {
		t.Fatalf("Remove: %v", err)
	}
	if left := secretToolItems(t, added.ID); len(left) != 0 {
		out, _ := exec.Command("secret-tool", "search", "--all", "service", store.Service(realDomain)).CombinedOutput()
		t.Fatalf("Remove left setupwizard's own items: %v\n%s", left, out)
	}
	if got := foreignSecret(t, service, label); got != secret {
		t.Fatalf("the look-alike after Remove: %q, want it untouched", got)
	}
	left, err := store.LeftBehind(added)
	if err != nil || !slices.Equal(left, []string{label}) {
		t.Fatalf("LeftBehind: %q, %v; want the look-alike's label", left, err)
	}
}

// TestNoFolderLeft: on KWallet, which makes a folder of every "/" in an
// item label and keeps it after the items are gone, an entry added and
// removed leaves no folder naming it.
func TestNoFolderLeft(t *testing.T) {
	testenv.RealKeyring(t)
	if testenv.Keyring() != "kwallet" {
		t.Skip("KWallet only (./scripts/test-keyrings)")
	}
	s, err := store.Open(t.TempDir(), realTimeout)
	if err != nil {
		t.Fatal(err)
	}
	e := mustAdd(t, s, newEntry(realDomain, "folders"), cacheOf(5000, 3))
	if _, err := s.ReplaceCache(bg, e.ID, cacheOf(4000, 4), ""); err != nil {
		t.Fatal(err)
	}
	if err := s.Remove(bg, e.ID); err != nil {
		t.Fatal(err)
	}
	for _, f := range kwalletFolders(t) {
		if strings.Contains(f, e.ID) {
			t.Errorf("KWallet folder %q left after the remove", f)
		}
	}
}

// kwalletFolders lists the folders of the wallet kdewallet through
// kwalletd5's own D-Bus interface.
func kwalletFolders(t *testing.T) []string {
	t.Helper()
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	w := conn.Object("org.kde.kwalletd5", "/modules/kwalletd5")
	const app = "setupwizard-test"
	var handle int32
	if err := w.Call("org.kde.KWallet.open", 0, "kdewallet", int64(0), app).Store(&handle); err != nil || handle < 0 {
		t.Fatalf("open the wallet: %d, %v", handle, err)
	}
	var folders []string
	if err := w.Call("org.kde.KWallet.folderList", 0, handle, app).Store(&folders); err != nil {
		t.Fatalf("folderList: %v", err)
	}
	return folders
}
