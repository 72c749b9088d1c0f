package e2e

import (
	"strings"
	"testing"
	"time"
)

// identifierSetter is an emulator whose account identifier the test sets:
// the service then vouches for that text, which goes into the cache.
type identifierSetter interface {
	SetUserIdentifier(login, id string)
}

// fast bounds commands that must not wait for anything slow; generous
// for a loaded 2-core machine, far below any network or keyring timeout.
const fast = 3 * time.Second

// TestHugeCacheRefused: a service that answers with a sign-in far larger
// than any real one (its identifier, which goes into the cache, inflated
// to 100 KB and to 1 MB) gets a clear error, fast, and nothing is saved:
// no entry, no keyring item.
func TestHugeCacheRefused(t *testing.T) {
	tested := 0
	forEachProvider(t, func(t *testing.T, p provCase) {
		for _, size := range []int{100_000, 1 << 20} {
			w := newWorld(t)
			emu, ok := w.emus[p.domain].(identifierSetter)
			if !ok {
				t.Skipf("the %s emulator cannot inflate the cache", p.domain)
			}
			tested++
			emu.SetUserIdentifier(p.login, strings.Repeat("9", size))
			w.secret(p.password)
			start := time.Now()
			r := w.run(password(p), addArgs(p)...)
			took := time.Since(start)
			t.Logf("%d-byte identifier: exit %d in %v", size, r.code, took.Round(time.Millisecond))
			if r.code != 1 || took > fast {
				t.Errorf("%d-byte identifier: exit %d after %v, want 1 within %v\n%s%s", size, r.code, took, fast, r.stdout, r.stderr)
			}
			// Under the service's own answer limit the store's cap
			// speaks; above it the provider refuses the answer first.
			if size < 1<<20 && !strings.Contains(r.stderr, "far larger than any real one") {
				t.Errorf("%d-byte identifier: no clear words:\n%s", size, r.stderr)
			}
			if a := w.auditDomain(p.domain); a.entries != 0 || len(a.orphans) != 0 || a.pending != 0 {
				t.Errorf("%d-byte identifier left %v", size, a)
			}
		}
	})
	if tested == 0 {
		t.Skip("no emulator can inflate the cache")
	}
}

// TestListNeverWaits: --list answers at once while a writer is busy, both
// in its network work (requests hanging) and in its keyring work (a
// keyring write held unanswered while the writer holds entries.lock).
func TestListNeverWaits(t *testing.T) {
	forEachProvider(t, func(t *testing.T, p provCase) {
		w := newWorld(t)
		addAccount(w, p)
		other, otherPW := p.addOther(w)
		w.secret(otherPW)
		listFast := func(what string) {
			t.Helper()
			start := time.Now()
			r := w.run("", "--list", "--json")
			if took := time.Since(start); r.code != 0 || took > fast {
				t.Errorf("--list while a writer is busy %s: exit %d after %v\n%s", what, r.code, took, r.stderr)
			}
			if !strings.Contains(r.stdout, p.uniqueID) {
				t.Errorf("--list while a writer is busy %s lost the entry:\n%s", what, r.stdout)
			}
		}
		addOther := []string{"--provider", p.domain, "-u", other, "--password-stdin"}

		// Network: every request of the add hangs.
		held := p.held(w)
		p.hang(w)
		done := make(chan result, 1)
		go func() { done <- w.runQuiet(otherPW+"\n", append(addOther, "--timeout", "2s")...) }()
		select {
		case <-held:
		case r := <-done:
			t.Fatalf("the add ended before its request hung: exit %d\n%s", r.code, r.stderr)
		}
		listFast("on the network")
		p.heal(w)
		if r := <-done; r.code == 0 {
			t.Fatalf("the add with hanging requests succeeded:\n%s", r.stdout)
		}

		// Keyring: the add's first chunk write gets no answer until the
		// list has run.
		proxy := newBusProxy(t, w.bus())
		proxy.armWhen(func(d string) bool { return strings.HasPrefix(d, "set ") && strings.Contains(d, "/") }, hold)
		go func() { done <- w.runProxied(proxy, otherPW+"\n", addOther...) }()
		select {
		case <-proxy.held:
		case r := <-done:
			t.Fatalf("the add ended before its keyring write: exit %d\n%s", r.code, r.stderr)
		}
		listFast("in the keyring")
		close(proxy.release)
		if r := <-done; r.code != 0 {
			t.Fatalf("the add whose keyring write was held a moment: exit %d\n%s", r.code, r.stderr)
		}
		if n := len(w.list()); n != 2 {
			t.Fatalf("%d entries after both adds, want 2", n)
		}
	})
}
