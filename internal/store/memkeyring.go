package store

import (
	"sync"

	"github.com/zalando/go-keyring"
)

// MemoryKeyring is a Keyring kept in memory, for --demo when the OS
// keyring does not answer and for tests of other packages. Unlike
// go-keyring's MockInit it is not global: a probe still stuck in the real
// provider cannot race with it. It refuses values over MaxItemSize
// (keyring.ErrSetDataTooBig), as the strictest OS keyring would, and is
// safe for concurrent use.
type MemoryKeyring struct {
	mu    sync.Mutex
	items map[[2]string]string
}

// NewMemoryKeyring returns an empty in-memory keyring.
func NewMemoryKeyring() *MemoryKeyring {
	return &MemoryKeyring{items: map[[2]string]string{}}
}

// Get reads an item; a missing one is keyring.ErrNotFound.
func (m *MemoryKeyring) Get(service, user string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.items[[2]string{service, user}]
	if !ok {
		return "", keyring.ErrNotFound
	}
	return v, nil
}

// Set creates or overwrites an item.
func (m *MemoryKeyring) Set(service, user, secret string) error {
	if len(secret) > MaxItemSize {
		return keyring.ErrSetDataTooBig
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.items == nil {
		m.items = map[[2]string]string{}
	}
	m.items[[2]string{service, user}] = secret
	return nil
}

// Delete removes an item; a missing one is keyring.ErrNotFound.
func (m *MemoryKeyring) Delete(service, user string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := [2]string{service, user}
	if _, ok := m.items[k]; !ok {
		return keyring.ErrNotFound
	}
	delete(m.items, k)
	return nil
}

// Len is the number of items held, so tests can check nothing is left.
func (m *MemoryKeyring) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.items)
}
