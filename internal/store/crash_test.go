//go:build unix

package store_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/setupwizard/setupwizard/internal/store"
	"github.com/setupwizard/setupwizard/internal/testenv"
)

// crashDomain keeps the crash test's items under a service of their own,
// so the audit sees exactly what the test wrote.
const crashDomain = "crashtest"

// crashCache is 3 chunks: every op has several writes to be killed at.
var crashCache = cacheOf(4000, 11)

// crashOps are the changes killed at each of their writes. The count is
// learnt from a child that is never killed.
var crashOps = []string{"add", "replace", "remove", "set-issue", "probe"}

// TestCrashSIGKILL runs each change in a child process (this test binary)
// against the real Secret Service and SIGKILLs it just before its Nth
// write, for every N: keyring sets and deletes, and for set-issue (which
// writes no item) its index write. After each kill one ordinary change
// runs (closing an issue on another entry, as --status would), then the
// audit: the index is valid with nothing pending, every cache reads back,
// and `secret-tool search --all service setupwizard:crashtest` lists no
// item the index does not own.
func TestCrashSIGKILL(t *testing.T) {
	testenv.RealKeyring(t)
	if _, err := exec.LookPath("secret-tool"); err != nil {
		t.Fatal("secret-tool is missing (Debian package libsecret-tools): ./scripts/test installs it")
	}
	kills, orphans, corrupt := 0, 0, 0
	for _, op := range crashOps {
		total := runCrashChild(t, op, 0).writes
		if total == 0 {
			t.Fatalf("%s: the child counted no writes", op)
		}
		for n := 1; n <= total; n++ {
			res := runCrashChild(t, op, n)
			if !res.killed {
				t.Fatalf("%s: the child was not killed at write %d of %d", op, n, total)
			}
			kills++
			o, c := res.orphans, res.corrupt
			orphans += len(o)
			corrupt += len(c)
			if len(o)+len(c) != 0 {
				t.Errorf("%s killed at write %d: orphans %v, corrupt %v", op, n, o, c)
			}
		}
	}
	t.Logf("SIGKILL crash test: %d kills, %d orphaned items, %d corrupt caches", kills, orphans, corrupt)
}

type crashResult struct {
	killed           bool
	writes           int
	orphans, corrupt []string
}

// runCrashChild prepares a config dir (an anchor entry and a target
// entry), runs op in a child killed before its write killAt (0: never),
// runs the next change, audits, and clears the keyring service.
func runCrashChild(t *testing.T, op string, killAt int) crashResult {
	t.Helper()
	dir := t.TempDir()
	s, err := store.Open(dir, realTimeout)
	if err != nil {
		t.Fatal(err)
	}
	anchor := mustAdd(t, s, newEntry(crashDomain, "anchor"), []byte("anchor"))
	target := mustAdd(t, s, newEntry(crashDomain, "target"), crashCache)
	if err := s.SetIssue(bg, anchor.ID, store.IssueAuthExpired, true, ""); err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), "STORE_CRASH_DIR="+dir, "STORE_CRASH_OP="+op,
		"STORE_CRASH_ID="+target.ID, "STORE_CRASH_KILL_AT="+strconv.Itoa(killAt))
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = os.Stderr
	err = cmd.Run()
	var res crashResult
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		ws, ok := ee.Sys().(syscall.WaitStatus)
		res.killed = ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL
		if !res.killed {
			t.Fatalf("%s child failed: %v\n%s", op, err, out.String())
		}
	case err != nil:
		t.Fatal(err)
	}
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		if n, ok := strings.CutPrefix(sc.Text(), "writes "); ok {
			res.writes, _ = strconv.Atoi(n)
		}
	}

	// The next writing command, from a fresh process's point of view.
	next, err := store.Open(dir, realTimeout)
	if err != nil {
		t.Fatal(err)
	}
	if err := next.SetIssue(bg, anchor.ID, store.IssueAuthExpired, false, ""); err != nil {
		t.Fatalf("%s killed at %d: the next change: %v", op, killAt, err)
	}
	items := secretToolService(t, store.Service(crashDomain))
	res.orphans, res.corrupt = audit(t, dir, items)
	list, err := next.Entries(bg)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range list {
		got, _, err := next.LoadCache(bg, e.ID)
		if err != nil {
			res.corrupt = append(res.corrupt, fmt.Sprintf("%s: %v", e.UniqueID, err))
			continue
		}
		if e.ID == target.ID && !bytes.Equal(got, crashCache) && !bytes.Equal(got, crashNext) {
			res.corrupt = append(res.corrupt, e.UniqueID+": neither the old nor the new cache")
		}
	}
	// Leave the service empty for the next run.
	for _, e := range list {
		if err := next.Remove(bg, e.ID); err != nil {
			t.Fatal(err)
		}
	}
	if left := secretToolService(t, store.Service(crashDomain)); len(left) != 0 {
		t.Fatalf("%d items left after removing every entry", len(left))
	}
	return res
}

// crashNext is the cache the replace writes.
var crashNext = cacheOf(4200, 12)

// countingKeyring is the OS keyring with the process killed just before
// write killAt (sets and deletes count; 0 never kills).
type countingKeyring struct {
	store.SystemKeyring
	writes, killAt int
}

func (c *countingKeyring) write() {
	c.writes++
	if c.writes == c.killAt {
		_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {} // the signal is on its way
	}
}

func (c *countingKeyring) Set(service, user, secret string) error {
	c.write()
	return c.SystemKeyring.Set(service, user, secret)
}

func (c *countingKeyring) Delete(service, user string) error {
	c.write()
	return c.SystemKeyring.Delete(service, user)
}

// TestCrashChild is the child of TestCrashSIGKILL; it does nothing in a
// normal run. It prints how many writes it made when not killed.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv("STORE_CRASH_DIR")
	if dir == "" {
		t.Skip("child process of TestCrashSIGKILL")
	}
	killAt, _ := strconv.Atoi(os.Getenv("STORE_CRASH_KILL_AT"))
	id := os.Getenv("STORE_CRASH_ID")
	kr := &countingKeyring{killAt: killAt}
	s, err := store.Open(dir, realTimeout, store.WithKeyring(kr))
	if err != nil {
		t.Fatal(err)
	}
	switch op := os.Getenv("STORE_CRASH_OP"); op {
	case "add":
		_, err = s.Add(bg, newEntry(crashDomain, "new"), crashCache)
	case "replace":
		_, err = s.ReplaceCache(bg, id, crashNext, "")
	case "remove":
		err = s.Remove(bg, id)
	case "set-issue":
		// No keyring write: count (and kill at) the index writes.
		store.SetBeforeIndexWrite(s, func() error { kr.write(); return nil })
		var ver store.Version
		if _, ver, err = s.LoadCache(bg, id); err == nil {
			err = s.SetIssue(bg, id, store.IssueAuthExpired, true, ver)
		}
	case "probe":
		err = s.Probe(bg, crashDomain)
	default:
		t.Fatalf("unknown op %q", op)
	}
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("writes %d\n", kr.writes)
}

// secretToolService lists, through secret-tool (independent of
// go-keyring), every item of service as (service, user) -> secret.
func secretToolService(t testing.TB, service string) map[[2]string]string {
	t.Helper()
	out := map[[2]string]string{}
	for u, v := range secretToolSearch(t, service) {
		out[[2]string{service, u}] = v
	}
	return out
}
