//go:build unix

// Command memory measures the binary's footprint: its size on disk (built
// with default flags and with -ldflags="-s -w"), the peak resident memory
// (max RSS) of a whole scripted add against the emulators, and the peak up
// to the first form of an interactive run in a pseudo-terminal. It prints
// figures; it is not a test.
//
//	go run ./bench/memory [-runs 5] [-bin PATH]
//
// Scripted runs read ru_maxrss from os/exec's ProcessState.SysUsage (KiB
// on Linux), so no /usr/bin/time is needed. The interactive figure is the
// child's VmHWM from /proc once the form is on screen. The scripted add
// writes to the keyring, so it only runs when SETUPWIZARD_REAL_KEYRING=1
// (./bench/run sets it inside a private D-Bus session with gnome-keyring).
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/setupwizard/setupwizard/bench/internal/benchkit"
)

func main() {
	runs := flag.Int("runs", 5, "runs per measurement (median and max reported)")
	bin := flag.String("bin", "", "setupwizard binary built with default flags (default: go build ./cmd/setupwizard)")
	flag.Parse()
	if *runs < 1 {
		fmt.Fprintln(os.Stderr, "memory: -runs must be positive")
		os.Exit(2)
	}
	if err := run(*bin, *runs); err != nil {
		fmt.Fprintln(os.Stderr, "memory:", err)
		os.Exit(1)
	}
}

func run(bin string, runs int) error {
	tmp, err := os.MkdirTemp("", "setupwizard-bench-memory-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if bin, err = benchkit.BinaryOrBuild(bin, tmp); err != nil {
		return err
	}
	stripped := filepath.Join(tmp, "setupwizard-stripped")
	if err := benchkit.Build(stripped, "-ldflags=-s -w"); err != nil {
		return err
	}
	full, err := size(bin)
	if err != nil {
		return err
	}
	small, err := size(stripped)
	if err != nil {
		return err
	}
	fmt.Println("binary size")
	fmt.Printf("  %-34s %8.2f MiB (%d bytes)\n", "go build (default flags)", mib(full), full)
	fmt.Printf("  %-34s %8.2f MiB (%d bytes)\n", `go build -ldflags="-s -w"`, mib(small), small)

	emus, err := benchkit.StartEmulators()
	if err != nil {
		return err
	}
	defer emus.Close()

	fmt.Printf("\npeak RSS (max resident set), median / max of %d runs\n", runs)
	floor, err := measureRSS(runs, func() (int64, error) { return versionRSS(bin) })
	if err != nil {
		return err
	}
	floor.print("--version (the Go runtime floor)")
	var summary []string
	summary = append(summary, fmt.Sprintf("summary: memory binary size %.2f MiB default, %.2f MiB with -ldflags=\"-s -w\"", mib(full), mib(small)))
	summary = append(summary, fmt.Sprintf("summary: memory peak RSS --version %.1f MiB", kib(floor.median)))
	for _, d := range benchkit.Providers {
		title := benchkit.FormTitle(d)
		r, err := measureRSS(runs, func() (int64, error) { return interactiveRSS(bin, tmp, emus, d, title) })
		if err != nil {
			return fmt.Errorf("interactive %s: %w", d, err)
		}
		r.print("interactive --provider " + d + " to first form")
		summary = append(summary, fmt.Sprintf("summary: memory peak RSS interactive %s to first form %.1f MiB (max %.1f)", d, kib(r.median), kib(r.max)))
	}
	if !benchkit.RealKeyring() {
		fmt.Printf("  scripted add skipped: it writes to the keyring; run ./bench/run (sets %s=1)\n", benchkit.RealKeyringEnv)
	} else {
		for _, d := range benchkit.Providers {
			r, err := measureRSS(runs, func() (int64, error) { return scriptedRSS(bin, tmp, emus, d) })
			if err != nil {
				return fmt.Errorf("scripted %s: %w", d, err)
			}
			r.print("scripted add " + d + " (whole run)")
			summary = append(summary, fmt.Sprintf("summary: memory peak RSS scripted add %s %.1f MiB (max %.1f)", d, kib(r.median), kib(r.max)))
		}
	}
	fmt.Println()
	for _, s := range summary {
		fmt.Println(s)
	}
	return nil
}

func size(path string) (int64, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }

// kib converts KiB to MiB.
func kib(k int64) float64 { return float64(k) / 1024 }
