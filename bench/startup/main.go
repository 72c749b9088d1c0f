// Command startup measures how fast setupwizard answers a person, in the
// same pseudo-terminal harness as the e2e suite (e2e/vterm): the time from
// process start to the first rendered form (the form's title on the
// emulated screen), compared with `gh auth login` to its first prompt; and
// the time from ctrl+c to exit while a validation hangs on the service.
// It prints figures; it is not a test and asserts nothing.
//
//	go run ./bench/startup [-runs 20] [-cancel-runs 10]
//
// The ctrl+c figure needs no keyring (a cancelled sign-in never reaches
// it), so it runs outside ./scripts/test's session too.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/setupwizard/setupwizard/bench/internal/benchkit"
	"github.com/setupwizard/setupwizard/e2e/vterm"
	"github.com/setupwizard/setupwizard/internal/loopback"
	"github.com/setupwizard/setupwizard/internal/providers/registry"
)

// bound is a failure bound per wait, never a synchronisation delay.
const bound = 15 * time.Second

func main() {
	runs := flag.Int("runs", 20, "start-up runs per program (median reported)")
	cancelRuns := flag.Int("cancel-runs", 10, "ctrl+c runs per provider (median reported)")
	bin := flag.String("bin", "", "setupwizard binary to measure (default: go build ./cmd/setupwizard)")
	flag.Parse()
	if err := run(*bin, *runs, *cancelRuns); err != nil {
		fmt.Fprintln(os.Stderr, "startup:", err)
		os.Exit(1)
	}
}

func run(bin string, runs, cancelRuns int) error {
	tmp, err := os.MkdirTemp("", "setupwizard-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if bin == "" {
		bin = filepath.Join(tmp, "setupwizard")
		if err := benchkit.Build(bin); err != nil {
			return err
		}
	}
	env := baseEnv("SETUPWIZARD_CONFIG_DIR=" + filepath.Join(tmp, "config"))

	fmt.Printf("start-up to first prompt, 80x24 pty, median of %d runs\n", runs)
	first := benchkit.Providers[len(benchkit.Providers)-1]
	sw, err := measure(runs, func() (time.Duration, error) {
		return firstScreen(bin, []string{"--provider", first}, env, benchkit.FormTitle(first))
	})
	if err != nil {
		return fmt.Errorf("setupwizard: %w", err)
	}
	fmt.Printf("  %-34s %8.1f ms\n", "setupwizard --provider "+first, benchkit.MS(sw))
	picker, err := measure(runs, func() (time.Duration, error) {
		return firstScreen(bin, nil, env, "Choose a service")
	})
	if err != nil {
		return fmt.Errorf("setupwizard picker: %w", err)
	}
	fmt.Printf("  setupwizard (provider picker)      %8.1f ms\n", benchkit.MS(picker))
	if gh, err := exec.LookPath("gh"); err != nil {
		fmt.Println("  gh auth login                      (gh not installed)")
	} else {
		home := filepath.Join(tmp, "ghhome")
		ghEnv := baseEnv("HOME="+home, "GH_CONFIG_DIR="+filepath.Join(home, "gh"))
		g, err := measure(runs, func() (time.Duration, error) {
			return firstScreen(gh, []string{"auth", "login"}, ghEnv, "What account do you want to log into?")
		})
		if err != nil {
			return fmt.Errorf("gh: %w", err)
		}
		fmt.Printf("  gh auth login                      %8.1f ms\n", benchkit.MS(g))
		fmt.Printf("  ratio setupwizard / gh             %8.2f\n", float64(sw)/float64(g))
	}

	fmt.Printf("\nctrl+c to exit while the service hangs, median of %d runs\n", cancelRuns)
	for _, p := range benchkit.Providers {
		d, err := measure(cancelRuns, func() (time.Duration, error) { return cancelLatency(bin, tmp, p) })
		if err != nil {
			return fmt.Errorf("ctrl+c %s: %w", p, err)
		}
		fmt.Printf("  %-34s %8.1f ms\n", p, benchkit.MS(d))
	}
	return nil
}

// baseEnv is this process's environment with a terminal set and nothing
// that changes the programs' behaviour, plus extra.
func baseEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "SETUPWIZARD_") || strings.HasPrefix(kv, "NO_COLOR=") ||
			strings.HasPrefix(kv, "TERM=") || strings.HasPrefix(kv, "HOME=") || strings.HasPrefix(kv, "GH_") {
			continue
		}
		env = append(env, kv)
	}
	return append(append(env, "TERM=xterm-256color", "HOME="+os.TempDir()), extra...)
}

// firstScreen is the time from start until the screen shows want; the
// program is then ended with ctrl+c (killed if it ignores it).
func firstScreen(bin string, args, env []string, want string) (time.Duration, error) {
	t, err := vterm.Start(bin, args, env, 80, 24)
	if err != nil {
		return 0, err
	}
	defer t.Close()
	if err := t.WaitFor(want, bound); err != nil {
		return 0, err
	}
	d := time.Since(t.Started())
	_ = t.Press(vterm.CtrlC)
	_, _ = t.Wait(bound)
	return d, nil
}

// cancelLatency signs in against an emulator that holds every request,
// presses ctrl+c once a request is held, and times until the process exits.
func cancelLatency(bin, tmp, domain string) (time.Duration, error) {
	ca, err := loopback.NewCA()
	if err != nil {
		return 0, err
	}
	dir, err := os.MkdirTemp(tmp, "cancel-")
	if err != nil {
		return 0, err
	}
	caFile, err := ca.WriteCertFile(dir)
	if err != nil {
		return 0, err
	}
	r, ok := registry.Lookup(domain)
	if !ok {
		return 0, fmt.Errorf("unknown provider %s", domain)
	}
	emu, err := r.StartEmulator(ca)
	if err != nil {
		return 0, err
	}
	defer emu.Close()
	emu.SetHang(true)
	login, _ := emu.Demo()
	title, held := benchkit.FormTitle(domain), emu.Hanging()
	env := baseEnv(
		"SETUPWIZARD_CONFIG_DIR="+filepath.Join(dir, "config"),
		"SSL_CERT_FILE="+caFile,
	)
	for k, v := range emu.Env() {
		env = append(env, k+"="+v)
	}
	t, err := vterm.Start(bin, []string{"--provider", domain, "--timeout", "5m"}, env, 80, 24)
	if err != nil {
		return 0, err
	}
	defer t.Close()
	if err := t.WaitFor(title, bound); err != nil {
		return 0, err
	}
	if err := t.Type(login + vterm.Tab + "bench-password" + vterm.Enter); err != nil {
		return 0, err
	}
	select {
	case <-held:
	case <-time.After(bound):
		return 0, fmt.Errorf("no request reached the emulator; screen:\n%s", t.Screen())
	}
	pressed := time.Now()
	if err := t.Press(vterm.CtrlC); err != nil {
		return 0, err
	}
	select {
	case <-t.Exited():
	case <-time.After(bound):
		return 0, fmt.Errorf("still running %v after ctrl+c; screen:\n%s", bound, t.Screen())
	}
	d := time.Since(pressed)
	if code, _ := t.Wait(bound); code != 130 {
		fmt.Fprintf(os.Stderr, "  note: %s exited %d after ctrl+c, not 130\n", domain, code)
	}
	return d, nil
}

// measure is the median of n runs of f.
func measure(n int, f func() (time.Duration, error)) (time.Duration, error) {
	ds := make([]time.Duration, 0, n)
	for range n {
		d, err := f()
		if err != nil {
			return 0, err
		}
		ds = append(ds, d)
	}
	return benchkit.Median(ds), nil
}
