package secretservice

import (
	"errors"
	"os"
	"os/exec"
	"sync/atomic"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/setupwizard/setupwizard/internal/testenv"
	"github.com/setupwizard/setupwizard/internal/testenv/keyrings"
)

// privateKeePassXC is a KeePassXC of the test's own (its settings differ
// from the suite's keyring), stopped at the end.
func privateKeePassXC(t *testing.T, opts keyrings.Options) *keyrings.Keyring {
	t.Helper()
	testenv.RealKeyring(t)
	if _, err := exec.LookPath("keepassxc"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("keepassxc is not installed (.ci/run installs it)")
		}
		t.Skip("needs keepassxc")
	}
	k, err := keyrings.Start("keepassxc", t.TempDir(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(k.Stop)
	return k
}

// clientOn is a client of the bus at addr that counts the prompts it sees.
func clientOn(t *testing.T, addr string, prompts *atomic.Int32) *Client {
	c := &Client{
		connect:       func() (*dbus.Conn, error) { return dbus.Connect(addr) },
		PromptTimeout: time.Second,
		onPrompt:      func(dbus.ObjectPath) { prompts.Add(1) },
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// TestReplaceNoDialog: on KeePassXC (2.7.4 asks for access, in a dialog,
// when CreateItem replaces an item another connection created), a second
// process replaces the first one's item without any prompt, and the item
// stays one item.
func TestReplaceNoDialog(t *testing.T) {
	k := privateKeePassXC(t, keyrings.Options{})
	var prompts atomic.Int32
	first := clientOn(t, k.Addr, &prompts)
	if err := first.Set(testService, "u", "one"); err != nil {
		t.Fatal(err)
	}
	second := clientOn(t, k.Addr, &prompts) // another connection: another process to KeePassXC
	// The first call of a connection unlocks the collection, which
	// KeePassXC answers with a prompt that completes at once; only the
	// replaces must open none.
	if got, err := second.Get(testService, "u"); err != nil || got != "one" {
		t.Fatalf("Get from another connection: %q, %v", got, err)
	}
	prompts.Store(0)
	for _, v := range []string{"two", "three"} {
		if err := second.Set(testService, "u", v); err != nil {
			t.Fatalf("replace from another connection: %v", err)
		}
	}
	if got, err := first.Get(testService, "u"); err != nil || got != "three" {
		t.Fatalf("Get after the replaces: %q, %v", got, err)
	}
	if n := prompts.Load(); n != 0 {
		t.Fatalf("%d prompts for two replaces, want none", n)
	}
	if items := searchAll(t, first, "u"); len(items) != 1 {
		t.Fatalf("%d items after three writes, want 1", len(items))
	}
}

// TestPromptOutcomes: with KeePassXC's access confirmation on (its
// default), another connection's first use of an item opens a dialog.
// One nobody answers is dismissed after PromptTimeout and the call fails
// with ErrPromptTimeout, while the client's lock stays free during the
// wait; one dismissed fails with ErrDismissed. Either way the item is as
// it was.
func TestPromptOutcomes(t *testing.T) {
	k := privateKeePassXC(t, keyrings.Options{ConfirmAccess: true})
	var prompts atomic.Int32
	owner := clientOn(t, k.Addr, &prompts)
	if err := owner.Set(testService, "a", "1"); err != nil {
		t.Fatal(err)
	}
	base := prompts.Load()
	other, err := dbus.Connect(k.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	calls := map[string]func(c *Client) error{
		"get": func(c *Client) error { _, err := c.Get(testService, "a"); return err },
		"set": func(c *Client) error { return c.Set(testService, "a", "2") },
	}
	// KeePassXC 2.7.4 deletes another connection's item without asking
	// (access confirmation does not cover Delete), so Delete has no case.
	for _, name := range []string{"get", "set"} {
		t.Run(name+"/unanswered", func(t *testing.T) {
			var prompts atomic.Int32
			c := clientOn(t, k.Addr, &prompts)
			free := false
			c.onPrompt = func(dbus.ObjectPath) {
				prompts.Add(1)
				free = c.Sessions() == 1 // takes the client's lock
			}
			start := time.Now()
			if err := calls[name](c); !errors.Is(err, ErrPromptTimeout) {
				t.Fatalf("%s with a dialog nobody answers: %v, want ErrPromptTimeout", name, err)
			}
			if d := time.Since(start); d < c.PromptTimeout {
				t.Errorf("gave up after %v, before PromptTimeout", d)
			}
			if !free {
				t.Errorf("the client's lock was held while the dialog was open")
			}
		})
		t.Run(name+"/dismissed", func(t *testing.T) {
			var prompts atomic.Int32
			c := clientOn(t, k.Addr, &prompts)
			c.onPrompt = func(p dbus.ObjectPath) {
				prompts.Add(1)
				if err := other.Object(serviceName, p).Call(promptInterface+".Dismiss", 0).Err; err != nil {
					t.Errorf("Dismiss: %v", err)
				}
			}
			if err := calls[name](c); !errors.Is(err, ErrDismissed) {
				t.Fatalf("%s whose dialog was dismissed: %v, want ErrDismissed", name, err)
			}
		})
	}
	t.Run("shutdown", func(t *testing.T) {
		// A process leaving while a dialog is open dismisses it: the call
		// ends at once, and no dialog of it stays on the desktop.
		var prompts atomic.Int32
		c := clientOn(t, k.Addr, &prompts)
		c.PromptTimeout = time.Minute
		shut := make(chan error, 1)
		c.onPrompt = func(dbus.ObjectPath) { go func() { shut <- c.Shutdown() }() }
		// Without the dismissal the Get would wait out the minute and
		// fail with ErrPromptTimeout.
		_, err := c.Get(testService, "a")
		if err == nil || errors.Is(err, ErrPromptTimeout) {
			t.Fatalf("Get whose client shut down during the dialog: %v", err)
		}
		if err := <-shut; err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	})
	if got, err := owner.Get(testService, "a"); err != nil || got != "1" {
		t.Fatalf("the item after the failed calls: %q, %v (want it as it was)", got, err)
	}
	if n := prompts.Load(); n != base {
		t.Errorf("the owner saw %d prompts, want %d", n, base)
	}
}
