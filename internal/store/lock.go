package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
	"time"

	"github.com/gofrs/flock"
)

// DefaultLockTimeout is how long a command waits for another setupwizard to
// release entries.lock. A holder usually waits only for a few keyring
// calls, each bounded by the keyring timeout; one whose call timed out
// keeps the lock until the call returns (see Store.with).
const DefaultLockTimeout = 60 * time.Second

// lockRetry is how often a waiting process retries the lock.
const lockRetry = 20 * time.Millisecond

// fileLock is the cross-process lock on entries.lock: exclusive for every
// change, shared for reads, so a reader never sees a cache half-replaced.
type fileLock struct {
	path    string
	timeout time.Duration
}

// acquire takes the lock and returns its release. Each call opens its own
// descriptor: flock(2) locks then also exclude other goroutines' locks.
func (l fileLock) acquire(shared bool) (func(), error) {
	fl := flock.New(l.path, flock.SetPermissions(0o600))
	ctx, cancel := context.WithTimeout(context.Background(), l.timeout)
	defer cancel()
	try := fl.TryLockContext
	if shared {
		try = fl.TryRLockContext
	}
	ok, err := try(ctx, lockRetry)
	switch {
	case err != nil && shared && cannotCreate(err) && missing(l.path):
		// A read-only config dir (a read-only mount, a dir of another
		// user): nobody can write the index there either, so reading
		// it without the lock is safe.
		return func() {}, nil
	case errors.Is(err, context.DeadlineExceeded):
		return nil, fmt.Errorf("%s held for over %v: %w", l.path, l.timeout, ErrLocked)
	case err != nil:
		return nil, fmt.Errorf("lock %s: %w", l.path, err)
	case !ok:
		return nil, fmt.Errorf("lock %s: not acquired", l.path)
	}
	return func() { _ = fl.Close() }, nil
}

// cannotCreate reports whether err means a file cannot be created here.
func cannotCreate(err error) bool {
	return errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EROFS)
}

// missing reports whether nothing exists at path (a dangling symlink
// counts as nothing).
func missing(path string) bool {
	_, err := os.Stat(path)
	return errors.Is(err, fs.ErrNotExist)
}
