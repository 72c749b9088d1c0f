// Command token measures what a script pays for `setupwizard --token`
// when the stored access token is still fresh (no network: one index read
// and one keyring read), next to `setupwizard --version` (the process
// floor), from process start to exit. The goal is within 2x of --version.
// It writes to the keyring, so it runs inside ./bench/run's private
// Secret Service (or with SETUPWIZARD_REAL_KEYRING=1 on a throwaway one).
//
//	go run ./bench/token [-bin PATH] [-runs 20]
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/setupwizard/setupwizard/bench/internal/benchkit"
)

func main() {
	runs := flag.Int("runs", 20, "runs per command (median reported)")
	bin := flag.String("bin", "", "setupwizard binary to measure (default: go build ./cmd/setupwizard)")
	flag.Parse()
	if err := run(*bin, *runs); err != nil {
		fmt.Fprintln(os.Stderr, "token:", err)
		os.Exit(1)
	}
}

func run(bin string, runs int) error {
	if !benchkit.RealKeyring() {
		fmt.Printf("--token skipped: it writes to the keyring; run ./bench/run (sets %s=1)\n", benchkit.RealKeyringEnv)
		return nil
	}
	tmp, err := os.MkdirTemp("", "setupwizard-bench-token-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	bin, err = benchkit.BinaryOrBuild(bin, tmp)
	if err != nil {
		return err
	}
	emus, err := benchkit.StartEmulators()
	if err != nil {
		return err
	}
	defer emus.Close()

	version, err := timeRuns(runs, func() *exec.Cmd { return exec.Command(bin, "--version") })
	if err != nil {
		return fmt.Errorf("--version: %w", err)
	}
	fmt.Printf("process start to exit, median of %d runs\n", runs)
	fmt.Printf("  %-40s %8.1f ms\n", "setupwizard --version", benchkit.MS(version))
	summary := []string{fmt.Sprintf("summary: token --version %.1f ms", benchkit.MS(version))}
	for _, d := range benchkit.Providers {
		config := filepath.Join(tmp, "config-"+d)
		if _, _, err := emus.ScriptedAdd(bin, config, d); err != nil {
			return err
		}
		login, _ := emus.Login(d)
		emus.ResetRequests()
		tok, err := timeRuns(runs, func() *exec.Cmd {
			c := exec.Command(bin, "--token", "--account", login)
			c.Env = emus.Env(config)
			return c
		})
		rmErr := emus.RemoveDemo(bin, config, d)
		if err != nil {
			return fmt.Errorf("%s --token: %w", d, err)
		}
		if rmErr != nil {
			return rmErr
		}
		reqs := float64(emus.Requests(d)) / float64(runs)
		fmt.Printf("  %-40s %8.1f ms  (%.2fx --version, %.1f requests per run)\n", "setupwizard --token ("+d+")", benchkit.MS(tok), float64(tok)/float64(version), reqs)
		summary = append(summary, fmt.Sprintf("summary: token --token %s %.1f ms, %.2fx --version, %.1f requests per run", d, benchkit.MS(tok), float64(tok)/float64(version), reqs))
	}
	fmt.Println()
	for _, s := range summary {
		fmt.Println(s)
	}
	return nil
}

// timeRuns is the median wall time of n runs of the command mk builds,
// after one unmeasured warm-up (page cache, keyring daemon).
func timeRuns(n int, mk func() *exec.Cmd) (time.Duration, error) {
	ds := make([]time.Duration, 0, n)
	for i := range n + 1 {
		c := mk()
		start := time.Now()
		out, err := c.CombinedOutput()
		d := time.Since(start)
		if err != nil {
			return 0, fmt.Errorf("%w\n%s", err, out)
		}
		if i > 0 {
			ds = append(ds, d)
		}
	}
	return benchkit.Median(ds), nil
}
