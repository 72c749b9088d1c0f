package testenv

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// MountTmpfs mounts a tmpfs of size (as mount's size= takes it, "64k") on
// a fresh directory and unmounts it at cleanup; where this process may
// not mount (it needs root), it skips the test, saying why.
func MountTmpfs(t testing.TB, size string) string {
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

// Fill writes files of 4 KiB into dir until the filesystem has no room
// left, and returns their names (the last one, cut short, included) for
// the caller to make room again.
func Fill(t testing.TB, dir string) []string {
	t.Helper()
	var names []string
	for i := 0; ; i++ {
		name := filepath.Join(dir, fmt.Sprintf("fill%d", i))
		f, err := os.Create(name)
		if err != nil {
			t.Fatalf("filling %s: %v", dir, err)
		}
		names = append(names, name)
		_, err = f.Write(make([]byte, 4096))
		f.Close()
		if errors.Is(err, syscall.ENOSPC) {
			return names
		}
		if err != nil {
			t.Fatalf("filling %s: %v", dir, err)
		}
		if i > 1<<16 {
			t.Fatalf("%s never filled", dir)
		}
	}
}
