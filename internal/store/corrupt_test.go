package store_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
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
		// lost: the manifest no longer names its generation, so its
		// chunks cannot be found (go-keyring cannot list) and stay.
		lost bool
	}{
		{"chunk altered", func(it items, id string) {
			c := chunk(it, id, 1)
			b, _ := base64.StdEncoding.DecodeString(it[c])
			b[7] ^= 1
			it[c] = base64.StdEncoding.EncodeToString(b)
		}, store.ErrCorrupt, "SHA-256", false},
		{"chunk missing", func(it items, id string) { delete(it, chunk(it, id, 2)) }, store.ErrCorrupt, "missing", false},
		{"chunk not base64", func(it items, id string) { it[chunk(it, id, 0)] = "%%%" }, store.ErrCorrupt, "base64", false},
		{"chunk short", func(it items, id string) {
			it[chunk(it, id, 0)] = base64.StdEncoding.EncodeToString(make([]byte, 10))
		}, store.ErrCorrupt, "want 1536", false},
		{"chunk over item limit", func(it items, id string) { it[chunk(it, id, 0)] = strings.Repeat("A", 2052) }, store.ErrCorrupt, "item limit", false},
		{"chunks swapped", func(it items, id string) {
			a, b := chunk(it, id, 0), chunk(it, id, 1)
			it[a], it[b] = it[b], it[a]
		}, store.ErrCorrupt, "SHA-256", false},
		{"manifest missing", func(it items, id string) { delete(it, id) }, store.ErrNotFound, "no token cache", true},
		{"manifest not JSON", func(it items, id string) { it[id] = "{" }, store.ErrCorrupt, "manifest", true},
		{"manifest trailing data", func(it items, id string) { it[id] += "{}" }, store.ErrCorrupt, "trailing", false},
		{"manifest version 0", editManifest(func(m map[string]any) { m["version"] = 0 }), store.ErrCorrupt, "version 0", false},
		{"manifest version not a number", editManifest(func(m map[string]any) { m["version"] = "2" }), store.ErrCorrupt, "manifest", false},
		{"manifest unknown field", editManifest(func(m map[string]any) { m["x"] = 1 }), store.ErrCorrupt, "manifest", false},
		{"manifest chunk count", editManifest(func(m map[string]any) { m["chunks"] = 4 }), store.ErrCorrupt, "4 chunks for 4000 bytes", false},
		{"manifest huge size", editManifest(func(m map[string]any) { m["size"] = 1 << 40; m["chunks"] = 1 << 40 / 1536 }), store.ErrCorrupt, "size", false},
		{"manifest size off by one", editManifest(func(m map[string]any) { m["size"] = 4001 }), store.ErrCorrupt, "want 929", false},
		{"manifest bad generation", editManifest(func(m map[string]any) { m["generation"] = "../x" }), store.ErrCorrupt, "generation", true},
		{"manifest bad hash", editManifest(func(m map[string]any) { m["sha256"] = "zz" }), store.ErrCorrupt, "sha256", false},
		{"manifest wrong hash", editManifest(func(m map[string]any) { m["sha256"] = strings.Repeat("0", 64) }), store.ErrCorrupt, "SHA-256", false},
		{"manifest over item limit", func(it items, id string) { it[id] = strings.Repeat(" ", 3000) }, store.ErrCorrupt, "item limit", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, kr := openFake(t)
			cache := cacheOf(4000, 9) // 3 chunks
			e := mustAdd(t, s, newEntry("librus", "jan"), cache)
			it := kr.list(e.ID)
			c.tamper(it, e.ID)
			kr.replaceItems(e.ID, it)

			_, _, err := s.LoadCache(bg, e.ID)
			if !errors.Is(err, c.want) || errors.Is(err, store.ErrKeyring) {
				t.Fatalf("LoadCache: %v, want %v", err, c.want)
			}
			if !strings.Contains(err.Error(), c.msg) {
				t.Fatalf("error %q does not mention %q", err, c.msg)
			}
			// A reauth repairs the cache.
			next := cacheOf(2000, 10)
			if _, err := s.ReplaceCache(bg, e.ID, next, ""); err != nil {
				t.Fatalf("replace over a corrupt cache: %v", err)
			}
			if got, _, err := s.LoadCache(bg, e.ID); err != nil || !bytes.Equal(got, next) {
				t.Fatalf("after repair: %v", err)
			}
			// The repair deleted the chunks the corrupt manifest still
			// named: only the new cache's 2 chunks and manifest are left.
			if n := len(kr.list(e.ID)); !c.lost && n != 2+1 {
				t.Fatalf("%d items after repair, want 3: %v", n, keys(kr.list(e.ID)))
			}
		})
		t.Run(c.name+"/remove", func(t *testing.T) {
			s, kr := openFake(t)
			e := mustAdd(t, s, newEntry("librus", "jan"), cacheOf(4000, 9))
			it := kr.list(e.ID)
			c.tamper(it, e.ID)
			kr.replaceItems(e.ID, it)
			if err := s.Remove(bg, e.ID); err != nil {
				t.Fatalf("Remove over a corrupt cache: %v", err)
			}
			if left := kr.list(e.ID); !c.lost && len(left) != 0 {
				t.Fatalf("left behind: %v", keys(left))
			}
		})
	}
}

// TestNewerManifest: a manifest of a higher version (a newer setupwizard
// wrote it) is reported as such and never overwritten or deleted.
func TestNewerManifest(t *testing.T) {
	for _, v := range []string{
		`{"version":2,"generation":"1a2b3c4d","chunks":1,"size":1}`,
		`{"version":7,"future":"field","layout":[1,2,3]}`,
		`{"version":2,"generation":"1a2b3c4d","chunks":3,"size":4000,"sha256":"` + strings.Repeat("0", 64) + `"}` + strings.Repeat(" ", 3000),
	} {
		s, kr := openFake(t)
		e := mustAdd(t, s, newEntry("librus", "jan"), cacheOf(4000, 9))
		it := kr.list(e.ID)
		it[e.ID] = v
		kr.replaceItems(e.ID, it)
		before := kr.snapshot()

		_, _, errLoad := s.LoadCache(bg, e.ID)
		_, errReplace := s.ReplaceCache(bg, e.ID, []byte("new"), "")
		errRemove := s.Remove(bg, e.ID)
		for name, err := range map[string]error{"LoadCache": errLoad, "ReplaceCache": errReplace, "Remove": errRemove} {
			if !errors.Is(err, store.ErrNewer) || errors.Is(err, store.ErrCorrupt) || !strings.Contains(err.Error(), "newer setupwizard") {
				t.Errorf("%s: %v, want ErrNewer", name, err)
			}
		}
		if after := kr.snapshot(); !maps.Equal(before, after) {
			t.Fatalf("items changed under a newer manifest")
		}
		if _, err := s.Get(bg, e.ID); err != nil {
			t.Fatalf("entry gone: %v", err)
		}
		// The refused changes leave nothing for the next one to trip on.
		if err := s.SetIssue(bg, e.ID, store.IssueAuthExpired, true, ""); err != nil {
			t.Fatalf("the next change: %v", err)
		}
		if after := kr.snapshot(); !maps.Equal(before, after) {
			t.Fatalf("items changed under a newer manifest by the next change")
		}
	}
}
