package store

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestWriteIndexFailureLeavesNoTemp: a rename that fails (the target is a
// non-empty directory) must not leave the temp file behind.
func TestWriteIndexFailureLeavesNoTemp(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, IndexFile)
	if err := os.MkdirAll(filepath.Join(target, "x"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := writeIndex(target, indexFile{}); err == nil {
		t.Fatal("writeIndex over a directory succeeded")
	}
	names, _ := os.ReadDir(dir)
	if len(names) != 1 || names[0].Name() != IndexFile {
		t.Fatalf("dir holds %v", names)
	}
}

// TestWriteIndexRemovesStaleTemps: temp files of writes that died more
// than a minute ago go on the next write; a fresh one (a write in
// progress) stays.
func TestWriteIndexRemovesStaleTemps(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, "."+IndexFile+".123.tmp")
	fresh := filepath.Join(dir, "."+IndexFile+".456.tmp")
	for _, p := range []string{old, fresh} {
		if err := os.WriteFile(p, []byte("{}"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	past := time.Now().Add(-2 * staleTempAge)
	if err := os.Chtimes(old, past, past); err != nil {
		t.Fatal(err)
	}
	if err := writeIndex(filepath.Join(dir, IndexFile), indexFile{}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Errorf("stale temp still there: %v", err)
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("fresh temp removed: %v", err)
	}
}
