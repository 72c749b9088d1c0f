package store_test

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/gofrs/flock"
	"github.com/setupwizard/setupwizard/internal/store"
)

// TestAddRaceGoroutines: N goroutines, each with its own Store on one dir
// (like N wizards), commit the same unique id: one entry, N-1 ErrDuplicate.
func TestAddRaceGoroutines(t *testing.T) {
	const n = 8
	dir := t.TempDir()
	kr := newFakeKeyring()
	var wg sync.WaitGroup
	errs := make([]error, n)
	start := make(chan struct{})
	for i := range n {
		s, err := store.Open(dir, store.WithKeyring(kr))
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, errs[i] = s.Add(bg, newEntry("librus", "same"), cacheOf(3000, uint64(i)))
		}()
	}
	close(start)
	wg.Wait()
	checkOneWinner(t, dir, errs)
	if got := len(kr.snapshot()); got != 2+1 {
		t.Fatalf("%d keyring items, want one cache (2 chunks + manifest): losers wrote to the keyring", got)
	}
}

// TestAddRaceProcesses: separate processes (this test binary re-executed)
// race for one unique id on one config dir.
func TestAddRaceProcesses(t *testing.T) {
	const procs = 3
	dir := t.TempDir()
	// Hold the lock until every child is about to Add, so they contend.
	gate := flock.New(filepath.Join(dir, store.LockFile))
	if err := gate.Lock(); err != nil {
		t.Fatal(err)
	}
	type child struct {
		cmd *exec.Cmd
		out *bufio.Scanner
	}
	var children []child
	for i := range procs {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
		cmd.Env = append(os.Environ(), "STORE_HELPER_DIR="+dir, fmt.Sprintf("STORE_HELPER_SEED=%d", i))
		cmd.Stderr = os.Stderr
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		children = append(children, child{cmd, bufio.NewScanner(stdout)})
	}
	for _, c := range children {
		if !c.out.Scan() || c.out.Text() != "ready" {
			t.Fatalf("child did not get ready: %q", c.out.Text())
		}
	}
	if err := gate.Unlock(); err != nil {
		t.Fatal(err)
	}
	var errs []error
	for _, c := range children {
		var res string
		if c.out.Scan() {
			res = c.out.Text()
		}
		if err := c.cmd.Wait(); err != nil {
			t.Fatalf("child: %v", err)
		}
		switch res {
		case "ok":
			errs = append(errs, nil)
		case "duplicate":
			errs = append(errs, store.ErrDuplicate)
		default:
			t.Fatalf("child said %q", res)
		}
	}
	checkOneWinner(t, dir, errs)
}

// TestHelperProcess is the child of TestAddRaceProcesses; it does nothing
// in a normal run.
func TestHelperProcess(t *testing.T) {
	dir := os.Getenv("STORE_HELPER_DIR")
	if dir == "" {
		t.Skip("helper process for TestAddRaceProcesses")
	}
	s, err := store.Open(dir, store.WithKeyring(newFakeKeyring()))
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println("ready")
	_, err = s.Add(bg, newEntry("librus", "same"), []byte("cache "+os.Getenv("STORE_HELPER_SEED")))
	switch {
	case err == nil:
		fmt.Println("ok")
	case errors.Is(err, store.ErrDuplicate):
		fmt.Println("duplicate")
	default:
		fmt.Println("error: " + strings.ReplaceAll(err.Error(), "\n", " "))
	}
}

// checkOneWinner: exactly one nil, the rest ErrDuplicate, one entry.
func checkOneWinner(t *testing.T, dir string, errs []error) {
	t.Helper()
	wins := 0
	for _, err := range errs {
		switch {
		case err == nil:
			wins++
		case !errors.Is(err, store.ErrDuplicate):
			t.Fatalf("unexpected error: %v", err)
		}
	}
	if wins != 1 {
		t.Fatalf("%d winners, want 1", wins)
	}
	s, err := store.Open(dir, store.WithKeyring(newFakeKeyring()))
	if err != nil {
		t.Fatal(err)
	}
	list, err := s.Entries(bg)
	if err != nil || len(list) != 1 || list[0].UniqueID != "same" {
		t.Fatalf("entries %+v, %v", list, err)
	}
}
