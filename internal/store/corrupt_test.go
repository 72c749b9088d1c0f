package store_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/setupwizard/setupwizard/internal/store"
)

// TestLoadCorrupt tampers with the items of a stored cache: every change
// must fail loudly with ErrCorrupt (or ErrNotFound for a missing manifest),
// and a replace must repair it.
func TestLoadCorrupt(t *testing.T) {
	type items = map[string]string // user -> value, the entry's items
	chunk := func(it items, man string, i int) string {
		var m struct{ Generation string }
		_ = json.Unmarshal([]byte(it[man]), &m)
		return fmt.Sprintf("%s/%s/%d", man, m.Generation, i)
	}
	editManifest := func(f func(map[string]any)) func(items, string) {
		return func(it items, id string) {
			var m map[string]any
			_ = json.Unmarshal([]byte(it[id]), &m)
			f(m)
			b, _ := json.Marshal(m)
			it[id] = string(b)
		}
	}
	cases := []struct {
		name   string
		tamper func(it items, id string)
		want   error
		msg    string
	}{
		{"chunk altered", func(it items, id string) {
			c := chunk(it, id, 1)
			b, _ := base64.StdEncoding.DecodeString(it[c])
			b[7] ^= 1
			it[c] = base64.StdEncoding.EncodeToString(b)
		}, store.ErrCorrupt, "SHA-256"},
		{"chunk missing", func(it items, id string) { delete(it, chunk(it, id, 2)) }, store.ErrCorrupt, "missing"},
		{"chunk not base64", func(it items, id string) { it[chunk(it, id, 0)] = "%%%" }, store.ErrCorrupt, "base64"},
		{"chunk short", func(it items, id string) {
			it[chunk(it, id, 0)] = base64.StdEncoding.EncodeToString(make([]byte, 10))
		}, store.ErrCorrupt, "want 1536"},
		{"chunk over item limit", func(it items, id string) { it[chunk(it, id, 0)] = strings.Repeat("A", 2052) }, store.ErrCorrupt, "item limit"},
		{"chunks swapped", func(it items, id string) {
			a, b := chunk(it, id, 0), chunk(it, id, 1)
			it[a], it[b] = it[b], it[a]
		}, store.ErrCorrupt, "SHA-256"},
		{"manifest missing", func(it items, id string) { delete(it, id) }, store.ErrNotFound, "no token cache"},
		{"manifest not JSON", func(it items, id string) { it[id] = "{" }, store.ErrCorrupt, "manifest"},
		{"manifest trailing data", func(it items, id string) { it[id] += "{}" }, store.ErrCorrupt, "trailing"},
		{"manifest version 2", editManifest(func(m map[string]any) { m["version"] = 2 }), store.ErrCorrupt, "version 2"},
		{"manifest unknown field", editManifest(func(m map[string]any) { m["x"] = 1 }), store.ErrCorrupt, "manifest"},
		{"manifest chunk count", editManifest(func(m map[string]any) { m["chunks"] = 4 }), store.ErrCorrupt, "4 chunks for 4000 bytes"},
		{"manifest huge size", editManifest(func(m map[string]any) { m["size"] = 1 << 40; m["chunks"] = 1 << 40 / 1536 }), store.ErrCorrupt, "size"},
		{"manifest size off by one", editManifest(func(m map[string]any) { m["size"] = 4001 }), store.ErrCorrupt, "want 929"},
		{"manifest bad generation", editManifest(func(m map[string]any) { m["generation"] = "../x" }), store.ErrCorrupt, "generation"},
		{"manifest bad hash", editManifest(func(m map[string]any) { m["sha256"] = "zz" }), store.ErrCorrupt, "sha256"},
		{"manifest wrong hash", editManifest(func(m map[string]any) { m["sha256"] = strings.Repeat("0", 64) }), store.ErrCorrupt, "SHA-256"},
		{"manifest over item limit", func(it items, id string) { it[id] = strings.Repeat(" ", 3000) }, store.ErrCorrupt, "item limit"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, kr := openFake(t)
			cache := cacheOf(4000, 9) // 3 chunks
			e := mustAdd(t, s, newEntry("librus", "jan"), cache)
			it := kr.list(e.ID)
			c.tamper(it, e.ID)
			kr.mu.Lock()
			for k := range kr.items {
				if k[1] == e.ID || strings.HasPrefix(k[1], e.ID+"/") {
					delete(kr.items, k)
				}
			}
			for u, v := range it {
				kr.items[[2]string{"setupwizard:librus", u}] = v
			}
			kr.mu.Unlock()

			_, err := s.LoadCache(e.ID)
			if !errors.Is(err, c.want) || errors.Is(err, store.ErrKeyring) {
				t.Fatalf("LoadCache: %v, want %v", err, c.want)
			}
			if !strings.Contains(err.Error(), c.msg) {
				t.Fatalf("error %q does not mention %q", err, c.msg)
			}
			// A reauth repairs the cache.
			next := cacheOf(2000, 10)
			if err := s.ReplaceCache(e.ID, next); err != nil {
				t.Fatalf("replace over a corrupt cache: %v", err)
			}
			if got, err := s.LoadCache(e.ID); err != nil || !bytes.Equal(got, next) {
				t.Fatalf("after repair: %v", err)
			}
		})
	}
}
