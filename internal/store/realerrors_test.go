package store_test

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/setupwizard/setupwizard/internal/store"
	"github.com/setupwizard/setupwizard/internal/testenv"
)

// TestRealKeyringUnavailable runs this test binary in environments where
// the real go-keyring fails (the situations docs/storage.md lists) and checks the
// message names the cause. Each child gets its own HOME and bus, so the
// suite's keyring is never touched.
func TestRealKeyringUnavailable(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("Secret Service failure modes are Linux's")
	}
	conf, err := filepath.Abs(filepath.Join("testdata", "dbus", "no-secret-service.conf"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name     string
		realBus  bool // needs dbus-run-session and gnome-keyring
		wrap     []string
		env      []string
		reason   string
		timeouts bool // a prompt that hangs is an acceptable outcome
	}{
		{name: "no bus and no dbus-launch", env: []string{"PATH=" + t.TempDir()}, reason: "no D-Bus session bus"},
		{name: "bus socket gone", env: []string{"DBUS_SESSION_BUS_ADDRESS=unix:path=" + filepath.Join(t.TempDir(), "bus")}, reason: "no D-Bus session bus"},
		{name: "no Secret Service", realBus: true, wrap: []string{"dbus-run-session", "--config-file=" + conf, "--"}, reason: "no Secret Service"},
		{name: "locked keyring", realBus: true, wrap: []string{"dbus-run-session", "--"}, reason: "locked", timeouts: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.realBus {
				testenv.RealKeyring(t)
			}
			run := t.TempDir()
			if err := os.Chmod(run, 0o700); err != nil {
				t.Fatal(err)
			}
			args := append(append([]string{}, c.wrap...), os.Args[0], "-test.run=^TestHelperKeyringProbe$", "-test.count=1")
			cmd := exec.Command(args[0], args[1:]...)
			cmd.Env = append(withoutEnv(os.Environ(), "DBUS_SESSION_BUS_ADDRESS", "PATH"),
				"PATH="+os.Getenv("PATH"), "STORE_HELPER_PROBE="+t.TempDir(), "HOME="+t.TempDir(), "XDG_RUNTIME_DIR="+run)
			cmd.Env = append(cmd.Env, c.env...)
			out, _ := cmd.CombinedOutput()
			var line string
			for l := range strings.Lines(string(out)) {
				if strings.HasPrefix(l, "probe: ") {
					line = strings.TrimSpace(l)
				}
			}
			if !strings.HasPrefix(line, "probe: keyring error: ") {
				t.Fatalf("child output:\n%s", out)
			}
			if !strings.Contains(line, c.reason) && !(c.timeouts && strings.Contains(line, "did not answer")) {
				t.Fatalf("message %q does not name %q", line, c.reason)
			}
		})
	}
}

// TestHelperKeyringProbe is the child of TestRealKeyringUnavailable.
func TestHelperKeyringProbe(t *testing.T) {
	dir := os.Getenv("STORE_HELPER_PROBE")
	if dir == "" {
		t.Skip("helper process for TestRealKeyringUnavailable")
	}
	s, err := store.Open(dir, store.WithTimeout(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Add(bg, newEntry("probe", "x"), []byte("cache"))
	switch {
	case errors.Is(err, store.ErrKeyring):
		fmt.Println("probe: keyring error: " + err.Error())
	default:
		fmt.Printf("probe: unexpected: %v\n", err)
	}
}

// withoutEnv drops the named variables from env.
func withoutEnv(env []string, names ...string) []string {
	var out []string
	for _, kv := range env {
		keep := true
		for _, n := range names {
			keep = keep && !strings.HasPrefix(kv, n+"=")
		}
		if keep {
			out = append(out, kv)
		}
	}
	return out
}
