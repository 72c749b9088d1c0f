package store_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/setupwizard/setupwizard/internal/store"
)

var errBoom = errors.New("injected keyring failure")

// failNthWrite fails only the n-th set or delete (1-based).
func failNthWrite(n int) func(op, service, user string) error {
	count := 0
	return func(op, _, _ string) error {
		if op == "get" {
			return nil
		}
		count++
		if count == n {
			return errBoom
		}
		return nil
	}
}

// crashAfter lets n writes through, then fails every call: the process
// died and nothing more reaches the keyring.
func crashAfter(n int) func(op, service, user string) error {
	count := 0
	return func(op, _, _ string) error {
		if count >= n {
			return errBoom
		}
		if op != "get" {
			count++
		}
		return nil
	}
}

// TestReplaceFaults injects a failure at every write of a replace, as a
// failed call and as a crash, and checks that the old or the new cache
// reads back (never a mix, never nothing) and that the next write leaves
// exactly one generation behind.
func TestReplaceFaults(t *testing.T) {
	oldCache, newCache, third := cacheOf(4000, 1), cacheOf(7000, 2), cacheOf(2000, 3)
	const newChunks = 5 // 7000 bytes
	switchAt := 1 + newChunks + 1

	// A clean replace, to count its writes.
	s, kr := openFake(t)
	e := mustAdd(t, s, newEntry("librus", "jan"), oldCache)
	w0 := kr.writeCount()
	if _, err := s.ReplaceCache(bg, e.ID, newCache, ""); err != nil {
		t.Fatal(err)
	}
	total := kr.writeCount() - w0
	if want := switchAt + 3 + 1; total != want {
		t.Fatalf("a replace made %d writes, want %d (intent, chunks, switch, 3 deletes, final)", total, want)
	}

	modes := map[string]func(int) func(string, string, string) error{"error": failNthWrite, "crash": crashAfter}
	for name, mode := range modes {
		for k := 1; k <= total; k++ {
			t.Run(fmt.Sprintf("%s at write %d", name, k), func(t *testing.T) {
				s, kr := openFake(t)
				e := mustAdd(t, s, newEntry("librus", "jan"), oldCache)
				n := k
				if name == "crash" {
					n = k - 1 // writes that got through
				}
				kr.setBefore(mode(n))
				_, err := s.ReplaceCache(bg, e.ID, newCache, "")
				kr.setBefore(nil) // restart / the keyring recovers

				committed := k > switchAt
				if name == "error" && (err != nil) == committed {
					t.Fatalf("ReplaceCache error %v with failure at write %d (switch is write %d)", err, k, switchAt)
				}
				if err != nil && !errors.Is(err, store.ErrKeyring) {
					t.Fatalf("error %v does not match ErrKeyring", err)
				}
				want := oldCache
				if committed {
					want = newCache
				}
				got, _, lerr := s.LoadCache(bg, e.ID)
				if lerr != nil || !bytes.Equal(got, want) {
					t.Fatalf("after a failure at write %d: LoadCache %d bytes, %v; want the %s cache",
						k, len(got), lerr, map[bool]string{false: "old", true: "new"}[committed])
				}

				// The next write cleans every leftover.
				if _, err := s.ReplaceCache(bg, e.ID, third, ""); err != nil {
					t.Fatal(err)
				}
				if items := kr.list(e.ID); len(items) != 2+1 {
					t.Fatalf("%d items after the next write, want 2 chunks + manifest: %v", len(items), keys(items))
				}
				if got, _, err := s.LoadCache(bg, e.ID); err != nil || !bytes.Equal(got, third) {
					t.Fatalf("third cache: %v", err)
				}
			})
		}
	}
}

// TestReplaceFailsOnStaleCleanup: a dead generation that cannot be deleted
// stops the replace before anything changes.
func TestReplaceFailsOnStaleCleanup(t *testing.T) {
	s, kr := openFake(t)
	e := mustAdd(t, s, newEntry("librus", "jan"), cacheOf(4000, 1))
	kr.setBefore(crashAfter(3)) // intent + 2 of 5 chunks
	if _, err := s.ReplaceCache(bg, e.ID, cacheOf(7000, 2), ""); err == nil {
		t.Fatal("replace with a crash succeeded")
	}
	kr.setBefore(func(op, _, _ string) error {
		if op == "delete" {
			return errBoom
		}
		return nil
	})
	before := kr.snapshot()
	if _, err := s.ReplaceCache(bg, e.ID, cacheOf(100, 3), ""); !errors.Is(err, store.ErrKeyring) {
		t.Fatalf("replace with failing deletes: %v", err)
	}
	if after := kr.snapshot(); len(after) != len(before) {
		t.Fatalf("items changed: %d -> %d", len(before), len(after))
	}
	kr.setBefore(nil)
	if got, _, err := s.LoadCache(bg, e.ID); err != nil || !bytes.Equal(got, cacheOf(4000, 1)) {
		t.Fatalf("old cache: %v", err)
	}
}

// TestAddFaults fails each keyring write of an Add: the entry is not
// created and no item stays behind.
func TestAddFaults(t *testing.T) {
	cache := cacheOf(5000, 1) // 4 chunks + manifest
	for k := 1; k <= 5; k++ {
		t.Run(fmt.Sprint(k), func(t *testing.T) {
			s, kr := openFake(t)
			kr.setBefore(failNthWrite(k))
			if _, err := s.Add(bg, newEntry("librus", "jan"), cache); !errors.Is(err, store.ErrKeyring) {
				t.Fatalf("Add: %v, want ErrKeyring", err)
			}
			if items := kr.snapshot(); len(items) != 0 {
				t.Fatalf("%d keyring items left", len(items))
			}
			if list, err := s.Entries(bg); err != nil || len(list) != 0 {
				t.Fatalf("entries %v %v", list, err)
			}
			kr.setBefore(nil)
			mustAdd(t, s, newEntry("librus", "jan"), cache) // nothing blocks a retry
		})
	}
}

// TestAddIndexWriteFails: the cache written before the index is deleted
// again, and the index keeps its old content.
func TestAddIndexWriteFails(t *testing.T) {
	s, kr := openFake(t)
	first := mustAdd(t, s, newEntry("librus", "a"), []byte("first"))
	index := filepath.Join(s.Dir(), store.IndexFile)
	before, _ := os.ReadFile(index)
	itemsBefore := kr.snapshot()

	store.SetBeforeIndexWrite(s, func() error { return errors.New("disk full") })
	if _, err := s.Add(bg, newEntry("librus", "b"), cacheOf(5000, 1)); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("Add: %v", err)
	}
	if after := kr.snapshot(); len(after) != len(itemsBefore) {
		t.Fatalf("keyring items %d -> %d: the new cache was not deleted", len(itemsBefore), len(after))
	}
	if after, _ := os.ReadFile(index); !bytes.Equal(after, before) {
		t.Fatal("index changed")
	}
	store.SetBeforeIndexWrite(s, nil)
	if got, _, err := s.LoadCache(bg, first.ID); err != nil || string(got) != "first" {
		t.Fatalf("first entry: %q %v", got, err)
	}
}

// TestRemoveDeletesEverything: leftovers of a crashed replace go too.
func TestRemoveDeletesEverything(t *testing.T) {
	s, kr := openFake(t)
	e := mustAdd(t, s, newEntry("librus", "jan"), cacheOf(4000, 1))
	other := mustAdd(t, s, newEntry("librus", "ann"), cacheOf(100, 1))
	kr.setBefore(crashAfter(4)) // intent + 3 chunks of the new generation
	_, _ = s.ReplaceCache(bg, e.ID, cacheOf(7000, 2), "")
	kr.setBefore(nil)
	if n := len(kr.list(e.ID)); n != 4+3 {
		t.Fatalf("setup: %d items, want old 3 chunks + manifest + 3 new chunks", n)
	}
	if err := s.Remove(bg, e.ID); err != nil {
		t.Fatal(err)
	}
	if items := kr.list(e.ID); len(items) != 0 {
		t.Fatalf("left behind: %v", keys(items))
	}
	if len(kr.list(other.ID)) != 2 {
		t.Fatal("Remove touched another entry")
	}
}

// TestRemoveKeyringFailure keeps the entry, so its items are not orphaned.
func TestRemoveKeyringFailure(t *testing.T) {
	s, kr := openFake(t)
	e := mustAdd(t, s, newEntry("librus", "jan"), cacheOf(4000, 1))
	kr.setBefore(failNthWrite(2))
	if err := s.Remove(bg, e.ID); !errors.Is(err, store.ErrKeyring) {
		t.Fatalf("Remove: %v", err)
	}
	kr.setBefore(nil)
	if _, err := s.Get(bg, e.ID); err != nil {
		t.Fatalf("entry gone after a failed remove: %v", err)
	}
	if err := s.Remove(bg, e.ID); err != nil {
		t.Fatal(err)
	}
	if items := kr.list(e.ID); len(items) != 0 {
		t.Fatalf("left behind: %v", keys(items))
	}
}

// TestLoadKeyringFailure: a failing get is ErrKeyring, not ErrCorrupt.
func TestLoadKeyringFailure(t *testing.T) {
	s, kr := openFake(t)
	e := mustAdd(t, s, newEntry("librus", "jan"), cacheOf(4000, 1))
	for k := 1; k <= 4; k++ {
		count := 0
		kr.setBefore(func(op, _, _ string) error {
			if op == "get" {
				if count++; count == k {
					return errBoom
				}
			}
			return nil
		})
		_, _, err := s.LoadCache(bg, e.ID)
		if !errors.Is(err, store.ErrKeyring) || errors.Is(err, store.ErrCorrupt) {
			t.Fatalf("get %d failing: %v", k, err)
		}
	}
}
