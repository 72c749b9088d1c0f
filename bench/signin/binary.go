package main

import (
	"fmt"
	"os"
	"os/exec"
	"time"

	"github.com/setupwizard/setupwizard/bench/internal/benchkit"
)

// binaryResult is the real binary's scripted add for one provider.
type binaryResult struct {
	domain   string
	runs     int
	median   time.Duration
	min, max time.Duration
	requests int // per run, as the emulator recorded them
	// keyring is the Secret Service calls of one more run (by member);
	// empty when dbus-monitor is missing (note says why).
	keyring map[string]int
	note    string
}

// measureBinary times `setupwizard --provider D -u LOGIN --password-stdin`
// from process start to exit: start-up, the sign-in, the keyring write and
// the entries index. Each run gets a fresh config dir; its entry and
// keyring items are removed afterwards (untimed).
func measureBinary(bin, tmp, domain string, emus *benchkit.Emulators, runs int) (binaryResult, error) {
	r := binaryResult{domain: domain, runs: runs}
	var ds []time.Duration
	for i := range runs + 1 {
		var mon *monitor
		if i == runs {
			// One more run under dbus-monitor, untimed: the monitor costs
			// the bus a copy of every message.
			m, err := startMonitor()
			if err != nil {
				r.note = "keyring calls not counted: " + err.Error()
				break
			}
			mon = m
		}
		emus.ResetRequests()
		d, cleanup, err := scriptedAdd(bin, tmp, domain, emus)
		if mon != nil {
			counts, merr := mon.stop()
			if err == nil && merr != nil {
				r.note = "keyring calls not counted: " + merr.Error()
			}
			r.keyring = counts
		}
		if err != nil {
			return r, err
		}
		if err := cleanup(); err != nil {
			return r, err
		}
		if i < runs {
			ds = append(ds, d)
			r.requests = emus.Requests(domain)
		}
	}
	r.median = benchkit.Median(ds)
	r.min, r.max = ds[0], ds[len(ds)-1]
	return r, nil
}

// scriptedAdd runs one scripted add; cleanup removes the entry, its
// keyring items and the config dir.
func scriptedAdd(bin, tmp, domain string, emus *benchkit.Emulators) (d time.Duration, cleanup func() error, err error) {
	cfg, err := os.MkdirTemp(tmp, "config-")
	if err != nil {
		return 0, nil, err
	}
	defer func() {
		if err != nil {
			_ = os.RemoveAll(cfg)
		}
	}()
	_, d, err = emus.ScriptedAdd(bin, cfg, domain)
	if err != nil {
		return 0, nil, err
	}
	cleanup = func() error {
		defer os.RemoveAll(cfg)
		return emus.RemoveDemo(bin, cfg, domain)
	}
	return d, cleanup, nil
}

// measureVersion is the process start-up floor: `setupwizard --version`.
func measureVersion(bin string, runs int) (time.Duration, error) {
	var ds []time.Duration
	for range runs {
		cmd := exec.Command(bin, "--version")
		cmd.Env = benchkit.ChildEnv()
		start := time.Now()
		if b, err := cmd.CombinedOutput(); err != nil {
			return 0, fmt.Errorf("--version: %w\n%s", err, b)
		}
		ds = append(ds, time.Since(start))
	}
	return benchkit.Median(ds), nil
}
