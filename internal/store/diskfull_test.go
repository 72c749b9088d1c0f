package store_test

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/setupwizard/setupwizard/internal/store"
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
	dir := mountTmpfs(t, "64k")
	cfg := filepath.Join(dir, "config")
	s, err := store.Open(cfg, store.WithKeyring(newFakeKeyring()))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CheckWritable(bg); err != nil {
		t.Fatalf("CheckWritable with room: %v", err)
	}
	fill(t, dir)
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

// mountTmpfs mounts a tmpfs of size on a fresh dir and unmounts it at
// cleanup, or skips the test when this process may not mount.
func mountTmpfs(t *testing.T, size string) string {
	t.Helper()
	dir := t.TempDir()
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size+",mode=0700", "tmpfs", dir).CombinedOutput()
	if err != nil {
		t.Skipf("cannot mount a tmpfs to fill (needs root): %v: %s", err, strings.TrimSpace(string(out)))
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	return dir
}

// fill writes files into dir until the filesystem has no room left.
func fill(t *testing.T, dir string) {
	t.Helper()
	for i := 0; ; i++ {
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf("fill%d", i)))
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.Write(make([]byte, 4096))
		f.Close()
		if errors.Is(err, syscall.ENOSPC) {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if i > 1<<16 {
			t.Fatal("the tmpfs never filled")
		}
	}
}
