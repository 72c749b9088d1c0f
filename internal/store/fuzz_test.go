package store

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// seeds adds every file under testdata/dir to f's corpus.
func seeds(f *testing.F, dir string) {
	files, err := filepath.Glob(filepath.Join("testdata", dir, "*"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no seeds in testdata/%s: %v", dir, err)
	}
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
}

// FuzzParseManifest: any keyring value either fails as ErrCorrupt or gives
// a manifest whose numbers a reader can trust (bounded, consistent) and
// that encodes back within the item limit.
func FuzzParseManifest(f *testing.F) {
	seeds(f, "manifest")
	f.Fuzz(func(t *testing.T, v string) {
		left := leftovers(v)
		if len(left) > maxStale+1 {
			t.Fatalf("%d leftover generations", len(left))
		}
		for _, d := range left {
			if !genRE.MatchString(d.Gen) || d.Chunks < 1 || d.Chunks > maxChunks {
				t.Fatalf("bad leftover %+v", d)
			}
		}
		m, err := parseManifest(v)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrNewer) {
				t.Fatalf("error %v is neither ErrCorrupt nor ErrNewer", err)
			}
			return
		}
		if m.Size < 0 || m.Size > MaxCacheSize || m.Chunks != chunkCount(m.Size) || len(m.Stale) > maxStale {
			t.Fatalf("accepted inconsistent manifest %+v", m)
		}
		enc, err := m.encode()
		if err != nil {
			t.Fatalf("accepted manifest does not encode: %v", err)
		}
		if _, err := parseManifest(enc); err != nil {
			t.Fatalf("re-encoded manifest does not parse: %v", err)
		}
	})
}

// FuzzParseIndex: any entries.json either fails as ErrIndex or gives
// entries that pass the checks other code relies on.
func FuzzParseIndex(f *testing.F) {
	seeds(f, "index")
	f.Fuzz(func(t *testing.T, v string) {
		idx, err := parseIndex("entries.json", []byte(v))
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for _, e := range idx.Entries {
			if checkEntry(e) != nil || seen[e.ID] {
				t.Fatalf("accepted bad entry %+v", e)
			}
			if cleanText(e.Title) != e.Title {
				t.Fatalf("title %q holds control characters", e.Title)
			}
			seen[e.ID] = true
		}
	})
}
