package store_test

import (
	"errors"
	"testing"

	"github.com/setupwizard/setupwizard/internal/store"
	"github.com/setupwizard/setupwizard/internal/testenv"
)

type failSet struct{ store.Keyring }

func (failSet) Set(string, string, string) error {
	return errors.New("failed to unlock correct collection '/org/freedesktop/secrets/aliases/default'")
}

type memKeyring map[string]string

func (m memKeyring) Get(s, u string) (string, error) { return m[s+"/"+u], nil }
func (m memKeyring) Set(s, u, v string) error        { m[s+"/"+u] = v; return nil }
func (m memKeyring) Delete(s, u string) error        { delete(m, s+"/"+u); return nil }

func TestProbe(t *testing.T) {
	kr := memKeyring{}
	st, err := store.Open(t.TempDir(), store.WithKeyring(kr))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Probe(bg, "librus"); err != nil {
		t.Fatalf("probe of a working keyring: %v", err)
	}
	if len(kr) != 0 {
		t.Fatalf("probe left items: %v", kr)
	}
	st, _ = store.Open(t.TempDir(), store.WithKeyring(failSet{kr}))
	err = st.Probe(bg, "librus")
	if !errors.Is(err, store.ErrKeyring) {
		t.Fatalf("probe of a locked keyring: %v, want ErrKeyring", err)
	}
}

// Two wizards starting at once probe at the same moment: neither may trip
// over the other's item.
func TestProbeRealKeyringConcurrent(t *testing.T) {
	testenv.RealKeyring(t)
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			st, err := store.Open(t.TempDir())
			if err == nil {
				err = st.Probe(bg, "flameconnect")
			}
			errs <- err
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}
