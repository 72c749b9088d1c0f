package store_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/setupwizard/setupwizard/internal/store"
)

// TestLockRefresh: an entry's refresh lock excludes a second holder (another
// Store on the same dir, as another process), times out as ErrLocked,
// honours ctx, never blocks readers, writers of the index or another
// entry's lock, and its file goes with the entry.
func TestLockRefresh(t *testing.T) {
	s, kr := openFake(t)
	a := mustAdd(t, s, newEntry("librus", "a"), cacheOf(100, 1))
	b := mustAdd(t, s, newEntry("librus", "b"), cacheOf(100, 2))
	other, err := store.Open(s.Dir(), store.WithKeyring(kr), store.WithRefreshLockTimeout(50*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}

	unlock, err := s.LockRefresh(bg, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(filepath.Join(s.Dir(), store.RefreshLockDir, a.ID+".lock")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("lock file: %v %v", fi, err)
	}

	cases := []struct {
		name string
		ctx  func() (context.Context, context.CancelFunc)
		want error
	}{
		{"held past the wait", func() (context.Context, context.CancelFunc) { return context.WithCancel(bg) }, store.ErrLocked},
		{"context ends first", func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(bg, 10*time.Millisecond)
		}, context.DeadlineExceeded},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := c.ctx()
			defer cancel()
			o := other
			if c.want != store.ErrLocked {
				o, _ = store.Open(s.Dir(), store.WithKeyring(kr)) // waits minutes: ctx must end it
			}
			if _, err := o.LockRefresh(ctx, a.ID); !errors.Is(err, c.want) {
				t.Fatalf("second LockRefresh: %v, want %v", err, c.want)
			}
		})
	}

	// Meanwhile everything else goes on.
	if _, _, err := other.LoadCache(bg, a.ID); err != nil {
		t.Fatalf("LoadCache under the refresh lock: %v", err)
	}
	if err := other.SetIssue(bg, a.ID, store.IssueAuthExpired, true, ""); err != nil {
		t.Fatalf("SetIssue under the refresh lock: %v", err)
	}
	ub, err := other.LockRefresh(bg, b.ID)
	if err != nil {
		t.Fatalf("another entry's lock: %v", err)
	}
	ub()

	// Released: the next holder gets it at once.
	unlock()
	u2, err := other.LockRefresh(bg, a.ID)
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	u2()

	if err := s.Remove(bg, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(s.Dir(), store.RefreshLockDir, a.ID+".lock")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("lock file after Remove: %v", err)
	}
	if _, err := s.LockRefresh(bg, "../../etc"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("bad id: %v", err)
	}
}

// TestLockRefreshReadOnlyConfigDir: where the lock file cannot be created
// (a read-only mount; here a dangling symlink into sysfs, where even root
// cannot create a file) LockRefresh does not fail, as reads work there
// without entries.lock: --token can still print a fresh credential.
func TestLockRefreshReadOnlyConfigDir(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("uses sysfs")
	}
	if _, err := os.Stat("/sys/kernel"); err != nil {
		t.Skip("no sysfs")
	}
	s, _ := openFake(t)
	e := mustAdd(t, s, newEntry("librus", "jan"), cacheOf(100, 1))
	if err := os.Symlink("/sys/setupwizard-test-cannot-create", filepath.Join(s.Dir(), store.RefreshLockDir)); err != nil {
		t.Fatal(err)
	}
	unlock, err := s.LockRefresh(bg, e.ID)
	if err != nil {
		t.Fatalf("LockRefresh in a dir where no lock file can be made: %v", err)
	}
	unlock()
	if _, _, err := s.LoadCache(bg, e.ID); err != nil {
		t.Fatal(err)
	}
}
