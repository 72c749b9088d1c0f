package store_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/setupwizard/setupwizard/internal/store"
)

// TestLayout checks the documented item names, sizes and encodings for
// caches around the chunk boundaries and well past them.
func TestLayout(t *testing.T) {
	sizes := []int{0, 1, 100, store.ChunkSize - 1, store.ChunkSize, store.ChunkSize + 1, 5 << 10, store.MaxCacheSize}
	for _, n := range sizes {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			s, kr := openFake(t)
			cache := cacheOf(n, uint64(n))
			e := mustAdd(t, s, newEntry("librus", "jan"), cache)
			items := kr.list(e.ID)

			var m struct {
				Version    int    `json:"version"`
				Generation string `json:"generation"`
				Chunks     int    `json:"chunks"`
				Size       int    `json:"size"`
				SHA256     string `json:"sha256"`
			}
			if err := json.Unmarshal([]byte(items[e.ID]), &m); err != nil {
				t.Fatalf("manifest %q: %v", items[e.ID], err)
			}
			want := (n + store.ChunkSize - 1) / store.ChunkSize
			if m.Version != 1 || m.Chunks != want || m.Size != n || len(m.Generation) != 8 || len(m.SHA256) != 64 {
				t.Fatalf("manifest %+v", m)
			}
			if len(items) != want+1 {
				t.Fatalf("%d items, want %d chunks + manifest", len(items), want)
			}
			// Reassemble the way FORMAT.md tells other programs to.
			var got []byte
			for i := range m.Chunks {
				v, ok := items[fmt.Sprintf("%s/%s/%d", e.ID, m.Generation, i)]
				if !ok {
					t.Fatalf("chunk %d missing", i)
				}
				b, err := base64.StdEncoding.DecodeString(v)
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, b...)
			}
			if !bytes.Equal(got, cache) {
				t.Fatal("reassembled chunks differ from the cache")
			}
			for user, v := range items {
				if len(v) > store.MaxItemSize {
					t.Errorf("item %s: %d bytes", user, len(v))
				}
			}
			if got, _, err := s.LoadCache(bg, e.ID); err != nil || !bytes.Equal(got, cache) {
				t.Fatalf("LoadCache: %d bytes, %v", len(got), err)
			}
		})
	}
}

// TestReplaceDeletesOldGeneration: after a replace only the new
// generation's chunks and the manifest remain, and the manifest lists no
// stale generation.
func TestReplaceDeletesOldGeneration(t *testing.T) {
	s, kr := openFake(t)
	e := mustAdd(t, s, newEntry("librus", "jan"), cacheOf(10000, 1))
	before := kr.list(e.ID)
	next := cacheOf(4000, 2)
	if _, err := s.ReplaceCache(bg, e.ID, next, ""); err != nil {
		t.Fatal(err)
	}
	after := kr.list(e.ID)
	if len(after) != 3+1 {
		t.Fatalf("%d items after replace, want 3 chunks + manifest: %v", len(after), keys(after))
	}
	for u := range before {
		if _, still := after[u]; still && u != e.ID {
			t.Errorf("old chunk %s survived", u)
		}
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(after[e.ID]), &m); err != nil {
		t.Fatal(err)
	}
	if _, ok := m["stale"]; ok {
		t.Fatalf("manifest still lists stale generations: %s", after[e.ID])
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
