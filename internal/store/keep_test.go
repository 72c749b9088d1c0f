package store_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/setupwizard/setupwizard/internal/store"
)

// TestFailedRemoveKeepsEntry (issue 17, item 1): a Remove that failed
// before it deleted anything leaves the entry, its cache and the index
// bytes as they were, says so (ErrKept), and no later change finishes it;
// one that stopped after its tombstone landed says it is unfinished, and
// the next change finishes it.
func TestFailedRemoveKeepsEntry(t *testing.T) {
	cache := cacheOf(4000, 7) // 3 chunks
	cases := []struct {
		name string
		hook func(op, service, user string) error
		kept bool
	}{
		{"keyring unreachable", func(string, string, string) error { return errBoom }, true},
		{"first write refused", failNthWrite(1), true},
		{"stale generation delete refused", nil, true}, // see below
		{"stopped after the tombstone", crashAfter(1), false},
		{"stopped after a chunk delete", crashAfter(2), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, kr := openFake(t)
			e := mustAdd(t, s, newEntry("librus", "jan"), cache)
			hook := c.hook
			if hook == nil {
				// A replace that left a stale generation behind, whose
				// delete then fails: the cache is still whole.
				items := kr.list(e.ID)
				m := items[e.ID]
				items[e.ID] = strings.Replace(m, `}`, `,"stale":[{"generation":"0badbeef","chunks":1}]}`, 1)
				items[store.ChunkUser(e.ID, "0badbeef", 0)] = "AAAA"
				kr.replaceItems(e.ID, items)
				hook = func(op, _, user string) error {
					if op == "delete" {
						return errBoom
					}
					return nil
				}
			}
			index := filepath.Join(s.Dir(), store.IndexFile)
			before, err := os.ReadFile(index)
			if err != nil {
				t.Fatal(err)
			}
			kr.setBefore(hook)
			err = s.Remove(bg, e.ID)
			kr.setBefore(nil)
			if !errors.Is(err, store.ErrKeyring) {
				t.Fatalf("Remove: %v, want a keyring error", err)
			}
			if got := errors.Is(err, store.ErrKept); got != c.kept {
				t.Fatalf("Remove: %v; ErrKept %v, want %v", err, got, c.kept)
			}
			if !c.kept && !errors.Is(err, store.ErrRemoveUnfinished) {
				t.Fatalf("Remove: %v, want ErrRemoveUnfinished", err)
			}
			if c.kept {
				if now, _ := os.ReadFile(index); !bytes.Equal(now, before) {
					t.Fatalf("the index changed:\n%s\nwas:\n%s", now, before)
				}
			}
			// The next change of any kind (here: another account's add).
			mustAdd(t, s, newEntry("librus", "other"), cacheOf(10, 8))
			if store.Pending(s) {
				t.Fatal("a keyring call is still pending")
			}
			got, _, err := s.LoadCache(bg, e.ID)
			switch {
			case c.kept && (err != nil || !bytes.Equal(got, cache)):
				t.Fatalf("after the next change: cache %d bytes, %v; want the account kept whole", len(got), err)
			case !c.kept && !errors.Is(err, store.ErrRemoved):
				t.Fatalf("after the next change: %v, want the remove finished (ErrRemoved)", err)
			case !c.kept && len(kr.list(e.ID)) != 0:
				t.Fatalf("items left: %v", keys(kr.list(e.ID)))
			}
		})
	}
}

// TestLegacyRemoveIntent: a remove intent left by an earlier version (no
// tombstone generation) is finished only if the cache shows the remove
// had begun (manifest gone or a tombstone shape), else the entry stays.
func TestLegacyRemoveIntent(t *testing.T) {
	for _, began := range []bool{false, true} {
		t.Run(map[bool]string{false: "cache whole", true: "cache emptied"}[began], func(t *testing.T) {
			s, kr := openFake(t)
			e := mustAdd(t, s, newEntry("librus", "jan"), cacheOf(2000, 3))
			if began {
				// What the old remove's first write leaves: a manifest of
				// an empty generation listing the cache as stale.
				kr.setBefore(crashAfter(1))
				_ = s.Remove(bg, e.ID)
				kr.setBefore(nil)
			}
			index := filepath.Join(s.Dir(), store.IndexFile)
			b, err := os.ReadFile(index)
			if err != nil {
				t.Fatal(err)
			}
			old := string(b)
			if !began {
				old = strings.Replace(old, `"entries"`, `"pending": [{"op": "remove", "entry_id": "`+e.ID+`", "service": "setupwizard:librus"}], "entries"`, 1)
			} else {
				// Strip the tombstone generation from the new intent.
				old = regexp.MustCompile(`,\s*"generation": "[0-9a-f]{8}"`).ReplaceAllString(old, "")
			}
			if err := os.WriteFile(index, []byte(old), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := s.SetIssue(bg, e.ID, store.IssueAuthExpired, false, ""); began != errors.Is(err, store.ErrRemoved) {
				t.Fatalf("SetIssue: %v (began %v)\nindex was:\n%s", err, began, old)
			}
			if _, err := s.Get(bg, e.ID); began != errors.Is(err, store.ErrRemoved) {
				t.Fatalf("Get: %v (began %v)", err, began)
			}
			if !began {
				if _, _, err := s.LoadCache(bg, e.ID); err != nil {
					t.Fatalf("LoadCache: %v", err)
				}
			}
		})
	}
}

// TestStatusDuringRemove (item 8): while a remove is pending (its
// tombstone in place) or done, LoadCache says ErrRemoved, not ErrCorrupt
// or an empty cache; LockRefresh of a removed entry makes no lock file.
func TestStatusDuringRemove(t *testing.T) {
	s, kr := openFake(t)
	e := mustAdd(t, s, newEntry("librus", "jan"), cacheOf(4000, 4))
	kr.setBefore(crashAfter(2)) // the tombstone and one chunk delete landed
	_ = s.Remove(bg, e.ID)
	kr.setBefore(nil)
	if _, _, err := s.LoadCache(bg, e.ID); !errors.Is(err, store.ErrRemoved) {
		t.Fatalf("LoadCache mid-remove: %v, want ErrRemoved", err)
	}
	if err := s.Remove(bg, e.ID); err != nil {
		t.Fatalf("Remove again: %v", err)
	}
	if _, _, err := s.LoadCache(bg, e.ID); !errors.Is(err, store.ErrRemoved) || !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("LoadCache after the remove: %v, want ErrRemoved and ErrNotFound", err)
	}
	if _, err := s.LockRefresh(bg, e.ID); !errors.Is(err, store.ErrRemoved) {
		t.Fatalf("LockRefresh of a removed entry: %v", err)
	}
	if _, err := os.Stat(filepath.Join(s.Dir(), store.RefreshLockDir, e.ID+".lock")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a removed entry's refresh lock file: %v", err)
	}
}

// TestRefreshLockSwept (item 9): a refresh lock file of an entry no longer
// in the index (a remove finished by recovery, or killed between its
// commit and its clean-up) is deleted by the next change; a live entry's
// stays.
func TestRefreshLockSwept(t *testing.T) {
	s, kr := openFake(t)
	a := mustAdd(t, s, newEntry("librus", "a"), cacheOf(3000, 1))
	b := mustAdd(t, s, newEntry("librus", "b"), cacheOf(100, 2))
	for _, id := range []string{a.ID, b.ID} {
		unlock, err := s.LockRefresh(bg, id)
		if err != nil {
			t.Fatal(err)
		}
		unlock()
	}
	kr.setBefore(crashAfter(1)) // a's remove stops after its tombstone
	_ = s.Remove(bg, a.ID)
	kr.setBefore(nil)
	// Recovery finishes it inside another change.
	if err := s.SetIssue(bg, b.ID, store.IssueAuthExpired, true, ""); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(s.Dir(), store.RefreshLockDir)
	if _, err := os.Stat(filepath.Join(dir, a.ID+".lock")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("removed entry's lock file after recovery: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, b.ID+".lock")); err != nil {
		t.Fatalf("live entry's lock file: %v", err)
	}
	// One left by a process killed after its commit.
	stray := filepath.Join(dir, "00112233445566aa.lock")
	if err := os.WriteFile(stray, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := s.SetIssue(bg, b.ID, store.IssueAuthExpired, false, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stray); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("stray lock file: %v", err)
	}
}

// TestIndexSymlink (item 10): a symbolic link at entries.json is read and
// written through (the link stays, the target holds the index); a link to
// a file not made yet in a directory that exists is an empty index whose
// first write makes the file; one into a directory that does not exist is
// unreadable and left alone, never replaced.
func TestIndexSymlink(t *testing.T) {
	s, _ := openFake(t)
	if err := os.MkdirAll(s.Dir(), 0o700); err != nil {
		t.Fatal(err)
	}
	index := filepath.Join(s.Dir(), store.IndexFile)
	isLink := func() {
		t.Helper()
		if fi, err := os.Lstat(index); err != nil || fi.Mode()&os.ModeSymlink == 0 {
			t.Fatalf("entries.json is no longer a link: %v %v", fi, err)
		}
	}
	t.Run("into a missing directory", func(t *testing.T) {
		if err := os.Symlink(filepath.Join(t.TempDir(), "unmounted", "entries.json"), index); err != nil {
			t.Fatal(err)
		}
		defer os.Remove(index)
		_, errList := s.Entries(bg)
		_, errAdd := s.Add(bg, newEntry("librus", "jan"), []byte("x"))
		for _, err := range []error{errList, errAdd} {
			var ie *store.IndexError
			if !errors.As(err, &ie) || ie.Problem != store.IndexLink || !strings.Contains(err.Error(), index) {
				t.Fatalf("%v, want an IndexError naming the link", err)
			}
		}
		isLink()
	})
	realDir := t.TempDir()
	// Relative, as dotfiles managers often make them.
	rel, err := filepath.Rel(s.Dir(), filepath.Join(realDir, "setupwizard-entries.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(rel, index); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(realDir, "setupwizard-entries.json")
	a := mustAdd(t, s, newEntry("librus", "jan"), []byte("x")) // makes the target
	mustAdd(t, s, newEntry("librus", "ola"), []byte("y"))      // writes through it
	isLink()
	b, err := os.ReadFile(target)
	if err != nil || !strings.Contains(string(b), a.ID) {
		t.Fatalf("the link's target lacks the entry: %v\n%s", err, b)
	}
	if l, err := s.Entries(bg); err != nil || len(l) != 2 {
		t.Fatalf("Entries: %d, %v", len(l), err)
	}
	if temps, _ := filepath.Glob(filepath.Join(realDir, ".entries.json.*.tmp")); len(temps) != 0 {
		t.Fatalf("temp files left: %v", temps)
	}
}

// TestRemoveIndexWriteFails: a remove whose intent cannot be recorded
// (a full disk, say) keeps the entry and says so; one whose final index
// write fails, after every item is gone, says it is unfinished, and the
// next change drops the entry.
func TestRemoveIndexWriteFails(t *testing.T) {
	for _, nth := range []int{1, 2} {
		t.Run(map[int]string{1: "intent", 2: "commit"}[nth], func(t *testing.T) {
			s, kr := openFake(t)
			e := mustAdd(t, s, newEntry("librus", "jan"), cacheOf(3000, 9))
			writes := 0
			store.SetBeforeIndexWrite(s, func() error {
				writes++
				if writes == nth {
					return errors.New("injected index write failure")
				}
				return nil
			})
			err := s.Remove(bg, e.ID)
			store.SetBeforeIndexWrite(s, nil)
			if nth == 1 {
				if !errors.Is(err, store.ErrKept) {
					t.Fatalf("Remove: %v, want ErrKept", err)
				}
				if got, _, err := s.LoadCache(bg, e.ID); err != nil || len(got) != 3000 {
					t.Fatalf("the kept entry's cache: %d bytes, %v", len(got), err)
				}
				return
			}
			if !errors.Is(err, store.ErrRemoveUnfinished) {
				t.Fatalf("Remove: %v, want ErrRemoveUnfinished", err)
			}
			mustAdd(t, s, newEntry("librus", "other"), cacheOf(10, 8))
			if _, err := s.Get(bg, e.ID); !errors.Is(err, store.ErrRemoved) {
				t.Fatalf("after the next change: %v, want the entry removed", err)
			}
			if left := kr.list(e.ID); len(left) != 0 {
				t.Fatalf("items left: %v", keys(left))
			}
		})
	}
}
