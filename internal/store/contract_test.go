package store_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/setupwizard/setupwizard/internal/flow"
	"github.com/setupwizard/setupwizard/internal/store"
	"github.com/setupwizard/setupwizard/internal/testenv"
	"github.com/zalando/go-keyring"
)

// The keyring store is the engine's store.
var _ flow.Store = (*store.Store)(nil)

// fullStore is the store under contract test.
type fullStore = *store.Store

// implementations runs a test against the Store on each keyring it must
// behave the same on: the fault-injection fake (no fault armed), the
// in-memory keyring (--demo) and the real Secret Service (under
// ./scripts/test; elsewhere it skips, or fails in CI).
func implementations(t *testing.T, f func(t *testing.T, s fullStore)) {
	t.Run("fault keyring", func(t *testing.T) {
		s, _ := openFake(t)
		f(t, s)
	})
	t.Run("memory keyring", func(t *testing.T) {
		s, err := store.Open(t.TempDir(), store.WithKeyring(store.NewMemoryKeyring()))
		if err != nil {
			t.Fatal(err)
		}
		f(t, s)
	})
	t.Run("secret service", func(t *testing.T) {
		testenv.RealKeyring(t)
		s, err := store.Open(t.TempDir(), realTimeout)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			list, _ := s.Entries(bg)
			for _, e := range list {
				_ = s.Remove(bg, e.ID)
			}
		})
		f(t, s)
	})
}

// TestContractEdges: a huge cache is ErrTooLarge even when the unique id
// is taken (size is checked first), and an empty cache reads back as an
// empty, non-nil slice.
func TestContractEdges(t *testing.T) {
	implementations(t, func(t *testing.T, s fullStore) {
		mustAdd(t, s, newEntry("librus", "jan"), []byte("a"))
		if _, err := s.Add(bg, newEntry("librus", "jan"), make([]byte, store.MaxCacheSize+1)); !errors.Is(err, store.ErrTooLarge) {
			t.Fatalf("huge Add with a taken id: %v, want ErrTooLarge", err)
		}
		e := mustAdd(t, s, newEntry("librus", "empty"), nil)
		got, _, err := s.LoadCache(bg, e.ID)
		if err != nil || got == nil || len(got) != 0 {
			t.Fatalf("empty cache: %#v, %v", got, err)
		}
	})
}

// TestMemoryKeyring: the in-memory keyring keeps items apart by service
// and user, reports go-keyring's errors, and refuses oversized values.
func TestMemoryKeyring(t *testing.T) {
	k := store.NewMemoryKeyring()
	if _, err := k.Get("s", "u"); !errors.Is(err, keyring.ErrNotFound) {
		t.Fatalf("Get missing: %v", err)
	}
	if err := k.Set("s", "u", "v"); err != nil {
		t.Fatal(err)
	}
	if err := k.Set("s2", "u", "w"); err != nil {
		t.Fatal(err)
	}
	if v, err := k.Get("s", "u"); err != nil || v != "v" {
		t.Fatalf("Get: %q %v", v, err)
	}
	if err := k.Set("s", "big", string(make([]byte, store.MaxItemSize+1))); !errors.Is(err, keyring.ErrSetDataTooBig) {
		t.Fatalf("oversized Set: %v", err)
	}
	if err := k.Delete("s", "u"); err != nil {
		t.Fatal(err)
	}
	if err := k.Delete("s", "u"); !errors.Is(err, keyring.ErrNotFound) {
		t.Fatalf("second Delete: %v", err)
	}
	if k.Len() != 1 {
		t.Fatalf("%d items, want 1", k.Len())
	}
}

func TestContractAddLoad(t *testing.T) {
	implementations(t, func(t *testing.T, s fullStore) {
		cache := cacheOf(5000, 1)
		e := mustAdd(t, s, newEntry("librus", "jan"), cache)
		if len(e.ID) != 16 || e.Keyring != (store.KeyringRef{Service: "setupwizard:librus", Item: e.ID}) {
			t.Fatalf("entry id %q ref %+v", e.ID, e.Keyring)
		}
		if e.Created.IsZero() || !e.Modified.Equal(e.Created) {
			t.Fatalf("times %v %v", e.Created, e.Modified)
		}
		got, _, err := s.LoadCache(bg, e.ID)
		if err != nil || !bytes.Equal(got, cache) {
			t.Fatalf("LoadCache = %d bytes, %v", len(got), err)
		}
		g, err := s.Get(bg, e.ID)
		if err != nil || g.Login() != "jan@example.com" || g.UniqueID != "jan" {
			t.Fatalf("Get = %+v, %v", g, err)
		}
		list, err := s.Entries(bg)
		if err != nil || len(list) != 1 || list[0].ID != e.ID {
			t.Fatalf("Entries = %+v, %v", list, err)
		}
		// Callers get copies.
		list[0].Data[store.DataLogin] = "changed"
		if g, _ := s.Get(bg, e.ID); g.Login() != "jan@example.com" {
			t.Fatalf("Entries aliases the store: login %q", g.Login())
		}
	})
}

func TestContractUniqueID(t *testing.T) {
	implementations(t, func(t *testing.T, s fullStore) {
		mustAdd(t, s, newEntry("librus", "jan"), []byte("a"))
		_, err := s.Add(bg, newEntry("librus", "jan"), []byte("b"))
		if !errors.Is(err, store.ErrDuplicate) {
			t.Fatalf("second Add: %v, want ErrDuplicate", err)
		}
		// Unique per domain: another provider may have the same id.
		mustAdd(t, s, newEntry("flameconnect", "jan"), []byte("c"))
		if list, _ := s.Entries(bg); len(list) != 2 {
			t.Fatalf("%d entries, want 2", len(list))
		}
	})
}

func TestContractBadEntry(t *testing.T) {
	cases := []struct {
		name string
		e    store.Entry
	}{
		{"empty domain", newEntry("", "jan")},
		{"domain with colon", newEntry("a:b", "jan")},
		{"upper-case domain", newEntry("Librus", "jan")},
		{"empty unique id", newEntry("librus", "")},
	}
	implementations(t, func(t *testing.T, s fullStore) {
		for _, c := range cases {
			if _, err := s.Add(bg, c.e, []byte("x")); err == nil {
				t.Errorf("%s: Add succeeded", c.name)
			}
		}
		if list, _ := s.Entries(bg); len(list) != 0 {
			t.Fatalf("%d entries after rejected adds", len(list))
		}
	})
}

func TestContractReplace(t *testing.T) {
	implementations(t, func(t *testing.T, s fullStore) {
		e := mustAdd(t, s, newEntry("flameconnect", "ann"), cacheOf(6000, 2))
		next := cacheOf(3000, 3)
		if _, err := s.ReplaceCache(bg, e.ID, next, ""); err != nil {
			t.Fatal(err)
		}
		if got, _, err := s.LoadCache(bg, e.ID); err != nil || !bytes.Equal(got, next) {
			t.Fatalf("after replace: %d bytes, %v", len(got), err)
		}
		if _, err := s.ReplaceCache(bg, "nope", next, ""); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("replace unknown: %v", err)
		}
		if _, _, err := s.LoadCache(bg, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("load unknown: %v", err)
		}
		if _, err := s.ReplaceCache(bg, e.ID, make([]byte, store.MaxCacheSize+1), ""); !errors.Is(err, store.ErrTooLarge) {
			t.Fatalf("replace huge: %v", err)
		}
		if _, err := s.Add(bg, newEntry("librus", "huge"), make([]byte, store.MaxCacheSize+1)); !errors.Is(err, store.ErrTooLarge) {
			t.Fatalf("add huge: %v", err)
		}
		if list, _ := s.Entries(bg); len(list) != 1 {
			t.Fatalf("%d entries, want 1", len(list))
		}
	})
}

func TestContractIssues(t *testing.T) {
	implementations(t, func(t *testing.T, s fullStore) {
		e := mustAdd(t, s, newEntry("librus", "jan"), []byte("x"))
		steps := []struct {
			open bool
			want bool
		}{{true, true}, {true, true}, {false, false}, {false, false}, {true, true}}
		for i, st := range steps {
			if err := s.SetIssue(bg, e.ID, store.IssueAuthExpired, st.open, ""); err != nil {
				t.Fatalf("step %d: %v", i, err)
			}
			g, _ := s.Get(bg, e.ID)
			if g.HasIssue(store.IssueAuthExpired) != st.want || len(g.Issues) > 1 {
				t.Fatalf("step %d: issues %+v", i, g.Issues)
			}
		}
		if err := s.SetIssue(bg, "nope", store.IssueAuthExpired, true, ""); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown entry: %v", err)
		}
	})
}

func TestContractRemove(t *testing.T) {
	implementations(t, func(t *testing.T, s fullStore) {
		a := mustAdd(t, s, newEntry("librus", "a"), []byte("aa"))
		b := mustAdd(t, s, newEntry("librus", "b"), []byte("bb"))
		if err := s.Remove(bg, a.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Get(bg, a.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("Get removed: %v", err)
		}
		if _, _, err := s.LoadCache(bg, a.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("LoadCache removed: %v", err)
		}
		if err := s.Remove(bg, a.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("second Remove: %v", err)
		}
		if got, _, err := s.LoadCache(bg, b.ID); err != nil || string(got) != "bb" {
			t.Fatalf("other entry: %q %v", got, err)
		}
		// The unique id is free again.
		mustAdd(t, s, newEntry("librus", "a"), []byte("again"))
	})
}
