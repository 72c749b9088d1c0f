package store_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/setupwizard/setupwizard/internal/store"
)

// gateKeyring is a fakeKeyring whose first call matching hang blocks (a
// prompt nobody answers) until the test closes release.
type gateKeyring struct {
	*fakeKeyring
	hang    func(op, user string) bool
	hung    chan struct{} // closed when the hanging call starts
	release chan struct{}

	mu    sync.Mutex
	fired bool
	calls int
}

func newGate(kr *fakeKeyring, hang func(op, user string) bool) *gateKeyring {
	return &gateKeyring{fakeKeyring: kr, hang: hang, hung: make(chan struct{}), release: make(chan struct{})}
}

func (g *gateKeyring) gate(op, user string) {
	g.mu.Lock()
	g.calls++
	block := !g.fired && g.hang(op, user)
	if block {
		g.fired = true
		close(g.hung)
	}
	g.mu.Unlock()
	if block {
		<-g.release
	}
}

func (g *gateKeyring) callCount() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.calls
}

func (g *gateKeyring) Get(service, user string) (string, error) {
	g.gate("get", user)
	return g.fakeKeyring.Get(service, user)
}

func (g *gateKeyring) Set(service, user, secret string) error {
	g.gate("set", user)
	return g.fakeKeyring.Set(service, user, secret)
}

func (g *gateKeyring) Delete(service, user string) error {
	g.gate("delete", user)
	return g.fakeKeyring.Delete(service, user)
}

// nth matches the n-th call (1-based) of op.
func nth(op string, n int) func(string, string) bool {
	count := 0
	return func(o, _ string) bool {
		if o != op {
			return false
		}
		count++
		return count == n
	}
}

// hangTimeout is the keyring timeout of a store whose keyring hangs: the
// hang is held by a channel, so any value works; short keeps tests fast.
const hangTimeout = 20 * time.Millisecond

// settle waits for s's abandoned calls after the test released them; the
// deadline only turns a hang into a failure.
func settle(t *testing.T, s *store.Store) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if store.Pending(s) {
		t.Fatal("Pending after Close")
	}
}

// TestLateCallKeepsLock: a keyring call of a change that timed out keeps
// running; until it returns the store keeps entries.lock, so another
// process's change cannot run and then be clobbered by the late call.
func TestLateCallKeepsLock(t *testing.T) {
	cases := []struct {
		name string
		hang func(id string) func(op, user string) bool
		op   func(s *store.Store, id string) error
		// removed: the op is a remove, which the next change finishes.
		removed bool
	}{
		{"replace: the switch lands late", func(string) func(string, string) bool { return nth("set", 3) }, // intent, chunk, switch
			func(s *store.Store, id string) error {
				_, err := s.ReplaceCache(bg, id, []byte("from A"), "")
				return err
			}, false},
		{"remove: the manifest delete lands late", func(id string) func(string, string) bool {
			return func(op, user string) bool { return op == "delete" && user == id }
		}, func(s *store.Store, id string) error { return s.Remove(bg, id) }, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			base, kr := openFake(t)
			e := mustAdd(t, base, newEntry("librus", "jan"), cacheOf(4000, 1))
			gate := newGate(kr, c.hang(e.ID))
			a, err := store.Open(base.Dir(), store.WithKeyring(gate), store.WithTimeout(hangTimeout))
			if err != nil {
				t.Fatal(err)
			}
			err = c.op(a, e.ID)
			if !errors.Is(err, store.ErrKeyring) || !strings.Contains(err.Error(), "did not answer") || !strings.Contains(err.Error(), "entries.lock") {
				t.Fatalf("A: %v, want a timeout that says the lock is kept", err)
			}
			<-gate.hung
			if !store.Pending(a) {
				t.Fatal("A does not report its abandoned call")
			}

			// B is another setupwizard on the same dir (its own lock).
			b, err := store.Open(base.Dir(), store.WithKeyring(kr), store.WithLockTimeout(50*time.Millisecond))
			if err != nil {
				t.Fatal(err)
			}
			fromB := cacheOf(2000, 2)
			if _, err := b.ReplaceCache(bg, e.ID, fromB, ""); !errors.Is(err, store.ErrLocked) {
				t.Fatalf("B changed the cache while A's call was in the keyring: %v", err)
			}

			close(gate.release) // the late call lands
			settle(t, a)
			if c.removed {
				// B's change first finishes A's remove, as any change does.
				if _, err := b.ReplaceCache(bg, e.ID, fromB, ""); !errors.Is(err, store.ErrNotFound) {
					t.Fatalf("B after A's remove: %v, want the entry gone", err)
				}
				if items := kr.list(e.ID); len(items) != 0 {
					t.Fatalf("A's remove left %v", keys(items))
				}
				return
			}
			if _, err := b.ReplaceCache(bg, e.ID, fromB, ""); err != nil {
				t.Fatalf("B after A let go: %v", err)
			}
			if got, _, err := b.LoadCache(bg, e.ID); err != nil || !bytes.Equal(got, fromB) {
				t.Fatalf("B's cache: %d bytes, %v", len(got), err)
			}
			if items := kr.list(e.ID); len(items) != 2+1 {
				t.Fatalf("%d items, want B's 2 chunks + manifest: %v", len(items), keys(items))
			}
		})
	}
}

// TestQueuedCallGivesUp: a call queued behind a hung one gives up at its
// own timeout, ends its goroutine at once (no leak while the hung call
// never returns), never reaches the keyring, and says why in its own
// words.
func TestQueuedCallGivesUp(t *testing.T) {
	base, kr := openFake(t)
	e := mustAdd(t, base, newEntry("librus", "jan"), []byte("old"))
	gate := newGate(kr, func(string, string) bool { return true })
	s, err := store.Open(base.Dir(), store.WithKeyring(gate), store.WithTimeout(hangTimeout))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.LoadCache(bg, e.ID); err == nil {
		t.Fatal("LoadCache on a hung keyring succeeded")
	}
	exited := make(chan struct{}, 8)
	store.SetQueuedExit(s, func() { exited <- struct{}{} })
	_, _, err = s.LoadCache(bg, e.ID)
	if !errors.Is(err, store.ErrKeyring) || !strings.Contains(err.Error(), "an earlier keyring call never returned") ||
		!strings.Contains(err.Error(), "restart setupwizard") || strings.Contains(err.Error(), "unlock the keyring") {
		t.Fatalf("queued call: %v", err)
	}
	select {
	case <-exited:
	case <-time.After(30 * time.Second): // only turns a leak into a failure
		t.Fatal("the queued call's goroutine is still waiting for its turn")
	}
	if n := gate.callCount(); n != 1 {
		t.Fatalf("%d calls reached the keyring, want only the hung one", n)
	}
	close(gate.release)
	settle(t, s)
}

// TestTimedOutAddCleansUpLater: an Add whose chunk write hangs fails, and
// once the keyring answers, the items it wrote (the late one included) are
// deleted: go-keyring cannot list, so nothing could find them later.
func TestTimedOutAddCleansUpLater(t *testing.T) {
	dir := t.TempDir()
	kr := newFakeKeyring()
	gate := newGate(kr, nth("set", 2)) // chunk 1 of 4
	s, err := store.Open(dir, store.WithKeyring(gate), store.WithTimeout(hangTimeout))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Add(bg, newEntry("librus", "jan"), cacheOf(5000, 1)); !errors.Is(err, store.ErrKeyring) {
		t.Fatalf("Add: %v", err)
	}
	if list, err := s.Entries(bg); err != nil || len(list) != 0 {
		t.Fatalf("entries %v %v", list, err)
	}
	if len(kr.snapshot()) == 0 {
		t.Fatal("setup: chunk 0 should be in the keyring while chunk 1 hangs")
	}
	close(gate.release)
	settle(t, s)
	if items := kr.snapshot(); len(items) != 0 {
		t.Fatalf("%d items left after the keyring answered", len(items))
	}
	mustAdd(t, s, newEntry("librus", "jan"), cacheOf(5000, 1))
}

// TestTimedOutProbeCleansUpLater: the probe's item is deleted once its
// hung write lands.
func TestTimedOutProbeCleansUpLater(t *testing.T) {
	kr := newFakeKeyring()
	gate := newGate(kr, nth("set", 1))
	s, err := store.Open(t.TempDir(), store.WithKeyring(gate), store.WithTimeout(hangTimeout))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Probe(bg, "librus"); !errors.Is(err, store.ErrKeyring) {
		t.Fatalf("Probe: %v", err)
	}
	close(gate.release)
	settle(t, s)
	if items := kr.snapshot(); len(items) != 0 {
		t.Fatalf("probe item left: %v", items)
	}
}
