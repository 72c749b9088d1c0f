package flow

import (
	"context"

	"github.com/setupwizard/setupwizard/internal/store"
)

// Store is what the engine needs from persistence; *store.Store implements
// it. Every method that does I/O takes a context (lock waits and keyring
// calls honour it).
type Store interface {
	// Entries lists every entry; it never waits for a writer.
	Entries(ctx context.Context) ([]store.Entry, error)
	// Get returns one entry (store.ErrNotFound when there is none).
	Get(ctx context.Context, id string) (store.Entry, error)
	// Add commits a new entry and its token cache. It assigns ID, times and
	// the keyring reference, and re-checks under the index lock that no
	// entry of e.Domain has e.UniqueID (store.ErrDuplicate), so two wizards
	// racing for one account give exactly one entry.
	Add(ctx context.Context, e store.Entry, cache []byte) (store.Entry, error)
	// LoadCache reads an entry's token cache back, verified, with the
	// version read.
	LoadCache(ctx context.Context, id string) ([]byte, store.Version, error)
	// ReplaceCache swaps an entry's token cache atomically (old or new is
	// readable at every instant) and returns the new version. With
	// ifVersion set it writes only if the cache is still that version
	// (store.ErrConflict otherwise).
	ReplaceCache(ctx context.Context, id string, cache []byte, ifVersion store.Version) (store.Version, error)
	// SetIssue opens (open=true) or deletes a repair issue on an entry; with
	// ifVersion set, only if the cache is still that version.
	SetIssue(ctx context.Context, id, issue string, open bool, ifVersion store.Version) error
	// SetIdentity records the identity the service vouched for.
	SetIdentity(ctx context.Context, id, identity string) error
	// Remove deletes the entry and every keyring item it owns.
	Remove(ctx context.Context, id string) error
	// LockRefresh takes the entry's refresh lock, which one process at a
	// time holds around load -> provider refresh -> compare-and-swap
	// store (CheckEntry, TokenFor, Reload), and returns its release.
	// Readers never wait for it.
	LockRefresh(ctx context.Context, id string) (unlock func(), err error)
}
