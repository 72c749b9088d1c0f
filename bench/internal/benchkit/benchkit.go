// Package benchkit holds what the benchmark programs under bench/ share:
// building the binary, starting both emulators behind one throwaway CA,
// the child-process environment and medians. Benchmarks print figures;
// nothing here asserts.
package benchkit

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// RealKeyringEnv is set to 1 by bench/run (as by scripts/test) inside a
// private D-Bus session with an unlocked gnome-keyring. Figures that write
// to the keyring are only taken then, so a benchmark never writes into a
// person's own keyring.
const RealKeyringEnv = "SETUPWIZARD_REAL_KEYRING"

// RealKeyring reports whether a private, unlocked Secret Service is there.
func RealKeyring() bool { return os.Getenv(RealKeyringEnv) == "1" }

// ModuleRoot is the directory of the main module (where go.mod is).
func ModuleRoot() (string, error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}").Output()
	if err != nil {
		return "", fmt.Errorf("find the module root: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

// Build compiles ./cmd/setupwizard to out with extra go build flags
// (e.g. "-ldflags=-s -w").
func Build(out string, flags ...string) error {
	root, err := ModuleRoot()
	if err != nil {
		return err
	}
	args := append([]string{"build", "-o", out}, flags...)
	cmd := exec.Command("go", append(args, "./cmd/setupwizard")...)
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %w\n%s", strings.Join(flags, " "), err, b)
	}
	return nil
}

// BinaryOrBuild returns bin when set, else builds the binary into dir.
func BinaryOrBuild(bin, dir string) (string, error) {
	if bin != "" {
		return bin, nil
	}
	bin = filepath.Join(dir, "setupwizard")
	return bin, Build(bin)
}

// ChildEnv is this process's environment without anything that changes the
// program's behaviour (SETUPWIZARD_* overrides, colour, terminal), plus
// extra. The D-Bus address and HOME stay: the keyring lives behind them.
func ChildEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "SETUPWIZARD_") || strings.HasPrefix(kv, "NO_COLOR=") ||
			strings.HasPrefix(kv, "TERM=") || strings.HasPrefix(kv, "SSL_CERT_") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, extra...)
}

// Median of ds (the mean of the middle two for an even count); ds is sorted
// in place. Zero for no samples.
func Median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	n := len(ds)
	if n%2 == 1 {
		return ds[n/2]
	}
	return (ds[n/2-1] + ds[n/2]) / 2
}

// MS is d in milliseconds with a fraction.
func MS(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
