package prompt

import (
	"testing"

	"github.com/setupwizard/setupwizard/internal/store"
)

// memStore is a real store in a temporary directory with an in-memory
// keyring, for tests that need no Secret Service.
func memStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(t.TempDir(), store.WithKeyring(store.NewMemoryKeyring()))
	if err != nil {
		t.Fatal(err)
	}
	return st
}
