package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gofrs/flock"
)

// recoverPending finishes or undoes every change that recorded its intent
// and was then interrupted (killed, keyring gone, a call abandoned):
//
//   - add: the entry was never committed, so generation Gen's chunks
//     (descending, absent ones are fine) and the manifest are deleted;
//   - replace: the manifest names the old or the new generation, never a
//     mix; the other one, listed as stale, is deleted;
//   - remove: if it had begun deleting (caches.removeBegan: the manifest
//     is the tombstone the intent names, or gone), it is run again and
//     the entry dropped; otherwise the entry stays as it was.
//
// Then the intents are dropped from the index. The caller holds the lock,
// and every change keeps it from its intent to its commit, so no change
// still running is named here.
func (s *Store) recoverPending(ctx context.Context, idx *indexFile) error {
	if len(idx.Pending) == 0 {
		return nil
	}
	for _, p := range slices.Clone(idx.Pending) {
		if err := s.recoverOne(ctx, idx, p); err != nil {
			return fmt.Errorf("finish an interrupted %s of entry %s: %w", p.Op, p.ID, err)
		}
		idx.Pending = slices.DeleteFunc(idx.Pending, func(q pendingOp) bool { return q == p })
		s.recovered = append(s.recovered, p)
	}
	if err := s.writeIndex(idx); err != nil {
		return fmt.Errorf("finish interrupted changes: %w", err)
	}
	return nil
}

func (s *Store) recoverOne(ctx context.Context, idx *indexFile, p pendingOp) error {
	i := find(idx.Entries, p.ID)
	switch {
	case p.Op == opAdd && i < 0:
		if err := s.caches.deleteLeftovers(ctx, p.Service, p.ID, []dead{{p.Gen, p.Chunks}}); err != nil {
			return err
		}
		return s.caches.deleteItem(ctx, p.Service, p.ID)
	case p.Op == opReplace && i >= 0:
		return s.caches.tidy(ctx, p.Service, p.ID)
	case p.Op == opRemove && i >= 0:
		// Only a remove that had begun deleting is finished: one that
		// failed before (and said the entry was kept) leaves it as it was.
		began, err := s.caches.removeBegan(ctx, p)
		if err != nil || !began {
			return err
		}
		err = s.caches.remove(ctx, p.Service, p.ID)
		if errors.Is(err, ErrNewer) {
			return nil // a newer setupwizard's cache: the entry stays, untouched
		}
		if err != nil {
			return err
		}
		idx.Entries = slices.Delete(idx.Entries, i, i+1)
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
