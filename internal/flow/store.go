package flow

import "github.com/setupwizard/setupwizard/internal/store"

// Store is what the engine needs from persistence. internal/store's keyring
// store implements it; tests may use an in-memory one.
type Store interface {
	// Entries lists every entry.
	Entries() ([]store.Entry, error)
	// Add commits a new entry and its token cache. It assigns ID, times and
	// the keyring reference, and re-checks under the index lock that no
	// entry of e.Domain has e.UniqueID (store.ErrDuplicate), so two wizards
	// racing for one account give exactly one entry.
	Add(e store.Entry, cache []byte) (store.Entry, error)
	// ReplaceCache swaps an entry's token cache atomically (old or new is
	// readable at every instant) and touches Modified.
	ReplaceCache(id string, cache []byte) error
	// LoadCache reads an entry's token cache back, verified.
	LoadCache(id string) ([]byte, error)
	// SetIssue opens (open=true) or deletes a repair issue on an entry.
	SetIssue(id, issue string, open bool) error
	// Remove deletes the entry and every keyring item it owns.
	Remove(id string) error
}
