package cli

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/setupwizard/setupwizard/internal/store"
)

// --debug FILE: a new file is 0600; an existing file keeps its mode (it
// is not ours to change); anything but a regular file is refused.
func TestOpenTrace(t *testing.T) {
	dir := t.TempDir()

	fresh := filepath.Join(dir, "new.log")
	f, err := openTrace(fresh)
	if err != nil {
		t.Fatal(err)
	}
	_ = f.Close()
	if fi, _ := os.Stat(fresh); fi.Mode().Perm() != 0o600 {
		t.Fatalf("new trace mode %v", fi.Mode().Perm())
	}

	old := filepath.Join(dir, "old.log")
	if err := os.WriteFile(old, []byte("previous trace"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(old, 0o640); err != nil {
		t.Fatal(err)
	}
	f, err = openTrace(old)
	if err != nil {
		t.Fatal(err)
	}
	_ = f.Close()
	fi, _ := os.Stat(old)
	if fi.Mode().Perm() != 0o640 || fi.Size() != 0 {
		t.Fatalf("existing trace: mode %v size %d, want 0640 and truncated", fi.Mode().Perm(), fi.Size())
	}

	if _, err := openTrace(dir); err == nil {
		t.Fatal("a directory was accepted")
	}
	{
		fifo := filepath.Join(dir, "fifo")
		if err := syscall.Mkfifo(fifo, 0o666); err != nil {
			t.Fatal(err)
		}
		if _, err := openTrace(fifo); err == nil {
			t.Fatal("a FIFO was accepted")
		}
		if _, err := os.Stat("/dev/null"); err == nil {
			before, _ := os.Stat("/dev/null")
			_, err := openTrace("/dev/null")
			if !errors.Is(err, errNotRegular) {
				t.Fatalf("/dev/null: %v, want a refusal", err)
			}
			if after, _ := os.Stat("/dev/null"); after.Mode() != before.Mode() {
				t.Fatalf("/dev/null mode changed %v -> %v", before.Mode(), after.Mode())
			}
		}
		link := filepath.Join(dir, "link")
		if err := os.Symlink("/dev/null", link); err != nil {
			t.Fatal(err)
		}
		if _, err := openTrace(link); !errors.Is(err, errNotRegular) {
			t.Fatalf("a link to a device: %v, want a refusal", err)
		}
		// A link to a regular file is refused too: following it would
		// overwrite whatever file of the user's it names.
		fileLink := filepath.Join(dir, "file-link")
		if err := os.Symlink(old, fileLink); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(old, []byte("keep"), 0o640); err != nil {
			t.Fatal(err)
		}
		if _, err := openTrace(fileLink); !errors.Is(err, errNotRegular) {
			t.Fatalf("a link to a regular file: %v, want a refusal", err)
		}
		if b, _ := os.ReadFile(old); string(b) != "keep" {
			t.Fatalf("the link's target was overwritten: %q", b)
		}
	}
}

// The CLI refuses --debug into a device with a usage error.
func TestDebugIntoDeviceRefused(t *testing.T) {
	if _, err := os.Stat("/dev/null"); err != nil {
		t.Skip("no /dev/null")
	}
	w := &world{t: t, env: map[string]string{"SETUPWIZARD_CONFIG_DIR": t.TempDir()}}
	expect(t, w.runNoCA("", "--list", "--debug", "/dev/null"), ExitUsage, "not a regular file")
}

// Harden turns core dumps off before any secret is read.
func TestHarden(t *testing.T) {
	var before syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_CORE, &before); err != nil {
		t.Fatal(err)
	}
	// The test process is the one hardened: restore what can be restored.
	t.Cleanup(func() { _ = syscall.Setrlimit(syscall.RLIMIT_CORE, &before) })
	if err := Harden(); err != nil {
		t.Fatal(err)
	}
	var after syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_CORE, &after); err != nil {
		t.Fatal(err)
	}
	if after.Cur != 0 || after.Max != 0 {
		t.Fatalf("RLIMIT_CORE = %+v, want 0", after)
	}
	if d, err := unix.PrctlRetInt(unix.PR_GET_DUMPABLE, 0, 0, 0, 0); err != nil || d != 0 {
		t.Fatalf("dumpable = %d, %v; want 0", d, err)
	}
}

// Read-only commands create nothing in a fresh config dir.
func TestReadOnlyCommandsCreateNothing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "config")
	w := &world{t: t, env: map[string]string{"SETUPWIZARD_CONFIG_DIR": dir}}
	for _, args := range [][]string{{"--list"}, {"--list", "--json"}, {"--status"}, {"--token"}} {
		w.runNoCA("", args...)
		if es, err := os.ReadDir(dir); err == nil && len(es) > 0 {
			t.Fatalf("%v created %d files in the config dir", args, len(es))
		}
	}
}

// With a config dir that cannot be written, a sign-in and a check stop
// before any request: the password is never sent for nothing.
func TestReadOnlyConfigDirSendsNothing(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root writes into read-only directories")
	}
	w := newWorld(t)
	w.sopts = []store.Option{store.WithKeyring(store.NewMemoryKeyring())}
	a := accounts()[0]
	expect(t, w.add(a), ExitOK)
	if err := os.Chmod(w.dir, 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chmod(w.dir, 0o700) })
	for _, e := range w.emus {
		e.ResetRequests()
	}
	other := accounts()[len(accounts())-1]
	if o := w.run(other.password+"\n", "--provider", other.provider, "-u", other.login, "--password-stdin"); o.code == ExitOK {
		t.Fatalf("an add into a read-only dir succeeded: %s", o.out)
	}
	if o := w.run("", "--status"); o.code == ExitOK {
		t.Fatalf("--status with a read-only dir succeeded: %s", o.out)
	}
	for d, e := range w.emus {
		if n := e.Requests(); n != 0 {
			t.Errorf("%s: %d requests with a read-only config dir", d, n)
		}
	}
}
