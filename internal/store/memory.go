package store

import (
	"fmt"
	"slices"
	"sync"
	"time"
)

// Memory is an in-memory store with the same methods and the same
// unique-id rule as Store, for unit tests of other packages. It is safe for
// concurrent use; its zero value is ready to use.
type Memory struct {
	mu      sync.Mutex
	entries []Entry
	caches  map[string][]byte
	// Now is the clock for created/modified times; nil means time.Now.
	Now func() time.Time
}

// NewMemory returns an empty in-memory store.
func NewMemory() *Memory { return &Memory{caches: map[string][]byte{}} }

func (m *Memory) stamp() time.Time {
	if m.Now != nil {
		return m.Now().UTC().Round(0)
	}
	return time.Now().UTC().Round(0)
}

func (m *Memory) find(op, id string) (int, error) {
	i := find(m.entries, id)
	if i < 0 {
		return -1, fmt.Errorf("%s entry %q: %w", op, id, ErrNotFound)
	}
	return i, nil
}

// Entries lists every entry in the order they were added.
func (m *Memory) Entries() ([]Entry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Entry
	for _, e := range m.entries {
		out = append(out, clone(e))
	}
	return out, nil
}

// Get returns entry id, or an error matching ErrNotFound.
func (m *Memory) Get(id string) (Entry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	i, err := m.find("get", id)
	if err != nil {
		return Entry{}, err
	}
	return clone(m.entries[i]), nil
}

// Add commits an entry, rejecting a taken unique id with ErrDuplicate.
func (m *Memory) Add(e Entry, cache []byte) (Entry, error) {
	if err := checkNew(e); err != nil {
		return Entry{}, err
	}
	if len(cache) > MaxCacheSize { // before the lock, as Store checks it
		return Entry{}, fmt.Errorf("add %s entry: %d bytes, at most %d: %w", e.Domain, len(cache), MaxCacheSize, ErrTooLarge)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if hasUnique(m.entries, e.Domain, e.UniqueID) {
		return Entry{}, fmt.Errorf("add %s entry %q: %w", e.Domain, e.UniqueID, ErrDuplicate)
	}
	e = clone(e)
	e.ID = newEntryID(func(id string) bool { return find(m.entries, id) >= 0 })
	e.Created = m.stamp()
	e.Modified = e.Created
	e.Keyring = KeyringRef{Service: Service(e.Domain), Item: e.ID}
	m.entries = append(m.entries, e)
	if m.caches == nil {
		m.caches = map[string][]byte{}
	}
	m.caches[e.ID] = slices.Clone(cache)
	return clone(e), nil
}

// ReplaceCache swaps entry id's cache and touches Modified.
func (m *Memory) ReplaceCache(id string, cache []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	i, err := m.find("replace cache of", id)
	if err != nil {
		return err
	}
	if len(cache) > MaxCacheSize {
		return fmt.Errorf("replace cache of entry %q: %w", id, ErrTooLarge)
	}
	m.caches[id] = slices.Clone(cache)
	m.entries[i].Modified = m.stamp()
	return nil
}

// LoadCache returns a copy of entry id's cache (never nil, as Store's).
func (m *Memory) LoadCache(id string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, err := m.find("load cache of", id); err != nil {
		return nil, err
	}
	return append([]byte{}, m.caches[id]...), nil
}

// SetIssue opens or deletes a repair issue; idempotent.
func (m *Memory) SetIssue(id, issue string, open bool) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	i, err := m.find("set issue on", id)
	if err != nil {
		return err
	}
	setIssue(&m.entries[i], issue, open, m.stamp())
	return nil
}

// Remove deletes the entry and its cache.
func (m *Memory) Remove(id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	i, err := m.find("remove", id)
	if err != nil {
		return err
	}
	m.entries = slices.Delete(m.entries, i, i+1)
	delete(m.caches, id)
	return nil
}
