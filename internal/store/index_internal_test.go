package store

import (
	"os"
	"path/filepath"
	"testing"
)

// TestWriteIndexFailureLeavesNoTemp: a rename that fails (the target is a
// non-empty directory) must not leave the temp file behind.
func TestWriteIndexFailureLeavesNoTemp(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, IndexFile)
	if err := os.MkdirAll(filepath.Join(target, "x"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := writeIndex(target, nil); err == nil {
		t.Fatal("writeIndex over a directory succeeded")
	}
	names, _ := os.ReadDir(dir)
	if len(names) != 1 || names[0].Name() != IndexFile {
		t.Fatalf("dir holds %v", names)
	}
}
