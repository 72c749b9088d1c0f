package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// binary is the setupwizard built once for the whole package.
var binary string

// TestMain builds the real binary once (no -race: the suite tests the
// product's behaviour, and a plain build starts several times faster).
func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	// SETUPWIZARD_E2E_BINARY runs the suite against a binary built elsewhere
	// (a release build, another GOOS toolchain's output, a bisect).
	if b := os.Getenv("SETUPWIZARD_E2E_BINARY"); b != "" {
		binary = b
		return runWithKeyring(m)
	}
	dir, err := os.MkdirTemp("", "setupwizard-e2e-")
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e: %v\n", err)
		return 1
	}
	defer os.RemoveAll(dir)
	binary = filepath.Join(dir, "setupwizard")
	build := exec.Command("go", "build", "-tags", buildTags, "-o", binary, "./cmd/setupwizard")
	build.Dir = ".." // the module root; tests run in e2e/
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: go build ./cmd/setupwizard: %v\n%s", err, out)
		return 1
	}
	return runWithKeyring(m)
}

// runWithKeyring gives the suite its own keyring when a real one is there
// to test against (scripts/test sets SETUPWIZARD_REAL_KEYRING).
func runWithKeyring(m *testing.M) int {
	if os.Getenv("SETUPWIZARD_REAL_KEYRING") != "1" {
		return m.Run()
	}
	// ./scripts/test-keyrings names the keyring it started for the run
	// (KWallet, KeePassXC): the suite uses that one as it is.
	if os.Getenv("SETUPWIZARD_KEYRING") != "" {
		return m.Run()
	}
	stop, err := privateKeyring()
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e: private keyring: %v\n", err)
		return 1
	}
	defer stop()
	code := m.Run()
	// A keyring daemon that died under the suite fails it even when no
	// test noticed: every later test would have met a dead keyring.
	if state := keyringState(); state != "" {
		fmt.Fprintf(os.Stderr, "e2e: FAIL:%s\n", state)
		code = 1
	}
	return code
}
