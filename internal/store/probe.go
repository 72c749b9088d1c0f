package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"

	"github.com/gofrs/flock"
	"github.com/zalando/go-keyring"
)

// probePrefix starts the item Probe writes and deletes at once. It can
// never clash with an entry's items, whose names are entry ids (hex) or
// chunk names built from them.
const probePrefix = "setupwizard-probe-"

// nonceRE is the random part of a probe item's name.
var nonceRE = regexp.MustCompile(`^[0-9a-f]{16}$`)

// Probe proves the keyring can store a cache for domain now: it writes and
// deletes one tiny item, with the usual timeout. A write, because storing
// is what the wizard needs: a read also unlocks the collection (go-keyring
// v0.2.8's Get does, and may prompt), but only a write proves the
// collection accepts writes (a read-only or refusing backend answers reads
// fine). Run early, it lets the wizard say the keyring is unusable before
// the user types a password, and lets a desktop keyring ask to be unlocked
// while the user is still typing.
//
// The item's name is recorded first in a journal file in the config dir,
// locked while the probe runs, so a probe killed between its write and its
// delete leaves nothing the next change cannot find (recoverProbes). Where
// the config dir cannot be written the probe runs without the journal.
func (s *Store) Probe(ctx context.Context, domain string) error {
	if !domainRE.MatchString(domain) {
		return fmt.Errorf("keyring check: bad domain %q", domain)
	}
	svc := Service(domain)
	// A name of its own per call: two wizards probing at once must not
	// delete each other's item mid-call.
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	nonce := hex.EncodeToString(b[:])
	item := probePrefix + nonce
	done := s.journalProbe(domain, nonce)
	if err := s.caches.kr.set(ctx, svc, item, "probe"); err != nil {
		if s.caches.kr.busy() { // the set may still land: delete it when it does
			s.caches.kr.queue(func(k Keyring) {
				if rawDelete(k, svc, item) == nil {
					done(true)
				}
			})
			return fmt.Errorf("keyring check: %w", err)
		}
		done(true)
		return fmt.Errorf("keyring check: %w", err)
	}
	err := s.caches.kr.delete(context.WithoutCancel(ctx), svc, item)
	if err != nil && !errors.Is(err, keyring.ErrNotFound) {
		done(false)
		return fmt.Errorf("keyring check: %w", err)
	}
	done(true)
	return nil
}

// journalProbe records a probe's item in a locked journal file and returns
// the function that ends the record (removing the file when the item is
// gone, else leaving it for recoverProbes). It never fails: a config dir
// that cannot be written gets no journal.
func (s *Store) journalProbe(domain, nonce string) func(gone bool) {
	path := filepath.Join(s.dir, probeJournalPrefix+domain+"."+nonce)
	// Locked under a name recoverProbes ignores, then renamed into
	// place: the journal file it finds is always locked by a live prober
	// or left by a dead one, never caught between its creation and lock.
	tmp := filepath.Join(s.dir, probeTempPrefix+nonce)
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return func(bool) {}
	}
	fl := flock.New(tmp, flock.SetPermissions(0o600))
	if ok, err := fl.TryLock(); err != nil || !ok {
		return func(bool) {}
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		_ = fl.Close()
		return func(bool) {}
	}
	return func(gone bool) {
		if gone {
			_ = os.Remove(path)
		}
		_ = fl.Close()
	}
}
