package e2e

import (
	"bytes"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/setupwizard/setupwizard/internal/store"
)

// runProxied runs the binary without a terminal with its D-Bus traffic
// through p, which may kill it. A killed run has code -1. Call it from the
// test's goroutine; others use proxiedRun.
func (w *world) runProxied(p *busProxy, stdin string, args ...string) result {
	w.t.Helper()
	r, err := w.proxiedRun(p, 3*exitWait, stdin, args...)
	if err != nil {
		w.t.Fatal(err)
	}
	w.record(r, args...)
	return r
}

// record adds a run's output to the scenario's secret scan. Call it from
// the test's goroutine.
func (w *world) record(r result, args ...string) {
	name := "setupwizard " + strings.Join(args, " ")
	w.outputs = append(w.outputs,
		capture{what: "stdout of " + name, data: func() []byte { return []byte(r.stdout) }},
		capture{what: "stderr of " + name, data: func() []byte { return []byte(r.stderr) }})
}

// proxiedRun is runProxied that reports instead of failing the test and
// records nothing, safe from any goroutine: a run still going after bound
// is killed and is an error.
func (w *world) proxiedRun(p *busProxy, bound time.Duration, stdin string, args ...string) (result, error) {
	name := "setupwizard " + strings.Join(args, " ")
	cmd := exec.Command(binary, args...)
	cmd.Env = append(w.env(), p.env()...)
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	// The kill is in place before the child can make its first call; it
	// waits for Start to have set cmd.Process.
	started := make(chan struct{})
	p.setKill(func() {
		<-started
		_ = cmd.Process.Signal(syscall.SIGKILL)
	})
	if err := cmd.Start(); err != nil {
		return result{}, fmt.Errorf("%s: %w", name, err)
	}
	close(started)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(bound):
		_ = cmd.Process.Kill()
		<-done
		return result{code: -1}, fmt.Errorf("%s: no exit within %v\nstderr:\n%s", name, bound, errOut.String())
	}
	return result{code: cmd.ProcessState.ExitCode(), stdout: out.String(), stderr: errOut.String()}, nil
}

// writingCommand is one command that writes keyring items, as the crash
// test drives it.
type writingCommand struct {
	name string
	// setup prepares the world (an account to act on); nil: nothing.
	setup func(w *world, p provCase)
	args  func(p provCase) []string
	stdin func(p provCase) string
	// entries is how many entries the service has after the command (or
	// the command run again after a kill) succeeded.
	entries int
}

func addArgs(p provCase) []string {
	return []string{"--provider", p.domain, "-u", p.login, "--password-stdin"}
}

func password(p provCase) string { return p.password + "\n" }

func addAccount(w *world, p provCase) {
	w.t.Helper()
	w.secret(p.password)
	w.mustRun(0, password(p), addArgs(p)...)
}

var writingCommands = []writingCommand{
	{name: "add", args: addArgs, stdin: password, entries: 1},
	{name: "reauth", setup: addAccount, entries: 1, stdin: password,
		args: func(p provCase) []string { return []string{"--reauth", "--account", p.uniqueID, "--password-stdin"} }},
	{name: "status", setup: addRenewingAccount, entries: 1,
		args: func(p provCase) []string { return []string{"--status", "--account", p.uniqueID} }},
	{name: "remove", setup: addAccount, entries: 0,
		args: func(p provCase) []string { return []string{"--remove", "--account", p.uniqueID, "--yes"} }},
}

// addRenewingAccount is addAccount for a world where every --status
// renews the sign-in and stores it back. A provider may trust a session it
// renewed moments ago without renewing it again (no keyring write), which
// would make the runs after the counting one write less; tokens shorter
// lived than that trust window keep every run the same.
func addRenewingAccount(w *world, p provCase) {
	w.t.Helper()
	if e, ok := w.emus[p.domain].(interface{ SetAccessTokenLifetime(time.Duration) }); ok {
		e.SetAccessTokenLifetime(45 * time.Second)
	}
	addAccount(w, p)
}

func (c writingCommand) stdinOf(p provCase) string {
	if c.stdin == nil {
		return ""
	}
	return c.stdin(p)
}

// crashFigures add up what the crash test did, for the README.
type crashFigures struct {
	kills, orphans, corrupt, badIndex int
	// left are the items no entry owned right after the kills, before
	// the next command: what the clean-up had to find (proof the kills
	// hit mid-change).
	left int
}

// TestCrashAtEveryKeyringWrite kills the real binary (SIGKILL) at every
// keyring write of add, reauth, --status and --remove, once just before
// the write reaches the Secret Service and once just after it landed
// (before the binary hears the answer); the first two writes of each are
// the keyring probe's, so a killed probe is covered too. After each kill
// the same command runs once more, normally; then secret-tool must list
// no item the index does not own, every cache must read back whole per
// FORMAT.md, and the index must be valid with nothing pending.
func TestCrashAtEveryKeyringWrite(t *testing.T) {
	var total crashFigures
	forAttackedProvider(t, func(t *testing.T, p provCase) {
		for _, c := range writingCommands {
			t.Run(c.name, func(t *testing.T) {
				w := newWorld(t)
				writes := countWrites(w, p, c)
				t.Logf("%s %s: %d keyring writes", p.domain, c.name, writes)
				for n := 1; n <= writes; n++ {
					for _, act := range []proxyAct{killBefore, killAfterReply} {
						f := crashOnce(w, p, c, n, act)
						total.kills += f.kills
						total.orphans += f.orphans
						total.corrupt += f.corrupt
						total.badIndex += f.badIndex
						total.left += f.left
					}
				}
			})
		}
	})
	t.Logf("crash figures: %d kills, %d items left unowned by the kills, then %d orphaned items, %d corrupt caches, %d invalid indexes",
		total.kills, total.left, total.orphans, total.corrupt, total.badIndex)
	if total.kills > 0 && total.left == 0 {
		t.Error("no kill left an item unowned: the kills did not land mid-change")
	}
}

// countWrites runs c once through a proxy that only counts, and puts the
// world back as it found it.
func countWrites(w *world, p provCase, c writingCommand) int {
	w.t.Helper()
	if c.setup != nil {
		c.setup(w, p)
	}
	proxy := newBusProxy(w.t, w.bus())
	w.secret(p.password)
	r := w.runProxied(proxy, c.stdinOf(p), c.args(p)...)
	if r.code != 0 {
		w.t.Fatalf("%s: exit %d\n%s%s", c.name, r.code, r.stdout, r.stderr)
	}
	if proxy.count() == 0 {
		w.t.Fatalf("%s wrote nothing to the keyring through the proxy", c.name)
	}
	c.reset(w, p)
	w.t.Logf("%s %s writes: %v", p.domain, c.name, proxy.log())
	return proxy.count()
}

// reset brings the world from the state after c back to the state c
// starts from, so one world serves every kill of a command.
func (c writingCommand) reset(w *world, p provCase) {
	w.t.Helper()
	switch c.entries {
	case 1:
		if c.setup == nil { // an add: remove what it added
			w.mustRun(0, "", "--remove", "--account", p.uniqueID, "--yes")
		}
	case 0: // a remove: add the account back
		addAccount(w, p)
	}
}

// crashOnce kills c at its n-th keyring write, runs it again, audits, and
// resets the world.
func crashOnce(w *world, p provCase, c writingCommand, n int, act proxyAct) crashFigures {
	t := w.t
	t.Helper()
	var f crashFigures
	at := fmt.Sprintf("%s %s killed %s write %d", p.domain, c.name, map[proxyAct]string{killBefore: "before", killAfterReply: "after"}[act], n)
	proxy := newBusProxy(t, w.bus())
	proxy.arm(n, act)
	r := w.runProxied(proxy, c.stdinOf(p), c.args(p)...)
	if !proxy.didAct() {
		t.Fatalf("%s: the run made only %d keyring writes (exit %d)\n%s", at, proxy.count(), r.code, r.stderr)
	}
	<-proxy.killed
	if r.code != -1 {
		t.Fatalf("%s: exit %d, want killed\n%s", at, r.code, r.stderr)
	}
	f.kills++
	f.left = len(w.auditDomain(p.domain).orphans)
	// The same command again, normally: it finishes or undoes what the
	// killed run left.
	again := w.run(c.stdinOf(p), c.args(p)...)
	if again.code != 0 {
		t.Fatalf("%s, then %s again: exit %d\n%s%s", at, c.name, again.code, again.stdout, again.stderr)
	}
	a := w.auditDomain(p.domain)
	f.orphans += len(a.orphans)
	f.corrupt += len(a.corrupt)
	if a.bad != "" || a.pending != 0 {
		f.badIndex++
	}
	if len(a.orphans) > 0 || len(a.corrupt) > 0 || a.bad != "" || a.pending != 0 || a.entries != c.entries {
		t.Errorf("%s, then %s again: %v (want %d entries)", at, c.name, a, c.entries)
	}
	c.reset(w, p)
	return f
}

// stallCase is a keyring that stops answering at one write of a command.
type stallCase struct {
	name  string
	setup func(w *world, p provCase)
	args  func(p provCase) []string
	stdin func(p provCase) string
	// at picks the write that never gets an answer; entryID is the
	// entry's id after setup ("" for an add).
	at func(entryID string) func(desc string) bool
	// codes are the exit codes the stalled run may end with; says must
	// be in its stderr.
	codes []int
	says  []string
	// again is the writing command run once the keyring answers again.
	again func(p provCase) []string
	// noRequests: the stalled run must not have reached the service.
	noRequests bool
	// everyProvider runs the case for every service; the others run for
	// the first only, in the first pass (the store's code is the same for
	// all, and each case waits out the 10 s keyring timeout).
	everyProvider bool
}

// nth matches the n-th write whose description is desc.
func nth(n int, desc func(string) bool) func(string) bool {
	seen := 0
	return func(d string) bool {
		if desc(d) {
			seen++
			return seen == n
		}
		return false
	}
}

var stallCases = []stallCase{
	{
		name: "probe", args: addArgs, stdin: password,
		at: func(string) func(string) bool {
			return func(d string) bool { return strings.HasPrefix(d, "set setupwizard-probe-") }
		},
		codes: []int{3}, again: addArgs, noRequests: true,
	},
	{
		name: "add-chunk", args: addArgs, stdin: password,
		at: func(string) func(string) bool {
			return func(d string) bool { return strings.HasPrefix(d, "set ") && strings.Contains(d, "/") }
		},
		codes: []int{3}, again: addArgs,
	},
	{
		name: "reauth-switch", setup: addAccount, stdin: password,
		args: func(p provCase) []string { return []string{"--reauth", "--account", p.uniqueID, "--password-stdin"} },
		// The manifest's second write in the replace is the switch
		// (the first records the new generation as stale).
		at: func(id string) func(string) bool {
			return nth(2, func(d string) bool { return d == "set "+id })
		},
		codes: []int{1}, says: []string{"may or may not have been replaced", "setupwizard --status"},
		again:         func(p provCase) []string { return []string{"--status"} },
		everyProvider: true,
	},
	{
		name: "status-write", setup: addAccount,
		args: func(p provCase) []string { return []string{"--status"} },
		at: func(string) func(string) bool {
			return func(d string) bool { return strings.HasPrefix(d, "set ") && strings.Contains(d, "/") }
		},
		// A keyring failure, not the service's word: exit 3, nothing
		// recorded (checked below).
		codes: []int{3}, says: []string{"keyring did not answer"},
		again: func(p provCase) []string { return []string{"--status"} },
	},
}

// TestKeyringStall makes the Secret Service accept one write of a command
// and never answer it (a D-Bus call that hangs, as a locked KWallet or a
// frozen daemon does). The binary must give up with the right exit code
// and words, record no expiry, and once the keyring answers again (the
// held write then lands, late, after the binary exited) the next writing
// command must leave no item the index does not own.
func TestKeyringStall(t *testing.T) {
	forAttackedProvider(t, func(t *testing.T, p provCase) {
		for _, c := range stallCases {
			if !c.everyProvider && (testOnlyDomain != "" || p.domain != attacked()[0].domain) {
				continue
			}
			t.Run(c.name, func(t *testing.T) {
				// Each waits out the keyring timeout: on keyrings of
				// their own they do it side by side.
				t.Parallel()
				w := newWorld(t)
				w.useKeyring(newOwnKeyring(t))
				id := ""
				if c.setup != nil {
					c.setup(w, p)
					id = w.entry(p.domain).ID
				}
				w.secret(p.password)
				w.emus[p.domain].ResetRequests()
				proxy := newBusProxy(t, w.bus())
				proxy.armWhen(c.at(id), hold)
				stdin := ""
				if c.stdin != nil {
					stdin = c.stdin(p)
				}
				r := w.runProxied(proxy, stdin, c.args(p)...)
				if !proxy.didAct() {
					t.Fatalf("the stalled write never came (writes %v, exit %d)\n%s", proxy.log(), r.code, r.stderr)
				}
				if !slices.Contains(c.codes, r.code) {
					t.Errorf("exit %d, want one of %v\n%s%s", r.code, c.codes, r.stdout, r.stderr)
				}
				for _, s := range c.says {
					if !strings.Contains(r.stderr, s) {
						t.Errorf("stderr lacks %q:\n%s", s, r.stderr)
					}
				}
				if c.noRequests && w.emus[p.domain].Requests() != 0 {
					t.Errorf("%d requests reached the service before the keyring was known to work", w.emus[p.domain].Requests())
				}
				if id != "" && slices.Contains(w.entry(p.domain).Issues, "auth_expired") {
					t.Error("a keyring stall recorded auth_expired")
				}
				// The keyring answers again: the held write lands now.
				close(proxy.release)
				select {
				case <-proxy.landed:
				case <-time.After(exitWait):
					t.Fatal("the held write never got its answer")
				}
				left := w.auditDomain(p.domain)
				again := w.run(stdin, c.again(p)...)
				if again.code != 0 {
					t.Fatalf("%v after the stall: exit %d\n%s%s", c.again(p), again.code, again.stdout, again.stderr)
				}
				a := w.auditDomain(p.domain)
				t.Logf("left by the stall: %d unowned, %d pending; after one more command: %v", len(left.orphans), left.pending, a)
				if len(a.orphans) > 0 || len(a.corrupt) > 0 || a.bad != "" || a.pending != 0 || a.entries != 1 {
					t.Errorf("after the stall and one more command: %v (want 1 entry, nothing else)", a)
				}
				if slices.Contains(w.entry(p.domain).Issues, "auth_expired") {
					t.Error("auth_expired is open after the stall")
				}
			})
		}
	})
}

// testOnlyDomain is the test-only service of the -tags testprovider pass
// ("" otherwise).
var testOnlyDomain string

// attacked are the services the crash and stall tests attack: every one,
// except in the second pass (-tags testprovider), which attacks only the
// test-only service: the first pass did the others.
func attacked() []provCase {
	if testOnlyDomain == "" {
		return providers
	}
	for _, p := range providers {
		if p.domain == testOnlyDomain {
			return []provCase{p}
		}
	}
	panic("the test-only service " + testOnlyDomain + " is not registered")
}

// firstPassOnly skips a test of the store's own behaviour (the same for
// every service) in the second pass: the first pass ran it.
func firstPassOnly(t *testing.T) {
	t.Helper()
	if testOnlyDomain != "" {
		t.Skip("the same for every service: the first pass ran it")
	}
}

// forAttackedProvider is forEachProvider over attacked().
func forAttackedProvider(t *testing.T, f func(t *testing.T, p provCase)) {
	for _, p := range attacked() {
		t.Run(p.domain, func(t *testing.T) { f(t, p) })
	}
}

// TestKeyringDaemonKilledMidAdd kills gnome-keyring-daemon itself while an
// add is writing (every chunk landed, the manifest not yet): the add fails
// with exit 3 and cannot undo anything. Once the keyring is back (it
// reopens its file), the next add must leave no item the index does not
// own.
func TestKeyringDaemonKilledMidAdd(t *testing.T) {
	forAttackedProvider(t, func(t *testing.T, p provCase) {
		w := newWorld(t)
		k := newOwnKeyring(t)
		w.useKeyring(k)
		w.secret(p.password)
		proxy := newBusProxy(t, w.bus())
		// The add's manifest: the first write of a 16-hex-digit user.
		proxy.armWhen(func(d string) bool {
			u, ok := strings.CutPrefix(d, "set ")
			return ok && len(u) == 16 && !strings.Contains(u, "/")
		}, hold)
		go func() {
			<-proxy.held
			k.killDaemon()
			close(proxy.release)
		}()
		r := w.runProxied(proxy, password(p), addArgs(p)...)
		if !proxy.didAct() {
			t.Fatalf("the add never wrote its manifest (writes %v, exit %d)\n%s", proxy.log(), r.code, r.stderr)
		}
		if r.code != 3 {
			t.Errorf("exit %d with the keyring daemon killed mid-add, want 3\n%s", r.code, r.stderr)
		}
		k.startDaemon()
		left := w.auditDomain(p.domain)
		if len(left.orphans) == 0 || left.pending != 1 {
			t.Errorf("the kill left %v: want the chunks written before it, recorded as pending", left)
		}
		w.mustRun(0, password(p), addArgs(p)...)
		a := w.auditDomain(p.domain)
		t.Logf("daemon killed mid-add: left %d unowned items, %d pending; after one more add: %v", len(left.orphans), left.pending, a)
		if len(a.orphans) > 0 || len(a.corrupt) > 0 || a.bad != "" || a.pending != 0 || a.entries != 1 {
			t.Errorf("after the daemon came back and one more add: %v (want 1 entry, nothing else)", a)
		}
	})
}

// TestRemoveTruncatedManifest cuts an entry's manifest off mid-JSON (as a
// torn write or a hand edit would) and removes the entry: --remove must
// find and delete the chunks the broken manifest still names, so nothing
// of the cache stays behind.
func TestRemoveTruncatedManifest(t *testing.T) {
	forEachProvider(t, func(t *testing.T, p provCase) {
		w := newWorld(t)
		addAccount(w, p)
		e := w.entry(p.domain)
		svc := store.Service(p.domain)
		m, err := keyring.Get(svc, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := keyring.Set(svc, e.ID, m[:len(m)/2]); err != nil {
			t.Fatal(err)
		}
		if got := len(itemsOf(t, p.domain, e.ID)); got < 2 {
			t.Fatalf("%d items before the remove, want the manifest and its chunks", got)
		}
		w.mustRun(0, "", "--remove", "--account", p.uniqueID, "--yes")
		a := w.auditDomain(p.domain)
		if len(a.orphans) > 0 || a.entries != 0 || a.bad != "" || a.pending != 0 {
			t.Errorf("after removing an entry whose manifest was cut off: %v", a)
		}
	})
}

// TestCrashDuringRecovery kills the clean-up itself: an add is killed just
// after its n-th keyring write landed, then the next add (which first
// finishes or undoes what the killed one left) is killed just after its
// m-th write, for every n and m; a third add, run normally, must still
// leave exactly one entry and no item the index does not own. One
// service (the last attacked): the clean-up is the store's, the same for
// all.
func TestCrashDuringRecovery(t *testing.T) {
	firstPassOnly(t)
	ps := attacked()
	p := ps[len(ps)-1]
	c := writingCommands[0] // add
	w := newWorld(t)
	writes := countWrites(w, p, c)
	kills, orphans := 0, 0
	for n := 1; n <= writes; n++ {
		for m := 1; ; m++ {
			at := fmt.Sprintf("add killed after write %d, the next add after its write %d", n, m)
			first := newBusProxy(t, w.bus())
			first.arm(n, killAfterReply)
			w.runProxied(first, c.stdinOf(p), c.args(p)...)
			if !first.didAct() {
				t.Fatalf("%s: the first add made only %d writes", at, first.count())
			}
			second := newBusProxy(t, w.bus())
			second.arm(m, killAfterReply)
			r := w.runProxied(second, c.stdinOf(p), c.args(p)...)
			if !second.didAct() {
				// The second add finished before its m-th write: every
				// write of its clean-up has been killed at.
				if r.code != 0 {
					t.Fatalf("%s: the second add, not killed, exit %d\n%s", at, r.code, r.stderr)
				}
				c.reset(w, p)
				break
			}
			kills += 2
			w.mustRun(0, c.stdinOf(p), c.args(p)...)
			a := w.auditDomain(p.domain)
			orphans += len(a.orphans)
			if len(a.orphans) > 0 || len(a.corrupt) > 0 || a.bad != "" || a.pending != 0 || a.entries != 1 {
				t.Errorf("%s, then one more add: %v (want 1 entry, nothing else)", at, a)
			}
			c.reset(w, p)
		}
	}
	t.Logf("%s: %d kills (an add, then the add that cleans up after it), then %d orphaned items", p.domain, kills, orphans)
}
