package store

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/zalando/go-keyring"
)

// probePrefix starts the item Probe writes and deletes at once. It can
// never clash with an entry's items, whose names are entry ids (hex) or
// chunk names built from them.
const probePrefix = "setupwizard-probe-"

// Probe proves the keyring can store a cache for domain now: it writes and
// deletes one tiny item, with the usual timeout. A write, because storing
// is what the wizard needs: a read also unlocks the collection (go-keyring
// v0.2.8's Get does, and may prompt), but only a write proves the
// collection accepts writes (a read-only or refusing backend answers reads
// fine). Run early, it lets the wizard say the keyring is unusable before
// the user types a password, and lets a desktop keyring ask to be unlocked
// while the user is still typing.
func (s *Store) Probe(domain string) error {
	svc := Service(domain)
	// A name of its own per call: two wizards probing at once must not
	// delete each other's item mid-call.
	var nonce [8]byte
	if _, err := rand.Read(nonce[:]); err != nil {
		return fmt.Errorf("keyring check: %w", err)
	}
	item := probePrefix + hex.EncodeToString(nonce[:])
	if err := s.caches.kr.set(svc, item, "probe"); err != nil {
		if s.caches.kr.busy() { // the set may still land: delete it when it does
			s.caches.kr.queue(func(k Keyring) { _ = rawDelete(k, svc, item) })
		}
		return fmt.Errorf("keyring check: %w", err)
	}
	if err := s.caches.kr.delete(svc, item); err != nil && !errors.Is(err, keyring.ErrNotFound) {
		return fmt.Errorf("keyring check: %w", err)
	}
	return nil
}
