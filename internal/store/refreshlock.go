package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// RefreshLockDir is the directory in the config dir that holds one lock
// file per entry, <entry id>.lock, taken by LockRefresh.
const RefreshLockDir = "refresh"

// DefaultRefreshLockTimeout is how long LockRefresh waits for another
// setupwizard's refresh of the same entry. The holder waits on the
// network (a few requests, each bounded by --timeout, 30 s by default)
// and then on one cache replace, so this is longer than entries.lock's
// wait.
const DefaultRefreshLockTimeout = 3 * time.Minute

// LockRefresh takes entry id's refresh lock: an exclusive flock on
// refresh/<id>.lock in the config dir, separate from entries.lock, so
// readers (--list, Get, LoadCache) and other entries never wait for it.
// A command holds it around load -> provider refresh -> compare-and-swap
// store, so only one process at a time refreshes one entry's cache, and a
// process that waited reads the cache its predecessor stored instead of
// refreshing again (a refresh may end the credential the previous one
// printed). It waits at most the refresh lock timeout (ErrLocked) or
// until ctx ends, and returns the release; the lock also ends with the
// process. It never changes the index or the keyring.
//
// Where the lock file cannot be created or opened (a read-only config
// dir), it returns a release that does nothing and no error, as reads do
// without entries.lock there: a fresh credential can still be printed,
// and a refresh fails when it tries to store its cache, with the reason.
func (s *Store) LockRefresh(ctx context.Context, id string) (unlock func(), err error) {
	if !entryIDRE.MatchString(id) {
		return nil, fmt.Errorf("refresh lock of entry %q: bad entry id: %w", id, ErrNotFound)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	dir := filepath.Join(s.dir, RefreshLockDir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return func() {}, nil // cannot be created: see above
	}
	l := fileLock{path: filepath.Join(dir, id+".lock"), timeout: s.refreshLockTimeout}
	release, err := l.acquire(ctx)
	switch {
	case err == nil:
		// An entry removed meanwhile (by a remove that ran before this
		// lock file was made) must not get its lock file back.
		if idx, rerr := s.read(ctx); rerr == nil && find(idx.Entries, id) < 0 {
			_ = os.Remove(l.path)
			release()
			return nil, fmt.Errorf("refresh lock of entry %s: %w", id, errGone)
		}
		return release, nil
	case errors.Is(err, ErrLocked), ctx.Err() != nil:
		return nil, fmt.Errorf("refresh lock of entry %s: %w", id, err)
	case errors.Is(err, fs.ErrPermission), errors.Is(err, fs.ErrNotExist), errors.Is(err, syscall.EROFS):
		return func() {}, nil // cannot be created or opened: see above
	default:
		return nil, fmt.Errorf("refresh lock of entry %s: %w", id, err)
	}
}

// removeRefreshLock deletes a removed entry's refresh lock file, best
// effort. A process still waiting on it then holds a lock on an unlinked
// file and finds the entry gone when it reads the cache; entry ids are
// never reused, so no new lock file can meet it.
func (s *Store) removeRefreshLock(id string) {
	if entryIDRE.MatchString(id) {
		_ = os.Remove(filepath.Join(s.dir, RefreshLockDir, id+".lock"))
	}
}

// sweepRefreshLocks deletes the refresh lock files of entries no longer
// in idx, best effort: what a remove finished by recovery, a remove
// killed between its commit and its clean-up, or a refresh that made the
// file as the entry went, left. Changes call it under entries.lock; a
// process still holding such a lock holds it on an unlinked file, which
// is harmless (see removeRefreshLock).
func (s *Store) sweepRefreshLocks(idx indexFile) {
	dir := filepath.Join(s.dir, RefreshLockDir)
	names, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, n := range names {
		id, ok := strings.CutSuffix(n.Name(), ".lock")
		if ok && entryIDRE.MatchString(id) && find(idx.Entries, id) < 0 {
			_ = os.Remove(filepath.Join(dir, n.Name()))
		}
	}
}
