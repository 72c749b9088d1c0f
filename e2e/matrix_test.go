package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/setupwizard/setupwizard/internal/store"
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
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var ignored dbus.Variant
	var session dbus.ObjectPath
	svc := conn.Object("org.freedesktop.secrets", "/org/freedesktop/secrets")
	if err := svc.Call("org.freedesktop.Secret.Service.OpenSession", 0, "plain", dbus.MakeVariant("")).Store(&ignored, &session); err != nil {
		t.Fatalf("OpenSession: %v%s", err, keyringState())
	}
	props := map[string]dbus.Variant{
		"org.freedesktop.Secret.Item.Label":      dbus.MakeVariant(label),
		"org.freedesktop.Secret.Item.Attributes": dbus.MakeVariant(map[string]string{"service": service, "username": user}),
	}
	sec := struct {
		Session     dbus.ObjectPath
		Parameters  []byte
		Value       []byte
		ContentType string
	}{session, []byte{}, []byte(secret), "text/plain"}
	var item, prompt dbus.ObjectPath
	coll := conn.Object("org.freedesktop.secrets", "/org/freedesktop/secrets/aliases/default")
	if err := coll.Call("org.freedesktop.Secret.Collection.CreateItem", 0, props, sec, false).Store(&item, &prompt); err != nil {
		t.Fatalf("create the look-alike: %v%s", err, keyringState())
	}
	completePrompt(t, conn, prompt)
	t.Cleanup(func() {
		if c, err := dbus.ConnectSessionBus(); err == nil {
			_ = c.Object("org.freedesktop.secrets", item).Call("org.freedesktop.Secret.Item.Delete", 0).Err
			_ = c.Close()
		}
	})
}

// completePrompt shows a prompt the service returned (KeePassXC returns one
// for CreateItem) and waits for it to complete, not dismissed.
func completePrompt(t *testing.T, conn *dbus.Conn, prompt dbus.ObjectPath) {
	t.Helper()
	if prompt == "/" || prompt == "" {
		return
	}
	match := []dbus.MatchOption{dbus.WithMatchObjectPath(prompt), dbus.WithMatchInterface("org.freedesktop.Secret.Prompt")}
	if err := conn.AddMatchSignal(match...); err != nil {
		t.Fatal(err)
	}
	ch := make(chan *dbus.Signal, 4)
	conn.Signal(ch)
	if err := conn.Object("org.freedesktop.secrets", prompt).Call("org.freedesktop.Secret.Prompt.Prompt", 0, "").Err; err != nil {
		t.Fatalf("Prompt: %v", err)
	}
	timeout := time.After(10 * time.Second)
	for {
		select {
		case s := <-ch:
			if s.Path == prompt && len(s.Body) > 0 {
				if dismissed, _ := s.Body[0].(bool); dismissed {
					t.Fatal("the look-alike's prompt was dismissed")
				}
				return
			}
		case <-timeout:
			t.Fatal("the look-alike's prompt did not complete within 10 s")
		}
	}
}
