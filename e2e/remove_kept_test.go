package e2e

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/setupwizard/setupwizard/internal/store"
)

// readIndex is the world's entries.json, byte for byte.
func (w *world) readIndex() []byte {
	w.t.Helper()
	b, err := os.ReadFile(filepath.Join(w.configDir, store.IndexFile))
	if err != nil {
		w.t.Fatal(err)
	}
	return b
}

// clean fails the test unless the world's index and keyring hold exactly
// want entries of p's service, whole, with nothing pending or orphaned.
func (w *world) clean(p provCase, want int) {
	w.t.Helper()
	if a := w.auditDomain(p.domain); len(a.orphans) > 0 || len(a.corrupt) > 0 || a.bad != "" || a.pending != 0 || a.entries != want {
		w.t.Fatalf("%v, want %d entries and nothing else", a, want)
	}
}

// TestFailedRemoveKeepsAccount (issue 17, item 1): a --remove that fails
// before it deleted anything says the account is kept, and it is: the
// index is byte for byte as it was, and the next writing command (here a
// --status, which once finished the remove silently and then advised a
// --reauth of the account it had just deleted) finds the account signed
// in, its keyring items whole. A remove that works then still removes it.
func TestFailedRemoveKeepsAccount(t *testing.T) {
	firstPassOnly(t)
	p := providers[0]
	remove := []string{"--remove", "--account", p.uniqueID, "--yes"}
	// indexKept checks the failed remove left entries.json as it was.
	indexKept := func(t *testing.T, w *world, before []byte) {
		t.Helper()
		if !bytes.Equal(w.readIndex(), before) {
			t.Errorf("the failed remove changed entries.json:\n%s\nwas:\n%s", w.readIndex(), before)
		}
	}
	// signedIn checks the next --status finds the account signed in, and
	// (id not "") still the entry id.
	signedIn := func(t *testing.T, w *world, id string) {
		t.Helper()
		if s := w.mustRun(0, "", "--status"); !strings.Contains(s.stdout, "signed in") {
			t.Errorf("--status after the failed remove:\n%s", s.stdout)
		}
		if id == "" {
			return
		}
		if got := w.entry(p.domain); got.ID != id {
			t.Errorf("entry %s, want %s", got.ID, id)
		}
	}
	t.Run("keyring unreachable", func(t *testing.T) {
		w := newWorld(t)
		e := addScripted(t, w, p)
		before, items := w.readIndex(), len(itemsOf(t, p.domain, e.ID))
		r := w.runQuietEnv(noBus, "", remove...)
		w.record(r, remove...)
		if r.code != 3 || !strings.Contains(r.stderr, "Nothing was removed") {
			t.Errorf("--remove without a keyring: exit %d, want 3 saying nothing was removed\n%s", r.code, r.stderr)
		}
		indexKept(t, w, before)
		signedIn(t, w, e.ID)
		if n := len(itemsOf(t, p.domain, e.ID)); n != items {
			t.Errorf("%d keyring items after the failed remove and a --status, %d before", n, items)
		}
		w.clean(p, 1)
		w.mustRun(0, "", remove...)
		w.clean(p, 0)
	})
	t.Run("keyring locked", func(t *testing.T) {
		w := newWorld(t)
		k := newOwnKeyring(t)
		w.useKeyring(k)
		e := addScripted(t, w, p)
		before := w.readIndex()
		lockCollections(t, k.addr)
		r := w.run("", remove...)
		if r.code != 3 || !strings.Contains(r.stderr, "Nothing was removed") {
			t.Errorf("--remove with the keyring locked: exit %d, want 3 saying nothing was removed\n%s", r.code, r.stderr)
		}
		indexKept(t, w, before)
		// Unlocked again (as a person would), the next command finds the
		// account whole.
		k.stopDaemon()
		k.startDaemon()
		signedIn(t, w, e.ID)
		w.clean(p, 1)
	})
	t.Run("keyring gone at the first delete", func(t *testing.T) {
		// The manifest was read; the keyring daemon dies as the remove's
		// first write (its tombstone) is on its way and never lands.
		w := newWorld(t)
		k := newOwnKeyring(t)
		w.useKeyring(k)
		e := addScripted(t, w, p)
		proxy := newBusProxy(t, w.bus())
		proxy.armWhen(func(d string) bool { return d == "set "+e.ID }, hold)
		go func() {
			<-proxy.held
			k.killDaemon()
			close(proxy.release)
		}()
		r := w.runProxied(proxy, "", remove...)
		if !proxy.didAct() {
			t.Fatalf("the remove never wrote (writes %v, exit %d)\n%s", proxy.log(), r.code, r.stderr)
		}
		// It cannot ask the dead keyring whether the write landed: it
		// says so, and the next command judges from the keyring.
		if r.code != 3 || !strings.Contains(r.stderr, "Nothing was removed") && !strings.Contains(r.stderr, "did not finish") {
			t.Errorf("exit %d, want 3 saying what became of the account\n%s", r.code, r.stderr)
		}
		k.startDaemon()
		signedIn(t, w, "")
		w.clean(p, 1)
	})
}

// TestRemoveFinishedByRecoveryLeavesNothing (issue 17, item 9): a remove
// killed after its tombstone landed (it had begun deleting) is finished
// by the next writing command, which reports the account as removed; then
// nothing of it stays: no keyring item, no refresh lock file.
func TestRemoveFinishedByRecoveryLeavesNothing(t *testing.T) {
	firstPassOnly(t)
	p := providers[0]
	w := newWorld(t)
	e := addScripted(t, w, p)
	w.mustRun(0, "", "--status") // makes refresh/<id>.lock
	lock := filepath.Join(w.configDir, store.RefreshLockDir, e.ID+".lock")
	if _, err := os.Stat(lock); err != nil {
		t.Fatalf("--status made no refresh lock file: %v", err)
	}
	proxy := newBusProxy(t, w.bus())
	proxy.armWhen(func(d string) bool { return d == "set "+e.ID }, killAfterReply)
	r := w.runProxied(proxy, "", "--remove", "--account", p.uniqueID, "--yes")
	if !proxy.didAct() || r.code != -1 {
		t.Fatalf("the remove was not killed after its first write (writes %v, exit %d)\n%s", proxy.log(), r.code, r.stderr)
	}
	s := w.mustRun(0, "", "--status")
	if !strings.Contains(s.stdout, "removed while it was being checked") {
		t.Errorf("--status finishing the remove:\n%s%s", s.stdout, s.stderr)
	}
	if strings.Contains(s.stdout+s.stderr, "--reauth") {
		t.Errorf("--status advises a reauth of a removed account:\n%s%s", s.stdout, s.stderr)
	}
	w.clean(p, 0)
	if _, err := os.Stat(lock); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the removed entry's refresh lock file stays: %v", err)
	}
}

// TestStatusRacingRemove (issue 17, item 8): --status never reports an
// account that another setupwizard is removing as unreadable, nor advises
// a --reauth of it: it is reported as removed (or not listed at all, when
// the remove was done before --status read the list).
func TestStatusRacingRemove(t *testing.T) {
	firstPassOnly(t)
	p := providers[0]
	bad := []string{"cannot be read", "--reauth", "could not check"}
	t.Run("cache read mid-remove", func(t *testing.T) {
		// Deterministic: --status is held at its keyring probe (past its
		// lock, before the cache read); the remove is held after its
		// tombstone; then --status reads the cache.
		w := newWorld(t)
		e := addScripted(t, w, p)
		statusProxy := newBusProxy(t, w.bus())
		statusProxy.armWhen(nth(1, func(d string) bool { return d == "delete" }), hold)
		statusDone := make(chan result, 1)
		go func() {
			r, err := w.proxiedRun(statusProxy, 3*exitWait, "", "--status")
			if err != nil {
				r.stderr += err.Error()
			}
			statusDone <- r
		}()
		<-statusProxy.held
		removeProxy := newBusProxy(t, w.bus())
		removeProxy.armWhen(nth(1, func(d string) bool { return d == "delete" }), hold)
		removeDone := make(chan result, 1)
		go func() {
			r, err := w.proxiedRun(removeProxy, 3*exitWait, "", "--remove", "--account", p.uniqueID, "--yes")
			if err != nil {
				r.stderr += err.Error()
			}
			removeDone <- r
		}()
		select {
		case <-removeProxy.held:
		case r := <-removeDone:
			t.Fatalf("the remove ended before its first delete: exit %d\n%s", r.code, r.stderr)
		}
		close(statusProxy.release)
		s := <-statusDone
		close(removeProxy.release)
		rm := <-removeDone
		w.record(s, "--status")
		w.record(rm, "--remove")
		if s.code != 0 || !strings.Contains(s.stdout, "removed while it was being checked") {
			t.Errorf("--status while the remove deletes: exit %d\n%s%s", s.code, s.stdout, s.stderr)
		}
		for _, b := range bad {
			if strings.Contains(s.stdout+s.stderr, b) {
				t.Errorf("--status says %q of an account being removed:\n%s%s", b, s.stdout, s.stderr)
			}
		}
		if rm.code != 0 {
			t.Errorf("--remove: exit %d\n%s", rm.code, rm.stderr)
		}
		w.clean(p, 0)
		if _, err := os.Stat(filepath.Join(w.configDir, store.RefreshLockDir, e.ID+".lock")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("the removed entry's refresh lock file stays: %v", err)
		}
	})
	t.Run("many processes", func(t *testing.T) {
		// The mix that found it: one remove among several --status runs
		// started together, a few rounds.
		w := newWorld(t)
		const statuses, rounds = 7, 3
		for round := range rounds {
			e := addScripted(t, w, p)
			var wg sync.WaitGroup
			results := make([]result, statuses+1)
			for i := range results {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if i == statuses/2 {
						results[i] = w.runQuiet("", "--remove", "--account", p.uniqueID, "--yes")
						return
					}
					results[i] = w.runQuiet("", "--status")
				}()
			}
			wg.Wait()
			for i, r := range results {
				w.record(r, fmt.Sprint("round ", round, " process ", i))
				if r.code != 0 {
					t.Errorf("round %d process %d: exit %d\n%s%s", round, i, r.code, r.stdout, r.stderr)
				}
				for _, b := range bad {
					if strings.Contains(r.stdout+r.stderr, b) {
						t.Errorf("round %d process %d says %q:\n%s%s", round, i, b, r.stdout, r.stderr)
					}
				}
			}
			w.clean(p, 0)
			if _, err := os.Stat(filepath.Join(w.configDir, store.RefreshLockDir, e.ID+".lock")); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("round %d: the removed entry's refresh lock file stays: %v", round, err)
			}
		}
	})
}

// TestSignalledRefreshLeavesNoLock (issue 17, item 9): a --status killed
// by a signal while it holds an account's refresh lock, then a --remove of
// the account: nothing of it stays in the config dir.
func TestSignalledRefreshLeavesNoLock(t *testing.T) {
	firstPassOnly(t)
	for _, p := range providers {
		if p.domain != "librus" {
			continue // the librus emulator can hold a refresh at its door
		}
		for _, sig := range []syscall.Signal{syscall.SIGKILL, syscall.SIGTERM, syscall.SIGINT} {
			t.Run(sig.String(), func(t *testing.T) {
				w := newWorld(t)
				e := addScripted(t, w, p)
				g, ok := w.emus[p.domain].(interface {
					Gate(string) (<-chan struct{}, func())
				})
				if !ok {
					t.Skip("the emulator cannot hold a request")
				}
				reached, open := g.Gate("/refreshToken")
				defer open()
				cmd := exec.Command(binary, "--status", "--timeout", "1m")
				cmd.Env = w.env()
				var out bytes.Buffer
				cmd.Stdout, cmd.Stderr = &out, &out
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				select {
				case <-reached:
				case <-time.After(exitWait):
					_ = cmd.Process.Kill()
					t.Fatal("--status never sent its refresh")
				}
				_ = cmd.Process.Signal(sig)
				done := make(chan struct{})
				go func() { _ = cmd.Wait(); close(done) }()
				select {
				case <-done:
				case <-time.After(exitWait):
					_ = cmd.Process.Kill()
					<-done
					t.Errorf("--status did not end on %v", sig)
				}
				open()
				w.record(result{stdout: out.String()}, "--status")
				w.mustRun(0, "", "--remove", "--account", p.uniqueID, "--yes")
				w.clean(p, 0)
				left, _ := filepath.Glob(filepath.Join(w.configDir, store.RefreshLockDir, "*"))
				for _, l := range left {
					if strings.Contains(l, e.ID) {
						t.Errorf("left in the config dir: %s", l)
					}
				}
			})
		}
	}
}

// lockCollections locks every collection of the Secret Service on bus, as
// a screen lock or a keyring timeout does.
func lockCollections(t *testing.T, bus string) {
	t.Helper()
	conn, err := dbus.Connect(bus)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	svc := conn.Object("org.freedesktop.secrets", "/org/freedesktop/secrets")
	v, err := svc.GetProperty("org.freedesktop.Secret.Service.Collections")
	if err != nil {
		t.Fatal(err)
	}
	cols, _ := v.Value().([]dbus.ObjectPath)
	var locked []dbus.ObjectPath
	var prompt dbus.ObjectPath
	if err := svc.Call("org.freedesktop.Secret.Service.Lock", 0, cols).Store(&locked, &prompt); err != nil {
		t.Fatal(err)
	}
	if len(locked) == 0 || prompt != "/" {
		t.Fatalf("locked %v, prompt %v: the keyring would not lock", locked, prompt)
	}
}
