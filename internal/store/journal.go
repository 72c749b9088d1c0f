package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gofrs/flock"
)

// recoverPending undoes every add that recorded its intent and was then
// interrupted (killed, keyring gone, a call abandoned): it deletes the
// generation's chunks (descending, absent ones are fine) and the manifest,
// then drops the intent from the index. The caller holds the lock, so no
// add that is still running can be named here: an add keeps the lock from
// its intent to its commit. An intent whose entry is in the index was
// committed by an index write that crashed before dropping it (never the
// case with one atomic write, but harmless): only the intent goes.
func (s *Store) recoverPending(ctx context.Context, idx *indexFile) error {
	if len(idx.Pending) == 0 {
		return nil
	}
	for _, p := range slices.Clone(idx.Pending) {
		if find(idx.Entries, p.ID) < 0 {
			// The chunk count recorded is the add's; a prefix of it exists.
			if err := s.caches.deleteLeftovers(ctx, p.Service, p.ID, []dead{{p.Gen, p.Chunks}}); err != nil {
				return fmt.Errorf("finish an interrupted add: %w", err)
			}
			if err := s.caches.deleteItem(ctx, p.Service, p.ID); err != nil {
				return fmt.Errorf("finish an interrupted add: %w", err)
			}
		}
		idx.Pending = slices.DeleteFunc(idx.Pending, func(q pendingAdd) bool { return q.ID == p.ID })
	}
	if err := s.writeIndex(idx); err != nil {
		return fmt.Errorf("finish an interrupted add: %w", err)
	}
	return nil
}

// probeJournalPrefix names the files that record a running probe's item
// in the config dir: <prefix><domain>.<nonce>. The prober holds a lock on
// its file, so a file whose lock can be taken belongs to a probe that was
// killed, and its item is deleted by the next change (recoverProbes).
const probeJournalPrefix = ".probe-"

// probeTempPrefix names a journal file before it is locked and renamed.
const probeTempPrefix = ".probetmp-"

// recoverProbes deletes the items of probes that were killed between
// their write and their delete. Best effort: a probe item holds no secret.
func (s *Store) recoverProbes(ctx context.Context) {
	names, _ := filepath.Glob(filepath.Join(s.dir, probeJournalPrefix+"*"))
	for _, n := range names {
		domain, nonce, ok := strings.Cut(strings.TrimPrefix(filepath.Base(n), probeJournalPrefix), ".")
		if !ok || !domainRE.MatchString(domain) || !nonceRE.MatchString(nonce) {
			continue
		}
		fl := flock.New(n)
		got, err := fl.TryLock()
		if err != nil || !got {
			continue // a probe still running
		}
		err = s.caches.deleteItem(ctx, Service(domain), probePrefix+nonce)
		if err == nil {
			_ = os.Remove(n)
		}
		_ = fl.Close()
	}
	temps, _ := filepath.Glob(filepath.Join(s.dir, probeTempPrefix+"*"))
	for _, n := range temps {
		fl := flock.New(n)
		if got, err := fl.TryLock(); err == nil && got {
			_ = os.Remove(n) // its prober died before writing anything
		}
		_ = fl.Close()
	}
}
