package e2e

import (
	"strings"
	"testing"

	"github.com/setupwizard/setupwizard/internal/store"
	"github.com/setupwizard/setupwizard/internal/testenv/keyrings"
)

// TestKeyringMatrixLifecycle is the scripted life of an account through
// the compiled binary against whatever Secret Service the environment
// provides (./scripts/test-keyrings runs it against gnome-keyring, KWallet
// and KeePassXC): add with --password-stdin, --status, --token, the grant
// expired by the service, --reauth, --remove, and then no item of the
// account left in the keyring. Each step is a new process, so every
// replace is one connection replacing another's item (the case that opens
// a dialog on KeePassXC when done with CreateItem).
func TestKeyringMatrixLifecycle(t *testing.T) {
	forEachProvider(t, func(t *testing.T, p provCase) {
		w := newWorld(t)
		e := addScripted(t, w, p)
		if r := w.mustRun(0, "", "--status"); !strings.Contains(r.stdout, "signed in") {
			t.Fatalf("--status after the add:\n%s", r.stdout)
		}
		if r := w.mustRun(0, "", "--token", "--account", p.login); strings.TrimSpace(r.stdout) == "" {
			t.Fatalf("--token printed nothing")
		}
		p.expire(w)
		if r := w.mustRun(4, "", "--status"); !strings.Contains(r.stdout, "auth_expired") {
			t.Fatalf("--status after the service expired the grant:\n%s", r.stdout)
		}
		w.mustRun(0, w.secret(p.password)+"\n", "--reauth", "--account", p.login, "-u", p.login, "--password-stdin")
		w.mustRun(0, "", "--status")
		w.mustRun(0, "", "--token", "--account", p.login)
		if len(itemsOf(t, p.domain, e.ID)) == 0 {
			t.Fatalf("no keyring item of entry %s before the remove", e.ID)
		}
		w.mustRun(0, "", "--remove", "--account", p.login, "--yes")
		if l := w.list(); len(l) != 0 {
			t.Fatalf("entries after --remove: %+v", l)
		}
		if left := itemsOf(t, p.domain, e.ID); len(left) != 0 {
			t.Fatalf("--remove left keyring items: %v", names(left))
		}
	})
}

// TestRemoveLeavesLookAlike: another program's keyring item with the
// service and username of an account's manifest (another label) is not
// read in its place (--status still finds the account signed in), and
// --remove deletes every item of setupwizard's own, leaves the look-alike
// untouched, and says so.
func TestRemoveLeavesLookAlike(t *testing.T) {
	p := providers[0]
	w := newWorld(t)
	e := addScripted(t, w, p)
	const label, secret = "Another program's token", "not-setupwizard's"
	createLookAlike(t, store.Service(p.domain), e.ID, label, secret)

	if r := w.mustRun(0, "", "--status"); !strings.Contains(r.stdout, "signed in") {
		t.Fatalf("--status beside a look-alike:\n%s", r.stdout)
	}
	r := w.mustRun(0, "", "--remove", "--account", p.login, "--yes")
	if !strings.Contains(r.stdout, "written by another program") || !strings.Contains(r.stdout, label) {
		t.Errorf("--remove does not say what it left:\n%s", r.stdout)
	}
	left := itemsOf(t, p.domain, e.ID)
	if len(left) != 1 || left[0].secret != secret {
		t.Fatalf("after --remove: %v, want only the look-alike, untouched", names(left))
	}
}

// createLookAlike writes, as another program would, an item with the two
// attributes setupwizard looks up by and another label (replace=false:
// a replacing program would take over setupwizard's item instead).
func createLookAlike(t *testing.T, service, user, label, secret string) {
	t.Helper()
	item, err := keyrings.CreateLookAlike(service, user, label, secret)
	if err != nil {
		t.Fatalf("create the look-alike: %v%s", err, keyringState())
	}
	t.Cleanup(func() { _ = keyrings.DeleteItem(item) })
}
