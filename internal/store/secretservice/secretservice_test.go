package secretservice

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/godbus/dbus/v5"
	"github.com/setupwizard/setupwizard/internal/testenv"
	"github.com/zalando/go-keyring"
)

// testService keeps these items apart from the store's tests.
const testService = "setupwizard:sstest"

// uniqueUser is an item name no other test (or earlier run) uses.
func uniqueUser(t testing.TB) string {
	t.Helper()
	var b [6]byte
	_, _ = rand.Read(b[:])
	return strings.ReplaceAll(t.Name(), "/", "_") + "-" + hex.EncodeToString(b[:])
}

// newClient is a client closed at the end of the test.
func newClient(t testing.TB) *Client {
	t.Helper()
	c := &Client{}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// clientWithItem is a client (closed at the end) and the user name of a
// fresh item it wrote with value (deleted at the end), on the real
// Secret Service.
func clientWithItem(tb testing.TB, value string) (*Client, string) {
	tb.Helper()
	testenv.RealKeyring(tb)
	c := newClient(tb)
	user := uniqueUser(tb)
	tb.Cleanup(func() { _ = keyring.Delete(testService, user) })
	if err := c.Set(testService, user, value); err != nil {
		tb.Fatal(err)
	}
	return c, user
}

// backend is one side of the interoperability tests.
type backend struct {
	name string
	get  func(service, user string) (string, error)
	set  func(service, user, secret string) error
	del  func(service, user string) error
}

func backends(c *Client) []backend {
	return []backend{
		{"go-keyring", keyring.Get, keyring.Set, keyring.Delete},
		{"session", c.Get, c.Set, c.Delete},
	}
}

// TestInterop: whatever writes an item (go-keyring, as older setupwizards
// did, or this client), the other reads it, overwrites the same item (never
// a second one), and deletes it, against the real Secret Service.
func TestInterop(t *testing.T) {
	testenv.RealKeyring(t)
	c := newClient(t)
	// A chunk-sized value with bytes a careless encoding would mangle.
	value := strings.Repeat("zażółć\u00a0{\"k\":\"v\"}\n", 90)
	for _, w := range backends(c) {
		for _, r := range backends(c) {
			t.Run(w.name+"_then_"+r.name, func(t *testing.T) {
				if w.name == "session" && r.name == "go-keyring" && testenv.Keyring() == "keepassxc" {
					// go-keyring replaces with CreateItem(replace=true): KeePassXC
					// up to 2.7.5 then asks, in a dialog, for access to the item
					// this client's connection created (docs/storage.md).
					t.Skip("KeePassXC opens an access dialog when go-keyring replaces another connection's item")
				}
				user := uniqueUser(t)
				t.Cleanup(func() { _ = keyring.Delete(testService, user) })
				if err := w.set(testService, user, value); err != nil {
					t.Fatalf("%s Set: %v", w.name, err)
				}
				if got, err := r.get(testService, user); err != nil || got != value {
					t.Fatalf("%s Get after %s Set: %d bytes, %v", r.name, w.name, len(got), err)
				}
				if err := r.set(testService, user, "second"); err != nil {
					t.Fatalf("%s Set over %s's item: %v", r.name, w.name, err)
				}
				for _, b := range backends(c) {
					if got, err := b.get(testService, user); err != nil || got != "second" {
						t.Fatalf("%s Get after overwrite: %q, %v", b.name, got, err)
					}
				}
				items := searchAll(t, c, user)
				if len(items) != 1 {
					t.Fatalf("%d items for one name after two writes, want 1", len(items))
				}
				// The client replaces with SetSecret, so the item keeps the
				// label of whoever created it: go-keyring's, or this client's
				// (no "/": KWallet makes folders of it). go-keyring replaces
				// with CreateItem, which relabels on some keyrings.
				want := fmt.Sprintf("Password for '%s' on '%s'", user, testService)
				if w.name == "session" {
					want = Label(testService, user)
				}
				if label := itemLabel(t, c, items[0]); label != want && r.name == "session" {
					t.Errorf("label %q, want %q", label, want)
				}
				if err := w.del(testService, user); err != nil {
					t.Fatalf("%s Delete: %v", w.name, err)
				}
				for _, b := range backends(c) {
					if _, err := b.get(testService, user); !errors.Is(err, keyring.ErrNotFound) {
						t.Errorf("%s Get after %s Delete: %v, want keyring.ErrNotFound", b.name, w.name, err)
					}
					if err := b.del(testService, user); !errors.Is(err, keyring.ErrNotFound) {
						t.Errorf("%s Delete of a missing item: %v, want keyring.ErrNotFound", b.name, err)
					}
				}
			})
		}
	}
}

// searchAll lists the items with the two attributes in every collection
// (Service.SearchItems, unlocked and locked), not only the one the client
// uses.
func searchAll(t testing.TB, c *Client, user string) []dbus.ObjectPath {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.open(); err != nil {
		t.Fatal(err)
	}
	var unlocked, locked []dbus.ObjectPath
	err := c.conn.Object(serviceName, servicePath).
		Call(serviceInterface+".SearchItems", 0, attributes(testService, user)).
		Store(&unlocked, &locked)
	if err != nil {
		t.Fatalf("Service.SearchItems: %v", err)
	}
	return append(unlocked, locked...)
}

func itemLabel(t testing.TB, c *Client, item dbus.ObjectPath) string {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	v, err := c.conn.Object(serviceName, item).GetProperty(itemInterface + ".Label")
	if err != nil {
		t.Fatalf("Label of %s: %v", item, err)
	}
	s, _ := v.Value().(string)
	return s
}

// TestOneSession: reads and writes after the first reuse its session.
func TestOneSession(t *testing.T) {
	c, user := clientWithItem(t, "v")
	for range 5 {
		if got, err := c.Get(testService, user); err != nil || got != "v" {
			t.Fatalf("Get: %q, %v", got, err)
		}
	}
	if _, err := c.Get(testService, user+"-missing"); !errors.Is(err, keyring.ErrNotFound) {
		t.Fatalf("Get of a missing item: %v", err)
	}
	if err := c.Delete(testService, user); err != nil {
		t.Fatal(err)
	}
	if n := c.Sessions(); n != 1 {
		t.Fatalf("%d sessions opened for 8 calls, want 1", n)
	}
}

// TestReconnect: a session or connection found gone (as after a
// gnome-keyring restart) is opened again and the call retried once, so the
// caller sees no error.
func TestReconnect(t *testing.T) {
	testenv.RealKeyring(t)
	for _, tc := range []struct {
		name   string
		break_ func(t *testing.T, c *Client)
	}{
		{"session closed by the service", func(t *testing.T, c *Client) {
			// The service forgets the session, the connection stays up:
			// GetSecret and CreateItem then fail with NoSession or
			// UnknownObject.
			err := c.conn.Object(serviceName, c.session).Call(sessionInterface+".Close", 0).Err
			if err != nil {
				t.Fatalf("Session.Close: %v", err)
			}
		}},
		{"connection closed", func(t *testing.T, c *Client) {
			if err := c.conn.Close(); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newClient(t)
			user := uniqueUser(t)
			t.Cleanup(func() { _ = keyring.Delete(testService, user) })
			if err := c.Set(testService, user, "before"); err != nil {
				t.Fatal(err)
			}
			c.mu.Lock()
			tc.break_(t, c)
			c.mu.Unlock()
			if got, err := c.Get(testService, user); err != nil || got != "before" {
				t.Fatalf("Get after the break: %q, %v", got, err)
			}
			c.mu.Lock()
			tc.break_(t, c)
			c.mu.Unlock()
			if err := c.Set(testService, user, "after"); err != nil {
				t.Fatalf("Set after the break: %v", err)
			}
			if got, err := keyring.Get(testService, user); err != nil || got != "after" {
				t.Fatalf("go-keyring Get: %q, %v", got, err)
			}
			if n := c.Sessions(); n != 3 {
				t.Fatalf("%d sessions, want 3 (one per break)", n)
			}
		})
	}
}

// TestConcurrent: calls from many goroutines on one client (run with -race).
func TestConcurrent(t *testing.T) {
	testenv.RealKeyring(t)
	c := newClient(t)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := range 4 {
		user := fmt.Sprintf("%s-%d", uniqueUser(t), i)
		t.Cleanup(func() { _ = keyring.Delete(testService, user) })
		wg.Go(func() {
			for j := range 3 {
				v := fmt.Sprint(j)
				if err := c.Set(testService, user, v); err != nil {
					errs <- err
					return
				}
				if got, err := c.Get(testService, user); err != nil || got != v {
					errs <- fmt.Errorf("Get %s: %q, %v", user, got, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := c.Sessions(); n != 1 {
		t.Errorf("%d sessions, want 1", n)
	}
}

// TestNoBus: without a reachable bus every call fails with the dial error
// (which the store classifies), and a later call tries again.
func TestNoBus(t *testing.T) {
	dials := 0
	c := &Client{connect: func() (*dbus.Conn, error) {
		dials++
		return dbus.Connect("unix:path=" + t.TempDir() + "/no-bus")
	}}
	for range 2 {
		_, err := c.Get(testService, "x")
		if err == nil || !strings.Contains(err.Error(), "dial unix") || errors.Is(err, keyring.ErrNotFound) {
			t.Fatalf("Get without a bus: %v", err)
		}
	}
	if dials != 2 {
		t.Fatalf("%d dials, want one per call", dials)
	}
}

// TestGone: the errors that trigger the one retry, and those that do not.
func TestGone(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{dbus.ErrClosed, true},
		{fmt.Errorf("x: %w", dbus.Error{Name: "org.freedesktop.Secret.Error.NoSession"}), true},
		{dbus.Error{Name: "org.freedesktop.DBus.Error.UnknownObject"}, true},
		{&dbus.Error{Name: "org.freedesktop.DBus.Error.UnknownObject"}, true},
		{dbus.Error{Name: "org.freedesktop.Secret.Error.IsLocked"}, false},
		{dbus.Error{Name: "org.freedesktop.DBus.Error.ServiceUnknown"}, false},
		{keyring.ErrNotFound, false},
		{errors.New("dial unix /x: connect: no such file or directory"), false},
	} {
		if got := gone(tc.err); got != tc.want {
			t.Errorf("gone(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}

// TestWrapKeepsName: the D-Bus error name stays in the text, where the
// store's classification looks for "IsLocked" and "ServiceUnknown".
func TestWrapKeepsName(t *testing.T) {
	err := wrap("GetSecret", dbus.Error{Name: "org.freedesktop.Secret.Error.IsLocked", Body: []any{"Cannot get secret of a locked object"}})
	if !strings.Contains(err.Error(), "IsLocked") || !strings.Contains(err.Error(), "locked object") {
		t.Fatalf("%v", err)
	}
}

// BenchmarkGet reads one 2000-byte item through a kept session and through
// go-keyring (a session per call), against the real Secret Service.
func BenchmarkGet(b *testing.B) {
	c, user := clientWithItem(b, strings.Repeat("x", 2000))
	for _, bk := range backends(c) {
		b.Run(bk.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := bk.get(testService, user); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestVanishedItem: an item deleted between SearchItems and GetSecret (or
// Delete), as when another setupwizard drops an old generation's chunk
// mid-read, is missing (keyring.ErrNotFound), not a keyring failure, and
// costs no reconnection.
func TestVanishedItem(t *testing.T) {
	testenv.RealKeyring(t)
	c := newClient(t)
	user := uniqueUser(t)
	if err := c.Set(testService, user, "v"); err != nil {
		t.Fatal(err)
	}
	c.mu.Lock()
	items, err := c.search(testService, user)
	c.mu.Unlock()
	if err != nil || len(items) != 1 {
		t.Fatalf("search: %v %v", items, err)
	}
	if err := keyring.Delete(testService, user); err != nil {
		t.Fatal(err)
	}
	c.mu.Lock()
	_, errRead := c.read(items[0])
	var prompt dbus.ObjectPath
	errDelete := c.conn.Object(serviceName, items[0]).Call(itemInterface+".Delete", 0).Store(&prompt)
	c.mu.Unlock()
	if !errors.Is(errRead, keyring.ErrNotFound) {
		t.Errorf("read of a deleted item: %v, want keyring.ErrNotFound", errRead)
	}
	if !vanished(errDelete) {
		t.Errorf("Delete of a deleted item: %v, not recognised as vanished", errDelete)
	}
	if n := c.Sessions(); n != 1 {
		t.Errorf("%d sessions, want 1", n)
	}
}

// TestShutdown: Shutdown lets a call already running finish, closes the
// connection, and every later call fails with ErrShutdown without reaching
// the bus (a process leaving the keyring opens nothing new on its way out).
func TestShutdown(t *testing.T) {
	c, user := clientWithItem(t, "v")
	running := make(chan error, 1)
	go func() {
		_, err := c.Get(testService, user)
		running <- err
	}()
	if err := c.Shutdown(); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if err := <-running; err != nil && !errors.Is(err, ErrShutdown) {
		t.Fatalf("a Get racing Shutdown: %v, want success or ErrShutdown", err)
	}
	for name, call := range map[string]func() error{
		"Get":    func() error { _, err := c.Get(testService, user); return err },
		"Set":    func() error { return c.Set(testService, user, "w") },
		"Delete": func() error { return c.Delete(testService, user) },
	} {
		if err := call(); !errors.Is(err, ErrShutdown) {
			t.Errorf("%s after Shutdown: %v, want ErrShutdown", name, err)
		}
	}
	if n := c.Sessions(); n != 1 {
		t.Errorf("%d sessions opened, want 1 (nothing reconnects after Shutdown)", n)
	}
	if got, err := keyring.Get(testService, user); err != nil || got != "v" {
		t.Errorf("the item after Shutdown: %q, %v (want it untouched)", got, err)
	}
}

// BenchmarkOps times one replace (Item.SetSecret on the existing item), one
// read, and one create plus delete of a 2000-byte item through a kept
// session, against the real Secret Service (./scripts/test-keyrings runs
// it on each keyring).
func BenchmarkOps(b *testing.B) {
	c, user := clientWithItem(b, strings.Repeat("x", 2000))
	v := strings.Repeat("y", 2000)
	b.Run("replace", func(b *testing.B) {
		for b.Loop() {
			if err := c.Set(testService, user, v); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("get", func(b *testing.B) {
		for b.Loop() {
			if _, err := c.Get(testService, user); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("create+delete", func(b *testing.B) {
		other := user + "-new"
		for b.Loop() {
			if err := c.Set(testService, other, v); err != nil {
				b.Fatal(err)
			}
			if err := c.Delete(testService, other); err != nil {
				b.Fatal(err)
			}
		}
	})
}
