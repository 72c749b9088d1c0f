package store_test

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/setupwizard/setupwizard/internal/store"
	"github.com/setupwizard/setupwizard/internal/testenv"
)

// TestCheckWritableDiskFull (issue 17, item 4): CheckWritable writes real
// bytes, so a full disk is found before any request: the error is
// ErrDiskFull naming the directory, and no temp file is left. Through an
// injected writer here, on a real full filesystem in
// TestCheckWritableFullTmpfs.
func TestCheckWritableDiskFull(t *testing.T) {
	s, _ := openFake(t)
	mustAdd(t, s, newEntry("librus", "jan"), []byte("x"))
	var wrote int
	restore := store.SetFillWriter(func(f *os.File, n int) error {
		wrote = n
		return &os.PathError{Op: "write", Path: f.Name(), Err: syscall.ENOSPC}
	})
	defer restore()
	err := s.CheckWritable(bg)
	var df *store.DiskFullError
	if !errors.As(err, &df) || !errors.Is(err, store.ErrDiskFull) || df.Dir != s.Dir() {
		t.Fatalf("CheckWritable on a full disk: %v, want a DiskFullError for %s", err, s.Dir())
	}
	fi, _ := os.Stat(filepath.Join(s.Dir(), store.IndexFile))
	if int64(wrote) <= fi.Size() {
		t.Fatalf("wrote %d bytes, less than the index's %d", wrote, fi.Size())
	}
	if temps, _ := filepath.Glob(filepath.Join(s.Dir(), ".entries.json.*.tmp")); len(temps) != 0 {
		t.Fatalf("temp files left: %v", temps)
	}
}

// TestCheckWritableFullTmpfs fills a small tmpfs (mounted for the test:
// it needs root, so it is skipped, saying why, where mounting is not
// allowed) until an empty file can still be created but an index's worth
// of bytes cannot: CheckWritable must say the disk is full.
func TestCheckWritableFullTmpfs(t *testing.T) {
	dir := testenv.MountTmpfs(t, "64k")
	cfg := filepath.Join(dir, "config")
	s, err := store.Open(cfg, store.WithKeyring(newFakeKeyring()))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CheckWritable(bg); err != nil {
		t.Fatalf("CheckWritable with room: %v", err)
	}
	testenv.Fill(t, dir)
	if f, err := os.Create(filepath.Join(cfg, "empty")); err != nil {
		t.Fatalf("the full tmpfs refuses even an empty file: %v", err)
	} else {
		f.Close()
	}
	err = s.CheckWritable(bg)
	var df *store.DiskFullError
	if !errors.As(err, &df) || df.Dir != cfg {
		t.Fatalf("CheckWritable on a full tmpfs: %v, want a DiskFullError for %s", err, cfg)
	}
}
