package store_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gofrs/flock"
	"github.com/setupwizard/setupwizard/internal/store"
)

// audit checks a dir and its keyring the way a user would be let down:
// the index must be valid with no pending change, every entry's cache must
// read back, and every item under setupwizard:* must belong to an entry's
// manifest or its current generation (nothing --list cannot see). It
// returns the orphaned items and the entries whose cache is corrupt.
func audit(t testing.TB, dir string, items map[[2]string]string) (orphans []string, corrupt []string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, store.IndexFile))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var idx struct {
		Entries []store.Entry     `json:"entries"`
		Pending []json.RawMessage `json:"pending"`
	}
	if len(b) > 0 {
		if err := json.Unmarshal(b, &idx); err != nil {
			t.Fatalf("index: %v", err)
		}
	}
	if len(idx.Pending) != 0 {
		t.Fatalf("index still lists pending changes: %s", b)
	}
	owned := map[[2]string]bool{}
	for _, e := range idx.Entries {
		svc, id := e.Keyring.Service, e.Keyring.Item
		owned[[2]string{svc, id}] = true
		var m struct {
			Generation string `json:"generation"`
			Chunks     int    `json:"chunks"`
		}
		if err := json.Unmarshal([]byte(items[[2]string{svc, id}]), &m); err != nil {
			corrupt = append(corrupt, id)
			continue
		}
		for i := range m.Chunks {
			k := [2]string{svc, store.ChunkUser(id, m.Generation, i)}
			if _, ok := items[k]; !ok {
				corrupt = append(corrupt, id)
			}
			owned[k] = true
		}
	}
	for k := range items {
		if strings.HasPrefix(k[0], store.ServicePrefix) && !owned[k] {
			orphans = append(orphans, k[0]+" "+k[1])
		}
	}
	return orphans, corrupt
}

// TestCompareAndSwap: a write given the version it read lands only if the
// cache is still that version; the loser writes nothing, whatever the op.
func TestCompareAndSwap(t *testing.T) {
	s, _ := openFake(t)
	e := mustAdd(t, s, newEntry("librus", "jan"), []byte("v1"))
	_, v1, err := s.LoadCache(bg, e.ID)
	if err != nil || v1 == "" {
		t.Fatalf("LoadCache: %q %v", v1, err)
	}
	v2, err := s.ReplaceCache(bg, e.ID, []byte("v2"), v1)
	if err != nil || v2 == v1 || v2 == "" {
		t.Fatalf("first swap: %q %v", v2, err)
	}
	if _, err := s.ReplaceCache(bg, e.ID, []byte("stale"), v1); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("swap on a stale version: %v, want ErrConflict", err)
	}
	if err := s.SetIssue(bg, e.ID, store.IssueAuthExpired, true, v1); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("auth_expired on a stale version: %v, want ErrConflict", err)
	}
	got, v, err := s.LoadCache(bg, e.ID)
	if err != nil || string(got) != "v2" || v != v2 {
		t.Fatalf("after the lost swaps: %q %q %v", got, v, err)
	}
	if g, _ := s.Get(bg, e.ID); g.HasIssue(store.IssueAuthExpired) {
		t.Fatal("a lost compare-and-swap recorded auth_expired")
	}
	if err := s.SetIssue(bg, e.ID, store.IssueAuthExpired, true, v2); err != nil {
		t.Fatal(err)
	}
	if g, _ := s.Get(bg, e.ID); !g.HasIssue(store.IssueAuthExpired) {
		t.Fatal("auth_expired on the current version not recorded")
	}
}

// TestUnknownOutcome: when the switch to the new generation is abandoned
// while in the keyring, the error says the cache may have been replaced
// (not that nothing changed); once the late call lands, the next change
// leaves exactly the generation the manifest names.
func TestUnknownOutcome(t *testing.T) {
	for _, lands := range []bool{true, false} {
		t.Run(fmt.Sprintf("lands=%v", lands), func(t *testing.T) {
			base, kr := openFake(t)
			old := cacheOf(4000, 1)
			e := mustAdd(t, base, newEntry("librus", "jan"), old)
			// intent, 2 chunks, switch
			gate := newGate(kr, nth("set", 4))
			a, err := store.Open(base.Dir(), store.WithKeyring(gate), store.WithTimeout(hangTimeout))
			if err != nil {
				t.Fatal(err)
			}
			_, err = a.ReplaceCache(bg, e.ID, cacheOf(3000, 2), "")
			if !errors.Is(err, store.ErrOutcomeUnknown) || !strings.Contains(err.Error(), "may have been replaced") {
				t.Fatalf("ReplaceCache: %v, want ErrOutcomeUnknown", err)
			}
			if !lands {
				kr.setBefore(func(op, _, _ string) error {
					if op == "set" {
						return errBoom
					}
					return nil
				})
			}
			close(gate.release)
			settle(t, a)
			kr.setBefore(nil)
			if err := base.SetIssue(bg, e.ID, store.IssueAuthExpired, false, ""); err != nil {
				t.Fatal(err)
			}
			got, _, err := base.LoadCache(bg, e.ID)
			want := old
			if lands {
				want = cacheOf(3000, 2)
			}
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("cache after the unknown outcome: %d bytes, %v", len(got), err)
			}
			if orphans, corrupt := audit(t, base.Dir(), kr.snapshot()); len(orphans)+len(corrupt) != 0 {
				t.Fatalf("orphans %v, corrupt %v", orphans, corrupt)
			}
		})
	}
}

// TestInterruptedChangesAreFinished stops add, replace and remove at each
// of their keyring writes as a killed process would (nothing more reaches
// the keyring, so no undo runs), then runs one ordinary change from
// another Store: no item is left that the index does not own, no cache is
// corrupt, and the index has no pending change.
func TestInterruptedChangesAreFinished(t *testing.T) {
	ops := []struct {
		name   string
		writes int
		run    func(s *store.Store, id string) error
	}{
		{"add", 3 + 1, func(s *store.Store, _ string) error {
			_, err := s.Add(bg, newEntry("librus", "new"), cacheOf(4000, 7))
			return err
		}},
		{"replace", 1 + 3 + 1 + 3 + 1, func(s *store.Store, id string) error {
			_, err := s.ReplaceCache(bg, id, cacheOf(4500, 8), "")
			return err
		}},
		{"remove", 1 + 3 + 1, func(s *store.Store, id string) error { return s.Remove(bg, id) }},
	}
	kills := 0
	for _, op := range ops {
		for n := 0; n < op.writes; n++ {
			t.Run(fmt.Sprintf("%s killed after %d writes", op.name, n), func(t *testing.T) {
				s, kr := openFake(t)
				anchor := mustAdd(t, s, newEntry("librus", "anchor"), cacheOf(100, 1))
				e := mustAdd(t, s, newEntry("librus", "jan"), cacheOf(4000, 2))
				kr.setBefore(crashAfter(n))
				// After its switch a replace has happened and reports
				// success; what it could not tidy is the next change's.
				_ = op.run(s, e.ID)
				kills++
				kr.setBefore(nil)
				next, err := store.Open(s.Dir(), store.WithKeyring(kr))
				if err != nil {
					t.Fatal(err)
				}
				if err := next.SetIssue(bg, anchor.ID, store.IssueAuthExpired, false, ""); err != nil {
					t.Fatalf("the next change: %v", err)
				}
				orphans, corrupt := audit(t, s.Dir(), kr.snapshot())
				if len(orphans) != 0 || len(corrupt) != 0 {
					t.Fatalf("orphans %v, corrupt %v", orphans, corrupt)
				}
				list, _ := next.Entries(bg)
				for _, x := range list {
					if _, _, err := next.LoadCache(bg, x.ID); err != nil {
						t.Fatalf("entry %s: %v", x.UniqueID, err)
					}
				}
			})
		}
	}
	t.Logf("interruptions: %d", kills)
}

// TestRemoveTruncatedManifest: a manifest cut off mid-JSON still names its
// generation; Remove deletes its chunks instead of saying "removed" and
// leaving them.
func TestRemoveTruncatedManifest(t *testing.T) {
	s, kr := openFake(t)
	e := mustAdd(t, s, newEntry("librus", "jan"), cacheOf(4000, 1))
	it := kr.list(e.ID)
	it[e.ID] = it[e.ID][:40] // {"version":1,"generation":"xxxxxxxx","ch
	kr.replaceItems(e.ID, it)
	if _, _, err := s.LoadCache(bg, e.ID); !errors.Is(err, store.ErrCorrupt) {
		t.Fatalf("LoadCache: %v, want ErrCorrupt", err)
	}
	if err := s.Remove(bg, e.ID); err != nil {
		t.Fatal(err)
	}
	if left := kr.list(e.ID); len(left) != 0 {
		t.Fatalf("left behind: %v", keys(left))
	}
}

// TestKilledProbeIsCleaned: a probe that wrote its item and died before
// deleting it leaves a journal file; the next change deletes the item.
// A probe still running (its journal locked) is left alone.
func TestKilledProbeIsCleaned(t *testing.T) {
	s, kr := openFake(t)
	kr.setBefore(func(op, _, _ string) error {
		if op == "delete" {
			return errBoom // the process "dies" between set and delete
		}
		return nil
	})
	if err := s.Probe(bg, "librus"); err == nil {
		t.Fatal("Probe succeeded")
	}
	kr.setBefore(nil)
	if n := len(kr.snapshot()); n != 1 {
		t.Fatalf("%d items after the killed probe, want its 1", n)
	}
	// A live probe of another process: its journal is locked.
	live := filepath.Join(s.Dir(), ".probe-librus.00112233445566aa")
	lock := flock.New(live)
	if ok, err := lock.TryLock(); err != nil || !ok {
		t.Fatal(err)
	}
	defer lock.Close()
	if err := kr.Set(store.Service("librus"), "setupwizard-probe-00112233445566aa", "probe"); err != nil {
		t.Fatal(err)
	}
	if err := s.CheckWritable(bg); err != nil {
		t.Fatal(err)
	}
	items := kr.snapshot()
	if len(items) != 1 {
		t.Fatalf("items %v, want only the live probe's", items)
	}
	if _, ok := items[[2]string{store.Service("librus"), "setupwizard-probe-00112233445566aa"}]; !ok {
		t.Fatal("the live probe's item was deleted")
	}
}

// TestReadOnlyCommandsCreateNothing: reading a config dir that does not
// exist yet creates neither the dir nor entries.lock.
func TestReadOnlyCommandsCreateNothing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "fresh")
	s, err := store.Open(dir, store.WithKeyring(newFakeKeyring()))
	if err != nil {
		t.Fatal(err)
	}
	if list, err := s.Entries(bg); err != nil || len(list) != 0 {
		t.Fatalf("Entries: %v %v", list, err)
	}
	if _, err := s.Get(bg, "0123456789abcdef"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Get: %v", err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("the config dir was created: %v", err)
	}
}

// TestCheckWritable: a config dir whose index cannot be written is found
// out before any request; a writable one passes.
func TestCheckWritable(t *testing.T) {
	s, _ := openFake(t)
	if err := s.CheckWritable(bg); err != nil {
		t.Fatalf("writable dir: %v", err)
	}
	if runtime.GOOS != "linux" {
		t.Skip("uses sysfs")
	}
	if _, err := os.Stat("/sys/kernel"); err != nil {
		t.Skip("no sysfs")
	}
	// entries.lock as a dangling symlink into sysfs: even root cannot
	// create it.
	lock := filepath.Join(s.Dir(), store.LockFile)
	_ = os.Remove(lock)
	if err := os.Symlink("/sys/setupwizard-test-cannot-create", lock); err != nil {
		t.Fatal(err)
	}
	err := s.CheckWritable(bg)
	if err == nil || !strings.Contains(err.Error(), "cannot be written") {
		t.Fatalf("read-only: %v", err)
	}
}

// TestTitleCleaned: control characters a server put in a title never
// reach entries.json: escape sequences go with their parameters, C1
// controls and bidi overrides are dropped.
func TestTitleCleaned(t *testing.T) {
	s, _ := openFake(t)
	e := newEntry("librus", "jan")
	e.Title = "\x1b]0;pwned\x07\x1b[2JJan\u202e\u0085 Kowalski"
	got := mustAdd(t, s, e, []byte("x"))
	b, err := os.ReadFile(filepath.Join(s.Dir(), store.IndexFile))
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != "Jan Kowalski" || bytes.ContainsAny(b, "\x1b\x07") || bytes.Contains(b, []byte(`\u001b`)) {
		t.Fatalf("title %q; index %s", got.Title, b)
	}
}

// TestIndexMigration: a version 1 index (no identities) is read as it is
// and written as version 2 by the next change, keeping every entry.
func TestIndexMigration(t *testing.T) {
	s, _ := openFake(t)
	v1, err := os.ReadFile(filepath.Join("testdata", "index", "valid.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(v1, []byte(`"version": 1`)) {
		t.Fatalf("testdata/index/valid.json is not version 1")
	}
	if err := os.WriteFile(filepath.Join(s.Dir(), store.IndexFile), v1, 0o600); err != nil {
		t.Fatal(err)
	}
	list, err := s.Entries(bg)
	if err != nil || len(list) == 0 {
		t.Fatalf("Entries of a version 1 index: %v %v", list, err)
	}
	if err := s.SetIdentity(bg, list[0].ID, "subject:42"); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(s.Dir(), store.IndexFile))
	if !bytes.Contains(b, []byte(`"version": 2`)) || !bytes.Contains(b, []byte(`"identity": "subject:42"`)) {
		t.Fatalf("migrated index:\n%s", b)
	}
	after, _ := s.Entries(bg)
	if len(after) != len(list) || after[0].Identity != "subject:42" {
		t.Fatalf("entries after migration: %+v", after)
	}
}

// TestHugeCacheRefused: a cache over 64 KiB is refused with a message
// that says so, before the lock is taken.
func TestHugeCacheRefused(t *testing.T) {
	s, _ := openFake(t, store.WithLockTimeout(time.Millisecond))
	hold := flock.New(filepath.Join(s.Dir(), store.LockFile))
	if err := hold.Lock(); err != nil {
		t.Fatal(err)
	}
	defer hold.Close()
	_, err := s.Add(bg, newEntry("librus", "jan"), make([]byte, 1<<20))
	if !errors.Is(err, store.ErrTooLarge) || !strings.Contains(err.Error(), "65536 bytes") {
		t.Fatalf("Add of 1 MiB: %v", err)
	}
}
