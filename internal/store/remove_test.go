package store_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/setupwizard/setupwizard/internal/store"
)

// TestRemoveFaults fails each write of a Remove (as an error and as a
// crash): the manifest must never name a generation with missing chunks
// (the cache reads back whole, empty or not at all, never ErrCorrupt),
// the entry stays, and a second Remove leaves no item behind.
func TestRemoveFaults(t *testing.T) {
	cache := cacheOf(4000, 1) // 3 chunks
	// A clean remove, to count its writes.
	s, kr := openFake(t)
	e := mustAdd(t, s, newEntry("librus", "jan"), cache)
	w0 := kr.writeCount()
	if err := s.Remove(bg, e.ID); err != nil {
		t.Fatal(err)
	}
	total := kr.writeCount() - w0
	if total != 1+3+1 {
		t.Fatalf("a remove made %d writes, want 5 (mark, 3 chunks, manifest)", total)
	}
	modes := map[string]func(int) func(string, string, string) error{"error": failNthWrite, "crash": crashAfter}
	for name, mode := range modes {
		for k := 1; k <= total; k++ {
			t.Run(fmt.Sprintf("%s at write %d", name, k), func(t *testing.T) {
				s, kr := openFake(t)
				e := mustAdd(t, s, newEntry("librus", "jan"), cache)
				n := k
				if name == "crash" {
					n = k - 1
				}
				kr.setBefore(mode(n))
				if err := s.Remove(bg, e.ID); !errors.Is(err, store.ErrKeyring) {
					t.Fatalf("Remove: %v", err)
				}
				kr.setBefore(nil)
				if _, err := s.Get(bg, e.ID); err != nil {
					t.Fatalf("entry gone after a failed remove: %v", err)
				}
				got, _, err := s.LoadCache(bg, e.ID)
				switch {
				case errors.Is(err, store.ErrNotFound):
				case err != nil:
					t.Fatalf("LoadCache after a failed remove: %v", err)
				case len(got) != 0 && !bytes.Equal(got, cache):
					t.Fatalf("LoadCache: %d bytes, neither the cache nor empty", len(got))
				}
				if err := s.Remove(bg, e.ID); err != nil {
					t.Fatal(err)
				}
				if items := kr.list(e.ID); len(items) != 0 {
					t.Fatalf("left behind: %v", keys(items))
				}
			})
		}
	}
}

// TestHostileStaleList: a manifest listing the most stale generations of
// the largest size costs a bounded number of calls, not one delete per
// claimed chunk, and real leftovers among them are still deleted.
func TestHostileStaleList(t *testing.T) {
	s, kr := openFake(t)
	e := mustAdd(t, s, newEntry("librus", "jan"), cacheOf(4000, 1))
	man := kr.list(e.ID)[e.ID]
	var m map[string]any
	if err := json.Unmarshal([]byte(man), &m); err != nil {
		t.Fatal(err)
	}
	maxChunks := (store.MaxCacheSize + store.ChunkSize - 1) / store.ChunkSize
	var stale []map[string]any
	for i := range 8 {
		stale = append(stale, map[string]any{"generation": fmt.Sprintf("%08x", 0xdead0000+i), "chunks": maxChunks})
	}
	m["stale"] = stale
	b, _ := json.Marshal(m)
	items := kr.list(e.ID)
	items[e.ID] = string(b)
	// Generation 1 really has 5 chunks left over.
	for i := range 5 {
		items[store.ChunkUser(e.ID, fmt.Sprintf("%08x", 0xdead0001), i)] = "AAAA"
	}
	kr.replaceItems(e.ID, items)

	calls := map[string]int{}
	kr.setBefore(func(op, _, _ string) error { calls[op]++; return nil })
	if _, err := s.ReplaceCache(bg, e.ID, cacheOf(2000, 2), ""); err != nil {
		t.Fatal(err)
	}
	kr.setBefore(nil)
	// Per generation: a binary search of about log2(2731) = 12 gets.
	if calls["get"] > 8*13+1 || calls["delete"] > 5+3 {
		t.Fatalf("calls %v: the work follows the claimed chunk counts", calls)
	}
	if left := kr.list(e.ID); len(left) != 2+1 {
		t.Fatalf("%d items, want the new 2 chunks + manifest: %v", len(left), keys(left))
	}
	if !strings.Contains(kr.list(e.ID)[e.ID], `"chunks":2`) {
		t.Fatal("manifest not switched")
	}
}
