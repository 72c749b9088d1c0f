package mockinit_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/setupwizard/setupwizard/internal/store"
	"github.com/zalando/go-keyring"
)

// These tests share go-keyring's global mock; none runs in parallel.

// bg is the context of store calls the tests do not cancel.
var bg = context.Background()

func open(t *testing.T) *store.Store {
	t.Helper()
	s, err := store.Open(t.TempDir(), store.WithKeyring(store.GoKeyring{}))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func entry(uid string) store.Entry {
	return store.Entry{Domain: "librus", Title: uid, UniqueID: uid}
}

// TestMockRoundTrip goes through GoKeyring (go-keyring's package
// functions) on the mock provider.
func TestMockRoundTrip(t *testing.T) {
	keyring.MockInit()
	s := open(t)
	cache := bytes.Repeat([]byte("0123456789"), 600) // 6000 bytes, 4 chunks
	e, err := s.Add(bg, entry("jan"), cache)
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := s.LoadCache(bg, e.ID)
	if err != nil || !bytes.Equal(got, cache) {
		t.Fatalf("LoadCache: %d bytes, %v", len(got), err)
	}
	// The items are where FORMAT.md says, readable by go-keyring directly.
	man, err := keyring.Get("setupwizard:librus", e.ID)
	if err != nil || !strings.Contains(man, `"chunks":4`) {
		t.Fatalf("manifest %q, %v", man, err)
	}
	if _, err := s.ReplaceCache(bg, e.ID, []byte("small"), ""); err != nil {
		t.Fatal(err)
	}
	if err := s.Remove(bg, e.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := keyring.Get("setupwizard:librus", e.ID); !errors.Is(err, keyring.ErrNotFound) {
		t.Fatalf("manifest after Remove: %v", err)
	}
}

// TestMockErrors: every operation that reaches a failing keyring returns
// an error matching ErrKeyring, with the cause and a fix in the message.
func TestMockErrors(t *testing.T) {
	keyring.MockInit()
	s := open(t)
	e, err := s.Add(bg, entry("jan"), []byte("cache"))
	if err != nil {
		t.Fatal(err)
	}
	keyring.MockInitWithError(errors.New("The name org.freedesktop.secrets was not provided by any .service files"))
	_, errAdd := s.Add(bg, entry("ann"), []byte("cache"))
	_, errReplace := s.ReplaceCache(bg, e.ID, []byte("new"), "")
	_, _, errLoad := s.LoadCache(bg, e.ID)
	errRemove := s.Remove(bg, e.ID)
	for name, err := range map[string]error{"Add": errAdd, "ReplaceCache": errReplace, "LoadCache": errLoad, "Remove": errRemove} {
		if !errors.Is(err, store.ErrKeyring) || !strings.Contains(err.Error(), "gnome-keyring") {
			t.Errorf("%s: %v", name, err)
		}
	}
	// Nothing was committed: the failed Add left no entry, Remove kept e.
	list, err := s.Entries(bg)
	if err != nil || len(list) != 1 || list[0].ID != e.ID {
		t.Fatalf("entries %+v %v", list, err)
	}
	// A mock that reports "not found" for everything: the cache is gone.
	keyring.MockInitWithError(keyring.ErrNotFound)
	if _, _, err := s.LoadCache(bg, e.ID); !errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrKeyring) {
		t.Fatalf("LoadCache with no items: %v", err)
	}
}
