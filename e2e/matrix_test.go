package e2e

import (
	"strings"
	"testing"
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
