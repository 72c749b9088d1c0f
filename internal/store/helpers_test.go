package store_test

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/setupwizard/setupwizard/internal/store"
)

// fixedNow is the clock of unit tests.
var fixedNow = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// openFake opens a store in a fresh dir on a fake keyring.
func openFake(t testing.TB, opts ...store.Option) (*store.Store, *fakeKeyring) {
	t.Helper()
	kr := newFakeKeyring()
	opts = append([]store.Option{store.WithKeyring(kr), store.WithClock(func() time.Time { return fixedNow })}, opts...)
	s, err := store.Open(t.TempDir(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	return s, kr
}

// newEntry is an entry as the flow hands it to Add.
func newEntry(domain, uniqueID string) store.Entry {
	return store.Entry{
		Domain:   domain,
		Title:    uniqueID + "@example.com",
		UniqueID: uniqueID,
		Data:     map[string]string{store.DataLogin: uniqueID + "@example.com"},
	}
}

// cacheOf is n deterministic bytes covering every byte value, so base64 and
// chunk boundaries see non-text data too.
func cacheOf(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// mustAdd adds an entry with cache or fails the test.
func mustAdd(t testing.TB, s *store.Store, e store.Entry, cache []byte) store.Entry {
	t.Helper()
	got, err := s.Add(bg, e, cache)
	if err != nil {
		t.Fatalf("Add: %v", err)
	}
	return got
}

// bg is the context of store calls in tests that do not cancel.
var bg = context.Background()
