package store_test

import (
	"bufio"
	"bytes"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/setupwizard/setupwizard/internal/store"
	"github.com/setupwizard/setupwizard/internal/testenv"
)

// realDomain keeps the real-keyring tests under their own service.
const realDomain = "test"

// realTimeout replaces the 10 s default in these tests: they check
// behaviour, not speed, and on a loaded machine gnome-keyring (which
// rewrites its file on every change) can take seconds per call once it
// holds the 683 items of a 1 MB cache.
var realTimeout = store.WithTimeout(2 * time.Minute)

// secretToolItems lists, through secret-tool (independent of go-keyring),
// the items of service setupwizard:test whose user is id or starts with
// id/, as user -> secret.
func secretToolItems(t testing.TB, id string) map[string]string {
	t.Helper()
	items := map[string]string{}
	for u, v := range secretToolSearch(t, store.Service(realDomain)) {
		if u == id || strings.HasPrefix(u, id+"/") {
			items[u] = v
		}
	}
	return items
}

// secretToolSearch lists every item of service, as user -> secret, with
// `secret-tool search --all service <service>`.
func secretToolSearch(t testing.TB, service string) map[string]string {
	t.Helper()
	// secret-tool prints attributes on stderr, the rest on stdout; the
	// label (go-keyring's, or secretservice.Label) names the user, so
	// stdout suffices.
	out, err := exec.Command("secret-tool", "search", "--all", "service", service).Output()
	if err != nil && len(out) != 0 {
		t.Fatalf("secret-tool search: %v", err)
	}
	items := map[string]string{}
	var user, secret string
	flush := func() {
		if user != "" {
			items[user] = secret
		}
		user, secret = "", ""
	}
	labelSuffix := "' on '" + service + "'"
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "["):
			flush()
		case strings.HasPrefix(line, "secret = "):
			secret = strings.TrimPrefix(line, "secret = ")
		case strings.HasPrefix(line, "label = Password for '") && strings.HasSuffix(line, labelSuffix):
			user = strings.TrimSuffix(strings.TrimPrefix(line, "label = Password for '"), labelSuffix)
		case strings.HasPrefix(line, "label = "+service+" "):
			// secretservice.Label: the user with each "/" made a space.
			user = strings.ReplaceAll(strings.TrimPrefix(line, "label = "+service+" "), " ", "/")
		}
	}
	flush()
	return items
}

// TestRealKeyringRoundTrip stores caches of several sizes in the real
// Secret Service, reads them back, checks every item's size with
// secret-tool, replaces each and checks the old generation is gone.
func TestRealKeyringRoundTrip(t *testing.T) {
	testenv.RealKeyring(t)
	if _, err := exec.LookPath("secret-tool"); err != nil {
		t.Fatal("secret-tool is missing (Debian package libsecret-tools): ./scripts/test installs it")
	}
	s, err := store.Open(t.TempDir(), realTimeout)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{100, 5 << 10, store.MaxCacheSize} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			if n > 64<<10 && testing.Short() {
				t.Skip("1 MB (683 items) takes ~30 s in gnome-keyring; runs without -short")
			}
			cache := cacheOf(n, uint64(n))
			e := mustAdd(t, s, newEntry(realDomain, fmt.Sprintf("size-%d", n)), cache)
			t.Cleanup(func() { _ = s.Remove(bg, e.ID) })
			if got, _, err := s.LoadCache(bg, e.ID); err != nil || !bytes.Equal(got, cache) {
				t.Fatalf("LoadCache: %d bytes, %v", len(got), err)
			}
			chunks := (n + store.ChunkSize - 1) / store.ChunkSize
			first := secretToolItems(t, e.ID)
			checkItems(t, first, chunks)

			// gnome-keyring rewrites its file on every change, so writes
			// slow down with the item count: 1 MB is replaced by a small
			// cache (still deleting all 683 old chunks) to keep this short.
			m := n/2 + 1
			if n > 64<<10 {
				m = 5000
			}
			next := cacheOf(m, uint64(n)+1)
			if _, err := s.ReplaceCache(bg, e.ID, next, ""); err != nil {
				t.Fatal(err)
			}
			if got, _, err := s.LoadCache(bg, e.ID); err != nil || !bytes.Equal(got, next) {
				t.Fatalf("LoadCache after replace: %d bytes, %v", len(got), err)
			}
			second := secretToolItems(t, e.ID)
			checkItems(t, second, (m+store.ChunkSize-1)/store.ChunkSize)
			for u := range first {
				if _, still := second[u]; still && u != e.ID {
					t.Fatalf("old chunk %s still in the keyring after replace", u)
				}
			}

			if err := s.Remove(bg, e.ID); err != nil {
				t.Fatal(err)
			}
			if left := secretToolItems(t, e.ID); len(left) != 0 {
				t.Fatalf("%d items left after Remove", len(left))
			}
		})
	}
}

// checkItems: a manifest plus want chunks, none over MaxItemSize bytes.
func checkItems(t *testing.T, items map[string]string, want int) {
	t.Helper()
	if len(items) != want+1 {
		t.Fatalf("secret-tool lists %d items, want %d chunks + manifest", len(items), want)
	}
	for u, v := range items {
		if len(v) > store.MaxItemSize {
			t.Fatalf("item %s holds %d bytes, over %d", u, len(v), store.MaxItemSize)
		}
	}
}

// crashingKeyring is the real keyring that "crashes" after n writes.
type crashingKeyring struct {
	store.SystemKeyring
	left int
}

func (c *crashingKeyring) Set(service, user, secret string) error {
	if c.left <= 0 {
		return errBoom
	}
	c.left--
	return c.SystemKeyring.Set(service, user, secret)
}

// TestRealKeyringCrashedReplace: a replace that dies after writing part of
// the new generation leaves the old cache readable in the real keyring,
// and the next write removes the partial generation.
func TestRealKeyringCrashedReplace(t *testing.T) {
	testenv.RealKeyring(t)
	dir := t.TempDir()
	s, err := store.Open(dir, realTimeout)
	if err != nil {
		t.Fatal(err)
	}
	old := cacheOf(5000, 1)
	e := mustAdd(t, s, newEntry(realDomain, "crash"), old)
	t.Cleanup(func() { _ = s.Remove(bg, e.ID) })

	crashing, err := store.Open(dir, realTimeout, store.WithKeyring(&crashingKeyring{left: 3})) // intent + 2 chunks
	if err != nil {
		t.Fatal(err)
	}
	if _, err := crashing.ReplaceCache(bg, e.ID, cacheOf(7000, 2), ""); err == nil {
		t.Fatal("crashing replace succeeded")
	}
	if got, _, err := s.LoadCache(bg, e.ID); err != nil || !bytes.Equal(got, old) {
		t.Fatalf("old cache after the crash: %v", err)
	}
	if n := len(secretToolItems(t, e.ID)); n != 4+1+2 {
		t.Fatalf("%d items, want the old 4 chunks + manifest + 2 partial chunks", n)
	}
	next := cacheOf(2000, 3)
	if _, err := s.ReplaceCache(bg, e.ID, next, ""); err != nil {
		t.Fatal(err)
	}
	checkItems(t, secretToolItems(t, e.ID), 2)
}

// BenchmarkSaveLoad6KB times saving (ReplaceCache) and loading a 6 KB
// cache (a large MSAL B2C cache) in the real Secret Service.
func BenchmarkSaveLoad6KB(b *testing.B) {
	testenv.RealKeyring(b)
	s, err := store.Open(b.TempDir(), realTimeout)
	if err != nil {
		b.Fatal(err)
	}
	cache := cacheOf(6<<10, 6)
	e := mustAdd(b, s, newEntry(realDomain, "bench"), cache)
	defer func() { _ = s.Remove(bg, e.ID) }()
	b.Run("save", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.ReplaceCache(bg, e.ID, cache, ""); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("load", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := s.LoadCache(bg, e.ID); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("save+load", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.ReplaceCache(bg, e.ID, cache, ""); err != nil {
				b.Fatal(err)
			}
			if _, _, err := s.LoadCache(bg, e.ID); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestRealKeyringReadDuringReplace: readers (other processes' --token and
// --list) load a cache while a writer replaces it over and over, deleting
// each old generation's chunks. A chunk deleted between the Secret
// Service's search and its read is a missing item, and the reader reads
// the new generation: never a keyring failure (exit 3).
func TestRealKeyringReadDuringReplace(t *testing.T) {
	testenv.RealKeyring(t)
	dir := t.TempDir()
	s, err := store.Open(dir, store.WithTimeout(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	e := mustAdd(t, s, newEntry(realDomain, "read-during-replace"), cacheOf(3000, 1))
	t.Cleanup(func() { _ = s.Remove(bg, e.ID) })
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Go(func() {
		defer close(stop)
		for i := range 20 {
			if _, err := s.ReplaceCache(bg, e.ID, cacheOf(3000, uint64(i+2)), ""); err != nil {
				t.Errorf("replace: %v", err)
				return
			}
		}
	})
	loads := make([]int, 4)
	for r := range loads {
		rs, err := store.Open(dir, store.WithTimeout(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, _, err := rs.LoadCache(bg, e.ID); err != nil {
					t.Errorf("reader %d after %d loads: %v", r, loads[r], err)
					return
				}
				loads[r]++
			}
		})
	}
	wg.Wait()
	t.Logf("loads per reader during 20 replaces: %v", loads)
}
