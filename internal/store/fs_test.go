package store_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/setupwizard/setupwizard/internal/store"
)

// TestDirSyncFailureIsNotAFailedWrite: on FUSE, 9p or WSL fsync of a dir
// fails (EINVAL, ENOTSUP) after the rename has put the new index in
// place. Add must then succeed and keep the cache: undoing it would leave
// an entry with no cache. Not parallel: it swaps a package hook.
func TestDirSyncFailureIsNotAFailedWrite(t *testing.T) {
	restore := store.SetSyncDir(func(string) error { return fmt.Errorf("sync config dir: %w", syscall.EINVAL) })
	defer restore()
	s, kr := openFake(t)
	cache := cacheOf(3000, 1)
	e, err := s.Add(bg, newEntry("librus", "jan"), cache)
	if err != nil {
		t.Fatalf("Add: %v", err)
	}
	if got, _, err := s.LoadCache(bg, e.ID); err != nil || !bytes.Equal(got, cache) {
		t.Fatalf("LoadCache: %d bytes, %v", len(got), err)
	}
	if n := len(kr.list(e.ID)); n != 2+1 {
		t.Fatalf("%d items, want 2 chunks + manifest", n)
	}
	if err := s.SetIssue(bg, e.ID, store.IssueAuthExpired, true, ""); err != nil {
		t.Fatalf("SetIssue: %v", err)
	}
}

// TestReadOnlyConfigDir: where entries.lock cannot be created (a
// read-only mount, a dir of another user), reads work without the lock;
// changes fail with the reason. The lock is a dangling symlink into
// sysfs, where even root cannot create a file.
func TestReadOnlyConfigDir(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("uses sysfs")
	}
	if _, err := os.Stat("/sys/kernel"); err != nil {
		t.Skip("no sysfs")
	}
	s, kr := openFake(t)
	e := mustAdd(t, s, newEntry("librus", "jan"), []byte("cache"))
	lock := filepath.Join(s.Dir(), store.LockFile)
	if err := os.Remove(lock); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/sys/setupwizard-test-cannot-create", lock); err != nil {
		t.Fatal(err)
	}
	ro, err := store.Open(s.Dir(), store.WithKeyring(kr))
	if err != nil {
		t.Fatal(err)
	}
	if list, err := ro.Entries(bg); err != nil || len(list) != 1 {
		t.Fatalf("Entries: %v %v", list, err)
	}
	if got, _, err := ro.LoadCache(bg, e.ID); err != nil || string(got) != "cache" {
		t.Fatalf("LoadCache: %q %v", got, err)
	}
	if err := ro.SetIssue(bg, e.ID, store.IssueAuthExpired, true, ""); err == nil || !errors.Is(err, os.ErrPermission) {
		t.Fatalf("SetIssue without the lock: %v", err)
	}
}

// TestReadOnlyConfigDirModes: the same with a dir this user cannot write
// (as root every dir is writable, so it only runs unprivileged).
func TestReadOnlyConfigDirModes(t *testing.T) {
	if runtime.GOOS == "windows" || os.Geteuid() == 0 {
		t.Skip("needs an unprivileged Unix user")
	}
	s, kr := openFake(t)
	mustAdd(t, s, newEntry("librus", "jan"), []byte("cache"))
	if err := os.Remove(filepath.Join(s.Dir(), store.LockFile)); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(s.Dir(), 0o500); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = os.Chmod(s.Dir(), 0o700) }()
	ro, err := store.Open(s.Dir(), store.WithKeyring(kr))
	if err != nil {
		t.Fatal(err)
	}
	if list, err := ro.Entries(bg); err != nil || len(list) != 1 {
		t.Fatalf("Entries: %v %v", list, err)
	}
}

// TestOpenTightensDir: an existing config dir wider than 0700 is narrowed
// (it holds the index); a shared sticky dir such as /tmp is left alone.
func TestOpenTightensDir(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Unix modes")
	}
	for _, c := range []struct {
		mode, want os.FileMode
	}{{0o755, 0o700}, {0o777, 0o700}, {0o700, 0o700}, {0o500, 0o500}, {os.ModeSticky | 0o777, 0o777}} {
		dir := filepath.Join(t.TempDir(), "setupwizard")
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(dir, c.mode); err != nil {
			t.Fatal(err)
		}
		if _, err := store.Open(dir, store.WithKeyring(newFakeKeyring())); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(dir)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != c.want {
			t.Errorf("dir %v: now %v, want %v", c.mode, fi.Mode().Perm(), c.want)
		}
		_ = os.Chmod(dir, 0o700)
	}
}

// TestRenameRetry: the retry loop behind Windows' transient rename
// failures (ACCESS_DENIED, SHARING_VIOLATION), with a fake clock.
func TestRenameRetry(t *testing.T) {
	transient := errors.New("sharing violation")
	isTransient := func(err error) bool { return errors.Is(err, transient) }
	cases := []struct {
		name     string
		failures int // transient failures before success; -1: always
		other    bool
		calls    int
		wantErr  bool
	}{
		{"first try", 0, false, 1, false},
		{"two transient failures", 2, false, 3, false},
		{"permanent error", 0, true, 1, true},
		{"always transient", -1, false, 0, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			calls := 0
			var slept time.Duration
			err := store.RetryRename(func(string, string) error {
				calls++
				switch {
				case c.other:
					return errors.New("no such file")
				case c.failures < 0 || calls <= c.failures:
					return transient
				}
				return nil
			}, isTransient, func(d time.Duration) { slept += d }, "a", "b")
			if (err != nil) != c.wantErr {
				t.Fatalf("err %v", err)
			}
			if c.calls > 0 && calls != c.calls {
				t.Fatalf("%d calls, want %d", calls, c.calls)
			}
			if c.failures < 0 && (slept != 2*time.Second || calls < 5 || calls > 20) {
				t.Fatalf("gave up after %d calls and %v asleep, want 2s", calls, slept)
			}
		})
	}
}
