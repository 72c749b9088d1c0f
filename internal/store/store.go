package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// ConfigDirEnv overrides where the entries index lives.
const ConfigDirEnv = "SETUPWIZARD_CONFIG_DIR"

// DefaultDir is $SETUPWIZARD_CONFIG_DIR, else os.UserConfigDir()/setupwizard.
// getenv reads the environment (nil: os.Getenv), so callers that inject
// their environment see the same override.
func DefaultDir(getenv func(string) string) (string, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	if d := getenv(ConfigDirEnv); d != "" {
		return d, nil
	}
	d, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("find the config dir (set %s): %w", ConfigDirEnv, err)
	}
	return filepath.Join(d, "setupwizard"), nil
}

// Store is the real store: entries.json in a config dir and token caches in
// the OS keyring. Every change runs under an exclusive lock on entries.lock
// (and reads under a shared one), so several setupwizard processes and
// goroutines can use one config dir.
type Store struct {
	dir    string
	lock   fileLock
	caches caches
	now    func() time.Time
	mu     sync.Mutex // one operation of this Store at a time

	// held, when set, is the exclusive entries lock kept after a keyring
	// call was abandoned mid-change, until that call (and any queued
	// clean-up) has returned; operations of this Store run under it
	// meanwhile. Guarded by mu.
	held *heldLock

	// beforeIndexWrite, when set (tests), runs before each index write and
	// can fail it.
	beforeIndexWrite func() error
}

// Open prepares the store in dir, creating dir (mode 0700) if needed. It
// touches neither the index nor the keyring: errors show on first use.
func Open(dir string, opts ...Option) (*Store, error) {
	c := config{
		keyring:     SystemKeyring{},
		timeout:     DefaultKeyringTimeout,
		lockTimeout: DefaultLockTimeout,
		now:         time.Now,
	}
	for _, o := range opts {
		o(&c)
	}
	if c.timeout <= 0 {
		c.timeout = DefaultKeyringTimeout
	}
	if c.lockTimeout <= 0 {
		c.lockTimeout = DefaultLockTimeout
	}
	if c.keyring == nil {
		c.keyring = SystemKeyring{}
	}
	if c.now == nil {
		c.now = time.Now
	}
	if dir == "" {
		return nil, errors.New("open store: empty config dir")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	tightenDir(dir)
	return &Store{
		dir:    dir,
		lock:   fileLock{path: filepath.Join(dir, LockFile), timeout: c.lockTimeout},
		caches: caches{kr: newTimedKeyring(c.keyring, c.timeout)},
		now:    c.now,
	}, nil
}

// Dir is the config dir holding entries.json.
func (s *Store) Dir() string { return s.dir }

func (s *Store) indexPath() string { return filepath.Join(s.dir, IndexFile) }

// heldLock is an exclusive entries lock whose release waits for abandoned
// keyring calls; done is closed once it is released.
type heldLock struct {
	release func()
	done    chan struct{}
}

// with runs f on the current index under the lock. If a keyring call of
// an exclusive operation timed out and is still running, the lock is not
// released: a late write or delete landing after another process's change
// would undo it. A goroutine releases the lock once the call and any
// queued clean-up have returned (process exit frees it too).
func (s *Store) with(shared bool, f func([]Entry) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.held == nil {
		release, err := s.lock.acquire(shared)
		if err != nil {
			return err
		}
		defer func() {
			// A late get harms nobody; only an exclusive operation's
			// abandoned calls pin the lock.
			if shared || !s.caches.kr.busy() {
				release()
				return
			}
			s.held = &heldLock{release: release, done: make(chan struct{})}
			go s.releaseWhenIdle(s.held)
		}()
	}
	entries, err := readIndex(s.indexPath())
	if err != nil {
		return err
	}
	return f(entries)
}

// releaseWhenIdle releases h once no abandoned call or clean-up is left.
// Operations run meanwhile may abandon more calls, so it checks again
// under mu before releasing.
func (s *Store) releaseWhenIdle(h *heldLock) {
	for {
		<-s.caches.kr.idleCh()
		s.mu.Lock()
		if !s.caches.kr.busy() {
			s.held = nil
			h.release()
			close(h.done)
			s.mu.Unlock()
			return
		}
		s.mu.Unlock()
	}
}

// Pending reports whether a timed-out keyring call (or the clean-up queued
// behind it) has still not returned. While it has not, this process keeps
// entries.lock, and exiting abandons the clean-up.
func (s *Store) Pending() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.held != nil || s.caches.kr.busy()
}

// Settle waits until no timed-out keyring call or queued clean-up is left
// and entries.lock is released, or ctx ends. A command can call it before
// exiting, with a short grace period, so a keyring that answers late still
// gets its clean-up.
func (s *Store) Settle(ctx context.Context) error {
	for {
		s.mu.Lock()
		h := s.held
		idle := s.caches.kr.idleCh()
		s.mu.Unlock()
		wait := idle
		if h != nil {
			wait = h.done
		}
		select {
		case <-wait:
			if h == nil {
				return nil
			}
		case <-ctx.Done():
			return fmt.Errorf("wait for the keyring: %w", ctx.Err())
		}
	}
}

func (s *Store) writeIndex(entries []Entry) error {
	if s.beforeIndexWrite != nil {
		if err := s.beforeIndexWrite(); err != nil {
			return fmt.Errorf("write entries index: %w", err)
		}
	}
	return writeIndex(s.indexPath(), entries)
}

func (s *Store) stamp() time.Time { return s.now().UTC().Round(0) }

// Entries lists every entry in the order they were added.
func (s *Store) Entries() ([]Entry, error) {
	var out []Entry
	err := s.with(true, func(entries []Entry) error {
		for _, e := range entries {
			out = append(out, clone(e))
		}
		return nil
	})
	return out, err
}

// Get returns entry id, or an error matching ErrNotFound.
func (s *Store) Get(id string) (Entry, error) {
	var out Entry
	err := s.with(true, func(entries []Entry) error {
		i := find(entries, id)
		if i < 0 {
			return fmt.Errorf("entry %q: %w", id, ErrNotFound)
		}
		out = clone(entries[i])
		return nil
	})
	return out, err
}

// Add commits a new entry and its token cache: under the lock it re-reads
// the index, rejects a taken unique id (ErrDuplicate), writes the cache to
// the keyring, then the index. If the index write fails the cache's items
// are deleted again; if a keyring call timed out, the deletes are queued
// until the keyring answers (see Settle). The returned entry has its ID, times and keyring
// reference set.
func (s *Store) Add(e Entry, cache []byte) (Entry, error) {
	if err := checkNew(e); err != nil {
		return Entry{}, err
	}
	if len(cache) > MaxCacheSize {
		return Entry{}, fmt.Errorf("add %s entry: %d bytes, at most %d: %w", e.Domain, len(cache), MaxCacheSize, ErrTooLarge)
	}
	e = clone(e)
	err := s.with(false, func(entries []Entry) error {
		if hasUnique(entries, e.Domain, e.UniqueID) {
			return fmt.Errorf("add %s entry %q: %w", e.Domain, e.UniqueID, ErrDuplicate)
		}
		e.ID = newEntryID(func(id string) bool { return find(entries, id) >= 0 })
		e.Created = s.stamp()
		e.Modified = e.Created
		e.Keyring = KeyringRef{Service: Service(e.Domain), Item: e.ID}
		m, err := s.caches.create(e.Keyring.Service, e.ID, cache)
		if err == nil {
			// writeIndex fails only before its rename: after it the
			// entry is committed and its cache must stay.
			err = s.writeIndex(append(entries, e))
		}
		if err != nil {
			s.caches.undoCreate(e.Keyring.Service, e.ID, m)
			return fmt.Errorf("add %s entry: %w", e.Domain, err)
		}
		return nil
	})
	if err != nil {
		return Entry{}, err
	}
	return clone(e), nil
}

// ReplaceCache swaps entry id's token cache (the old or the new one is
// readable at every instant, see caches.replace) and touches Modified.
func (s *Store) ReplaceCache(id string, cache []byte) error {
	return s.with(false, func(entries []Entry) error {
		i := find(entries, id)
		if i < 0 {
			return fmt.Errorf("replace cache of entry %q: %w", id, ErrNotFound)
		}
		ref := entries[i].Keyring
		if err := s.caches.replace(ref.Service, ref.Item, cache); err != nil {
			return fmt.Errorf("replace cache of entry %q: %w", id, err)
		}
		entries[i].Modified = s.stamp()
		if err := s.writeIndex(entries); err != nil {
			return fmt.Errorf("replace cache of entry %q (the new cache is in place): %w", id, err)
		}
		return nil
	})
}

// LoadCache reads entry id's token cache back and verifies it against its
// manifest (ErrCorrupt on any mismatch or missing chunk, ErrNewer for a
// manifest a newer setupwizard wrote).
func (s *Store) LoadCache(id string) ([]byte, error) {
	var out []byte
	err := s.with(true, func(entries []Entry) error {
		i := find(entries, id)
		if i < 0 {
			return fmt.Errorf("load cache of entry %q: %w", id, ErrNotFound)
		}
		ref := entries[i].Keyring
		b, err := s.caches.load(ref.Service, ref.Item)
		if err != nil {
			return fmt.Errorf("load cache of entry %q: %w", id, err)
		}
		out = b
		return nil
	})
	return out, err
}

// SetIssue opens (open=true) or deletes repair issue on entry id. Doing
// what is already so is a no-op and does not rewrite the index.
func (s *Store) SetIssue(id, issue string, open bool) error {
	return s.with(false, func(entries []Entry) error {
		i := find(entries, id)
		if i < 0 {
			return fmt.Errorf("set issue on entry %q: %w", id, ErrNotFound)
		}
		if !setIssue(&entries[i], issue, open, s.stamp()) {
			return nil
		}
		return s.writeIndex(entries)
	})
}

// Remove deletes every keyring item of entry id (all generations the
// manifest lists, see caches.remove), then the entry. A cache written by a
// newer setupwizard is left alone (ErrNewer). If the keyring fails the entry stays,
// so its items are not orphaned: fix the keyring and remove again.
func (s *Store) Remove(id string) error {
	return s.with(false, func(entries []Entry) error {
		i := find(entries, id)
		if i < 0 {
			return fmt.Errorf("remove entry %q: %w", id, ErrNotFound)
		}
		ref := entries[i].Keyring
		if err := s.caches.remove(ref.Service, ref.Item); err != nil {
			return fmt.Errorf("remove entry %q: %w", id, err)
		}
		return s.writeIndex(append(entries[:i:i], entries[i+1:]...))
	})
}
