package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gofrs/flock"
)

// DefaultLockTimeout is how long a command waits for another setupwizard to
// release entries.lock. A holder waits only for a short batch of keyring
// calls (a cache is at most MaxCacheSize, 43 chunks), each bounded by the
// keyring timeout, and never for the network; one whose call timed out
// keeps the lock until the call returns (see Store.with).
const DefaultLockTimeout = 60 * time.Second

// lockRetry is how often a waiting process retries the lock.
const lockRetry = 20 * time.Millisecond

// fileLock is the cross-process lock on entries.lock, held for every
// change. Readers take no lock: the index is replaced by an atomic rename
// and a cache read checks itself against its manifest.
type fileLock struct {
	path    string
	timeout time.Duration
}

// acquire takes the lock and returns its release, waiting at most the
// lock timeout or until ctx ends. Each call opens its own descriptor:
// flock(2) locks then also exclude other goroutines' locks.
func (l fileLock) acquire(ctx context.Context) (func(), error) {
	fl := flock.New(l.path, flock.SetPermissions(0o600))
	wait, cancel := context.WithTimeout(ctx, l.timeout)
	defer cancel()
	ok, err := fl.TryLockContext(wait, lockRetry)
	switch {
	case err != nil && ctx.Err() != nil:
		return nil, fmt.Errorf("lock %s: %w", l.path, ctx.Err())
	case errors.Is(err, context.DeadlineExceeded):
		return nil, fmt.Errorf("%s held for over %v: %w", l.path, l.timeout, ErrLocked)
	case err != nil:
		return nil, fmt.Errorf("lock %s: %w", l.path, err)
	case !ok:
		return nil, fmt.Errorf("lock %s: not acquired", l.path)
	}
	return func() { _ = fl.Close() }, nil
}
