package store

import "time"

// Option configures Open.
type Option func(*config)

type config struct {
	keyring     Keyring
	timeout     time.Duration
	lockTimeout time.Duration
	// refreshLockTimeout bounds LockRefresh's wait.
	refreshLockTimeout time.Duration
	now                func() time.Time
}

// WithKeyring replaces the OS keyring (SystemKeyring), for tests.
func WithKeyring(k Keyring) Option { return func(c *config) { c.keyring = k } }

// WithTimeout bounds each keyring call (default, and for d <= 0,
// DefaultKeyringTimeout).
func WithTimeout(d time.Duration) Option { return func(c *config) { c.timeout = d } }

// WithLockTimeout bounds the wait for entries.lock (default, and for d <= 0,
// DefaultLockTimeout).
func WithLockTimeout(d time.Duration) Option { return func(c *config) { c.lockTimeout = d } }

// WithClock sets the source of created/modified times (default time.Now).
func WithClock(now func() time.Time) Option { return func(c *config) { c.now = now } }

// WithRefreshLockTimeout bounds the wait for an entry's refresh lock
// (default, and for d <= 0, DefaultRefreshLockTimeout).
func WithRefreshLockTimeout(d time.Duration) Option {
	return func(c *config) { c.refreshLockTimeout = d }
}
