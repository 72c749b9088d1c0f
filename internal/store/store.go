package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
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

// Store keeps the entries index (entries.json in a config dir) and the
// token caches in the OS keyring. Every change runs under an exclusive
// lock on entries.lock, so several setupwizard processes and goroutines
// can use one config dir; reads take no lock (the index is replaced by an
// atomic rename, and a cache read verifies itself against its manifest),
// so a reader never waits for a writer.
type Store struct {
	dir    string
	lock   fileLock
	caches caches
	// refreshLockTimeout bounds LockRefresh's wait.
	refreshLockTimeout time.Duration
	now                func() time.Time
	mu                 sync.Mutex // one change of this Store at a time

	// held, when set, is the exclusive entries lock kept after a keyring
	// call was abandoned mid-change, until that call (and any queued
	// clean-up) has returned; changes of this Store run under it
	// meanwhile. Guarded by mu.
	held *heldLock

	// recovered lists the interrupted changes the current change finished
	// first (recoverPending), so a Remove that finds its entry already
	// removed that way succeeds. Guarded by mu.
	recovered []pendingOp

	// beforeIndexWrite, when set (tests), runs before each index write and
	// can fail it.
	beforeIndexWrite func() error
}

// Open prepares the store in dir. It touches nothing: the dir (mode 0700)
// and entries.lock are created by the first change, so read-only commands
// leave a fresh config dir as it was, and errors show on first use.
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
	if c.refreshLockTimeout <= 0 {
		c.refreshLockTimeout = DefaultRefreshLockTimeout
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
	tightenDir(dir)
	return &Store{
		dir:    dir,
		lock:   fileLock{path: filepath.Join(dir, LockFile), timeout: c.lockTimeout},
		caches: caches{kr: newTimedKeyring(c.keyring, c.timeout)},
		now:    c.now,

		refreshLockTimeout: c.refreshLockTimeout,
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

// with runs f on the current index under the exclusive lock, after
// finishing what interrupted writers left (recoverPending). If a keyring
// call timed out and is still running, the lock is not released: a late
// write or delete landing after another process's change would undo it.
// A goroutine releases the lock once the call and any queued clean-up have
// returned (process exit frees it too).
func (s *Store) with(ctx context.Context, f func(idx *indexFile) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.held == nil {
		if err := os.MkdirAll(s.dir, 0o700); err != nil {
			return fmt.Errorf("create config dir: %w", asDiskFull(s.dir, err))
		}
		release, err := s.lock.acquire(ctx)
		if err != nil {
			return asDiskFull(s.dir, err)
		}
		defer func() {
			if !s.caches.kr.busy() {
				release()
				return
			}
			s.held = &heldLock{release: release, done: make(chan struct{})}
			go s.releaseWhenIdle(s.held)
		}()
	}
	idx, err := readIndex(s.indexPath())
	if err != nil {
		return err
	}
	s.recovered = nil
	if err := s.recoverPending(ctx, &idx); err != nil {
		return err
	}
	s.recoverProbes(ctx)
	s.sweepRefreshLocks(idx)
	return f(&idx)
}

// releaseWhenIdle releases h once no abandoned call or clean-up is left.
// Changes run meanwhile may abandon more calls, so it checks again under
// mu before releasing.
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

// Close waits until no timed-out keyring call or queued clean-up is left
// and entries.lock is released, or ctx ends. A command calls it before
// exiting, with a short grace period, so a keyring that answers late
// still gets its clean-up. The Store stays usable.
func (s *Store) Close(ctx context.Context) error {
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
			return fmt.Errorf("wait for the keyring to finish clean-up: %w", ctx.Err())
		}
	}
}

func (s *Store) writeIndex(idx *indexFile) error {
	if s.beforeIndexWrite != nil {
		if err := s.beforeIndexWrite(); err != nil {
			return fmt.Errorf("write entries index: %w", err)
		}
	}
	return writeIndex(s.indexPath(), *idx)
}

func (s *Store) stamp() time.Time { return s.now().UTC().Round(0) }

// read returns the index as last committed, without the lock.
func (s *Store) read(ctx context.Context) (indexFile, error) {
	if err := ctx.Err(); err != nil {
		return indexFile{}, err
	}
	return readIndex(s.indexPath())
}

// Entries lists every entry in the order they were added. It takes no
// lock and creates nothing, so it never waits for a writer.
func (s *Store) Entries(ctx context.Context) ([]Entry, error) {
	idx, err := s.read(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Entry, 0, len(idx.Entries))
	for _, e := range idx.Entries {
		out = append(out, clone(e))
	}
	return out, nil
}

// Get returns entry id, or an error matching ErrNotFound. Like Entries it
// never waits for a writer.
func (s *Store) Get(ctx context.Context, id string) (Entry, error) {
	idx, err := s.read(ctx)
	if err != nil {
		return Entry{}, err
	}
	i := find(idx.Entries, id)
	if i < 0 {
		return Entry{}, fmt.Errorf("entry %q: %w", id, errGone)
	}
	return clone(idx.Entries[i]), nil
}

// Add commits a new entry and its token cache: under the lock it re-reads
// the index, rejects a taken unique id (ErrDuplicate), records the intent
// (entry id and generation) in the index, writes the cache to the keyring,
// then commits the entry and drops the intent in one index write. A
// failure deletes the items again (queued until the keyring answers if a
// call timed out, see Close); an interruption leaves the intent, and the
// next change deletes the items it names. The returned entry has its ID,
// times and keyring reference set; its title is cleaned of control
// characters.
func (s *Store) Add(ctx context.Context, e Entry, cache []byte) (Entry, error) {
	if err := checkNew(e); err != nil {
		return Entry{}, err
	}
	if len(cache) > MaxCacheSize {
		return Entry{}, fmt.Errorf("add %s entry: the service sent a %d-byte token cache, more than the %d bytes setupwizard keeps: %w",
			e.Domain, len(cache), MaxCacheSize, ErrTooLarge)
	}
	e = clone(e)
	e.Title = cleanText(e.Title)
	err := s.with(ctx, func(idx *indexFile) error {
		if hasUnique(idx.Entries, e.Domain, e.UniqueID) {
			return fmt.Errorf("add %s entry %q: %w", e.Domain, e.UniqueID, ErrDuplicate)
		}
		e.ID = newEntryID(func(id string) bool {
			return find(idx.Entries, id) >= 0 || slices.ContainsFunc(idx.Pending, func(p pendingOp) bool { return p.ID == id })
		})
		e.Created = s.stamp()
		e.Modified = e.Created
		e.Keyring = KeyringRef{Service: Service(e.Domain), Item: e.ID}
		m := newManifest(newGen(), cache)
		intent := pendingOp{Op: opAdd, ID: e.ID, Service: e.Keyring.Service, Gen: m.Gen, Chunks: m.Chunks}
		if err := s.begin(idx, intent); err != nil {
			return fmt.Errorf("add %s entry: %w", e.Domain, err)
		}
		if _, err := s.caches.create(ctx, e.Keyring.Service, e.ID, m, cache); err != nil {
			s.undoAdd(ctx, idx, intent, m)
			return fmt.Errorf("add %s entry: %w", e.Domain, err)
		}
		idx.Pending = slices.DeleteFunc(idx.Pending, func(p pendingOp) bool { return p == intent })
		idx.Entries = append(idx.Entries, e)
		// writeIndex fails only before its rename: after it the entry is
		// committed and its cache must stay.
		if err := s.writeIndex(idx); err != nil {
			s.undoAdd(ctx, idx, intent, m)
			return fmt.Errorf("add %s entry: %w", e.Domain, err)
		}
		return nil
	})
	if err != nil {
		return Entry{}, err
	}
	return clone(e), nil
}

// begin records intent in the index before a change's first keyring write.
func (s *Store) begin(idx *indexFile, intent pendingOp) error {
	idx.Pending = append(idx.Pending, intent)
	if err := s.writeIndex(idx); err != nil {
		idx.Pending = slices.DeleteFunc(idx.Pending, func(p pendingOp) bool { return p == intent })
		return fmt.Errorf("record the intent: %w", err)
	}
	return nil
}

// undoAdd deletes what a failed add wrote and, when that is done, drops
// its intent from the index; otherwise the intent stays for the next
// change to finish.
func (s *Store) undoAdd(ctx context.Context, idx *indexFile, intent pendingOp, m manifest) {
	if !s.caches.undoCreate(ctx, intent.Service, intent.ID, m) {
		return
	}
	idx.Entries = slices.DeleteFunc(idx.Entries, func(e Entry) bool { return e.ID == intent.ID })
	idx.Pending = slices.DeleteFunc(idx.Pending, func(p pendingOp) bool { return p == intent })
	_ = s.writeIndex(idx)
}

// LoadCache reads entry id's token cache back and verifies it against its
// manifest (ErrCorrupt on any mismatch or missing chunk, ErrNewer for a
// manifest a newer setupwizard wrote). It takes no lock: a cache replaced
// while it reads is read again. The Version is the generation read, for
// compare-and-swap writes (ReplaceCache, SetIssue).
func (s *Store) LoadCache(ctx context.Context, id string) ([]byte, Version, error) {
	e, err := s.Get(ctx, id)
	if err != nil {
		return nil, "", fmt.Errorf("load cache of entry %q: %w", id, err)
	}
	b, gen, err := s.caches.load(ctx, e.Keyring.Service, e.Keyring.Item)
	if (err == nil && len(b) == 0) || errors.Is(err, ErrNotFound) || errors.Is(err, ErrCorrupt) {
		// A remove running meanwhile empties the cache (its tombstone),
		// then deletes it: that is a removed entry, not a damaged cache.
		if s.removing(ctx, id) {
			return nil, "", fmt.Errorf("load cache of entry %q: %w", id, errGone)
		}
	}
	if err != nil {
		return nil, "", fmt.Errorf("load cache of entry %q: %w", id, err)
	}
	return b, Version(gen), nil
}

// removing reports whether entry id is gone from the index or has a
// remove pending (one that may be deleting its cache right now).
func (s *Store) removing(ctx context.Context, id string) bool {
	idx, err := s.read(ctx)
	if err != nil {
		return false
	}
	return find(idx.Entries, id) < 0 ||
		slices.ContainsFunc(idx.Pending, func(p pendingOp) bool { return p.Op == opRemove && p.ID == id })
}

// ReplaceCache swaps entry id's token cache (the old or the new one is
// readable at every instant, see caches.replace), touches Modified and
// returns the new Version. With ifVersion set it is a compare-and-swap:
// if the cache is no longer that generation nothing is written and the
// error matches ErrConflict. ErrOutcomeUnknown means the switch was
// abandoned in the keyring and may or may not have happened.
func (s *Store) ReplaceCache(ctx context.Context, id string, cache []byte, ifVersion Version) (Version, error) {
	if len(cache) > MaxCacheSize {
		return "", fmt.Errorf("replace cache of entry %q: the service sent a %d-byte token cache, more than the %d bytes setupwizard keeps: %w",
			id, len(cache), MaxCacheSize, ErrTooLarge)
	}
	var ver Version
	err := s.with(ctx, func(idx *indexFile) error {
		i := find(idx.Entries, id)
		if i < 0 {
			return fmt.Errorf("replace cache of entry %q: %w", id, errGone)
		}
		if err := s.checkVersion(ctx, idx.Entries[i], ifVersion); err != nil {
			return fmt.Errorf("replace cache of entry %q: %w", id, err)
		}
		ref := idx.Entries[i].Keyring
		intent := pendingOp{Op: opReplace, ID: id, Service: ref.Service}
		if err := s.begin(idx, intent); err != nil {
			return fmt.Errorf("replace cache of entry %q: %w", id, err)
		}
		gen, clean, err := s.caches.replace(ctx, ref.Service, ref.Item, cache, string(ifVersion))
		if err != nil {
			// The intent stays: the next change deletes what this one
			// left (or, if the switch may still land, whichever
			// generation lost).
			return fmt.Errorf("replace cache of entry %q: %w", id, err)
		}
		ver = Version(gen)
		idx.Entries[i].Modified = s.stamp()
		if clean {
			idx.Pending = slices.DeleteFunc(idx.Pending, func(p pendingOp) bool { return p == intent })
		}
		if err := s.writeIndex(idx); err != nil {
			return fmt.Errorf("replace cache of entry %q (the new cache is in place): %w", id, err)
		}
		return nil
	})
	return ver, err
}

// checkVersion fails with ErrConflict unless entry e's cache is still
// generation want ("" always passes). Callers hold the lock.
func (s *Store) checkVersion(ctx context.Context, e Entry, want Version) error {
	if want == "" {
		return nil
	}
	gen, err := s.caches.generation(ctx, e.Keyring.Service, e.Keyring.Item)
	if err != nil {
		return err
	}
	if Version(gen) != want {
		return fmt.Errorf("cache changed since generation %s was read: %w", want, ErrConflict)
	}
	return nil
}

// SetIssue opens (open=true) or deletes repair issue on entry id. With
// ifVersion set it changes nothing unless the cache is still that
// generation (ErrConflict): an auth_expired judged on an old cache must
// not land on a newer one. Doing what is already so is a no-op and does
// not rewrite the index.
func (s *Store) SetIssue(ctx context.Context, id, issue string, open bool, ifVersion Version) error {
	return s.with(ctx, func(idx *indexFile) error {
		i := find(idx.Entries, id)
		if i < 0 {
			return fmt.Errorf("set issue on entry %q: %w", id, errGone)
		}
		if err := s.checkVersion(ctx, idx.Entries[i], ifVersion); err != nil {
			return fmt.Errorf("set issue on entry %q: %w", id, err)
		}
		if !setIssue(&idx.Entries[i], issue, open, s.stamp()) {
			return nil
		}
		if err := s.writeIndex(idx); err != nil {
			return fmt.Errorf("set issue on entry %q: %w", id, err)
		}
		return nil
	})
}

// SetIdentity records the identity the service vouched for on entry id
// (entries written before identities were kept learn it from their
// cache). It is kept byte for byte, as the flow compares it, and only ever
// written JSON-escaped. Setting what is already so does not rewrite the
// index.
func (s *Store) SetIdentity(ctx context.Context, id, identity string) error {
	return s.with(ctx, func(idx *indexFile) error {
		i := find(idx.Entries, id)
		if i < 0 {
			return fmt.Errorf("set identity of entry %q: %w", id, errGone)
		}
		if idx.Entries[i].Identity == identity {
			return nil
		}
		idx.Entries[i].Identity = identity
		if err := s.writeIndex(idx); err != nil {
			return fmt.Errorf("set identity of entry %q: %w", id, err)
		}
		return nil
	})
}

// Remove deletes every keyring item of entry id (all generations the
// manifest lists, see caches.removeFrom), then the entry. It reads the
// manifest before it records anything, and records its intent (naming
// the empty tombstone generation it is about to write) before its first
// delete. A remove that fails before it deleted anything of the cache
// leaves the entry and the index as they were and says so (ErrKept). One
// that fails after it began, or when the keyring cannot say whether it
// had (a call still pending, the keyring gone), is ErrRemoveUnfinished:
// the next change finishes it if it had begun and keeps the entry
// otherwise (recoverPending), so no item is orphaned and nothing is lost.
// A cache written by a newer setupwizard is left alone (ErrNewer, ErrKept).
func (s *Store) Remove(ctx context.Context, id string) error {
	return s.with(ctx, func(idx *indexFile) error {
		i := find(idx.Entries, id)
		if i < 0 && slices.ContainsFunc(s.recovered, func(p pendingOp) bool { return p.Op == opRemove && p.ID == id }) {
			return nil // an earlier, interrupted Remove of it was just finished
		}
		if i < 0 {
			return fmt.Errorf("remove entry %q: %w", id, errGone)
		}
		ref := idx.Entries[i].Keyring
		m, left, err := s.caches.inspect(ctx, ref.Service, ref.Item)
		corrupt := errors.Is(err, ErrCorrupt)
		switch {
		case errors.Is(err, errItemMissing):
			// No cache: the entry is all there is to remove.
			if err := s.dropEntry(idx, id); err != nil {
				return kept(err)
			}
			return nil
		case err != nil && !corrupt:
			return fmt.Errorf("remove entry %q: %w", id, kept(err))
		}
		intent := pendingOp{Op: opRemove, ID: id, Service: ref.Service, Gen: newGen(avoidGens(m, left)...)}
		if err := s.begin(idx, intent); err != nil {
			return fmt.Errorf("remove entry %q: %w", id, kept(err))
		}
		if err := s.caches.removeFrom(ctx, ref.Service, ref.Item, m, left, corrupt, intent.Gen); err != nil {
			return fmt.Errorf("remove entry %q: %w", id, s.settleRemove(ctx, idx, intent, err))
		}
		idx.Pending = slices.DeleteFunc(idx.Pending, func(p pendingOp) bool { return p == intent })
		if err := s.dropEntry(idx, id); err != nil {
			// The items are gone and the intent stays on disk: the next
			// change drops the entry.
			return fmt.Errorf("%w: %w", ErrRemoveUnfinished, err)
		}
		return nil
	})
}

// dropEntry commits the removal of entry id from the index, then deletes
// its refresh lock file.
func (s *Store) dropEntry(idx *indexFile, id string) error {
	idx.Entries = slices.DeleteFunc(idx.Entries, func(e Entry) bool { return e.ID == id })
	if err := s.writeIndex(idx); err != nil {
		return fmt.Errorf("remove entry %q: %w", id, err)
	}
	s.removeRefreshLock(id)
	return nil
}

// settleRemove decides, after a Remove failed with err, whether it had
// begun deleting. If not, the intent is dropped and the error matches
// ErrKept; if it had (or the keyring cannot tell now: a call of this
// process is still pending), the intent stays for the next change to
// judge the same way (recoverPending) and the error matches
// ErrRemoveUnfinished.
func (s *Store) settleRemove(ctx context.Context, idx *indexFile, intent pendingOp, err error) error {
	if !s.caches.kr.busy() {
		began, berr := s.caches.removeBegan(context.WithoutCancel(ctx), intent)
		if berr == nil && !began {
			idx.Pending = slices.DeleteFunc(idx.Pending, func(p pendingOp) bool { return p == intent })
			// Should this write fail, the intent stays, and the next
			// change finds the cache untouched and keeps the entry too.
			_ = s.writeIndex(idx)
			return kept(err)
		}
	}
	return fmt.Errorf("%w: %w", ErrRemoveUnfinished, err)
}

// kept marks err as a Remove that changed nothing.
func kept(err error) error { return fmt.Errorf("%w: %w", ErrKept, err) }

// CheckWritable proves, before any request is sent, that a change can be
// committed: the config dir exists or can be made, entries.lock can be
// taken, an index's worth of bytes can be written and synced beside the
// index (a full disk is ErrDiskFull, naming the directory), and the index
// is one this version may overwrite. It also finishes what interrupted
// writers left.
func (s *Store) CheckWritable(ctx context.Context) error {
	err := s.with(ctx, func(*indexFile) error {
		target, err := indexTarget(s.indexPath())
		if err != nil {
			return err
		}
		return checkSpace(filepath.Dir(target), target)
	})
	if err != nil {
		return fmt.Errorf("the entries index in %s cannot be written: %w", s.dir, err)
	}
	return nil
}
