package store_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gofrs/flock"
	"github.com/setupwizard/setupwizard/internal/store"
)

func TestIndexModesAndContent(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "setupwizard")
	kr := newFakeKeyring()
	s, err := store.Open(dir, store.WithKeyring(kr))
	if err != nil {
		t.Fatal(err)
	}
	secret := []byte(`{"RefreshToken":{"x":{"secret":"s3cr3t-refresh"}}}`)
	e := mustAdd(t, s, newEntry("flameconnect", "ann"), secret)
	if err := s.SetIssue(bg, e.ID, store.IssueAuthExpired, true, ""); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]os.FileMode{
		dir:                                 0o700,
		filepath.Join(dir, store.IndexFile): 0o600,
		filepath.Join(dir, store.LockFile):  0o600,
	} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s: mode %v, want %v", path, fi.Mode().Perm(), want)
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, store.IndexFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"version": 2`, `"entry_id": "` + e.ID, `"issue_id": "auth_expired"`, `"service": "setupwizard:flameconnect"`} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("index lacks %s:\n%s", want, b)
		}
	}
	for _, secretForm := range []string{"s3cr3t", base64.StdEncoding.EncodeToString(secret)[:20]} {
		if bytes.Contains(b, []byte(secretForm)) {
			t.Errorf("index holds the secret (%s)", secretForm)
		}
	}
}

// TestIndexNoTempFiles: after every kind of change, and after failures,
// the dir holds only the index and its lock.
func TestIndexNoTempFiles(t *testing.T) {
	s, kr := openFake(t)
	e := mustAdd(t, s, newEntry("librus", "a"), []byte("1"))
	_, _ = s.ReplaceCache(bg, e.ID, []byte("2"), "")
	_ = s.SetIssue(bg, e.ID, store.IssueAuthExpired, true, "")
	_, _ = s.Add(bg, newEntry("librus", "a"), []byte("dup"))
	kr.setBefore(failNthWrite(1))
	_, _ = s.Add(bg, newEntry("librus", "b"), []byte("fails"))
	kr.setBefore(nil)
	b := mustAdd(t, s, newEntry("librus", "b"), []byte("3"))
	_ = s.Remove(bg, b.ID)
	names, err := os.ReadDir(s.Dir())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, n := range names {
		got = append(got, n.Name())
	}
	if strings.Join(got, " ") != "entries.json entries.lock" {
		t.Fatalf("config dir holds %v", got)
	}
}

// TestIndexUnreadable: a corrupt, unknown or future index is a clear
// ErrIndex for every operation, and nothing overwrites it.
func TestIndexUnreadable(t *testing.T) {
	cases := map[string]string{
		"truncated.json":    "not valid JSON",
		"garbage.json":      "not valid JSON",
		"empty.json":        "not valid JSON",
		"future.json":       "upgrade setupwizard",
		"noversion.json":    `no "version"`,
		"version0.json":     "unknown version 0",
		"unknownfield.json": `unknown field "extra"`,
		"dupid.json":        "appears twice",
		"badref.json":       "keyring reference",
		"badid.json":        "bad entry id",
		"baddomain.json":    "bad domain",
		"badid-upper.json":  "bad entry id",
		"dupunique.json":    `unique id "jan-kowalski" appears twice`,
		"emptyissue.json":   "empty issue_id",
		// Issue 17: encoding/json read these as an empty index (a case
		// variant or a repeat of "entries" won) or dropped the field.
		"casevariant.json": `unknown field "Entries" at line 27, column 3`,
		"dupkey.json":      `field "entries" appears twice at line 27, column 3`,
		"nestedcase.json":  `unknown field "Title" in /entries/0 at line 7, column 7`,
		"wrongtype.json":   `/entries/0/created_at has the wrong type at line 12, column 21`,
	}
	for file, msg := range cases {
		t.Run(file, func(t *testing.T) {
			s, _ := openFake(t)
			orig, err := os.ReadFile(filepath.Join("testdata", "index", file))
			if err != nil {
				t.Fatal(err)
			}
			index := filepath.Join(s.Dir(), store.IndexFile)
			if err := os.WriteFile(index, orig, 0o600); err != nil {
				t.Fatal(err)
			}
			_, errList := s.Entries(bg)
			_, errAdd := s.Add(bg, newEntry("librus", "new"), []byte("x"))
			errIssue := s.SetIssue(bg, "0123456789abcdef", store.IssueAuthExpired, false, "")
			errRemove := s.Remove(bg, "0123456789abcdef")
			for _, err := range []error{errList, errAdd, errIssue, errRemove} {
				if !errors.Is(err, store.ErrIndex) || !strings.Contains(err.Error(), msg) || !strings.Contains(err.Error(), index) {
					t.Errorf("got %v, want ErrIndex naming the file and %q", err, msg)
				}
			}
			if now, _ := os.ReadFile(index); !bytes.Equal(now, orig) {
				t.Fatal("the unreadable index was overwritten")
			}
		})
	}
}

func TestIndexValidFixture(t *testing.T) {
	s, _ := openFake(t)
	b, err := os.ReadFile(filepath.Join("testdata", "index", "valid.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(s.Dir(), store.IndexFile), b, 0o600); err != nil {
		t.Fatal(err)
	}
	list, err := s.Entries(bg)
	if err != nil || len(list) != 1 {
		t.Fatalf("Entries = %v, %v", list, err)
	}
	e := list[0]
	if e.Login() != "jan.kowalski" || !e.HasIssue(store.IssueAuthExpired) || e.Created != time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC) {
		t.Fatalf("entry %+v", e)
	}
	// Closing the issue rewrites the file in the same schema.
	if err := s.SetIssue(bg, e.ID, store.IssueAuthExpired, false, ""); err != nil {
		t.Fatal(err)
	}
	if g, _ := s.Get(bg, e.ID); g.HasIssue(store.IssueAuthExpired) || g.Title != "Jan Kowalski" {
		t.Fatalf("after closing: %+v", g)
	}
}

// TestIndexLockContention: while another process holds entries.lock,
// changes wait and then fail with ErrLocked, but readers (Entries, Get,
// LoadCache) never wait for a writer: --list stays instant while a writer
// holds the lock.
func TestIndexLockContention(t *testing.T) {
	s, _ := openFake(t, store.WithLockTimeout(30*time.Millisecond))
	e := mustAdd(t, s, newEntry("librus", "a"), []byte("1"))
	other := flock.New(filepath.Join(s.Dir(), store.LockFile))

	if err := other.Lock(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Add(bg, newEntry("librus", "b"), []byte("2")); !errors.Is(err, store.ErrLocked) {
		t.Fatalf("Add under a held lock: %v", err)
	}
	if _, err := s.ReplaceCache(bg, e.ID, []byte("x"), ""); !errors.Is(err, store.ErrLocked) {
		t.Fatalf("ReplaceCache under a held lock: %v", err)
	}
	if got, _, err := s.LoadCache(bg, e.ID); err != nil || string(got) != "1" {
		t.Fatalf("LoadCache under a held lock: %q %v", got, err)
	}
	if _, err := s.Get(bg, e.ID); err != nil {
		t.Fatalf("Get under a held lock: %v", err)
	}
	if err := other.Unlock(); err != nil {
		t.Fatal(err)
	}
	if list, _ := s.Entries(bg); len(list) != 1 {
		t.Fatalf("a locked-out Add wrote an entry: %v", list)
	}

	// A waiter gets the lock once the holder lets go.
	s2, _ := openFake(t)
	if err := other.Close(); err != nil {
		t.Fatal(err)
	}
	holder := flock.New(filepath.Join(s2.Dir(), store.LockFile))
	if err := holder.Lock(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := s2.Add(bg, newEntry("librus", "c"), []byte("3"))
		done <- err
	}()
	if err := holder.Unlock(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("Add after the holder let go: %v", err)
	}
}
