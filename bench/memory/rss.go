//go:build unix

package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/setupwizard/setupwizard/bench/internal/benchkit"
	"github.com/setupwizard/setupwizard/e2e/vterm"
)

// bound is a failure bound per wait, never a synchronisation delay.
const bound = 15 * time.Second

// rss is peak-RSS samples in KiB.
type rss struct{ median, max int64 }

func (r rss) print(what string) {
	fmt.Printf("  %-50s %7.1f MiB / %7.1f MiB\n", what, kib(r.median), kib(r.max))
}

func measureRSS(n int, f func() (int64, error)) (rss, error) {
	ks := make([]int64, 0, n)
	for range n {
		k, err := f()
		if err != nil {
			return rss{}, err
		}
		ks = append(ks, k)
	}
	sort.Slice(ks, func(i, j int) bool { return ks[i] < ks[j] })
	med := ks[n/2]
	if n%2 == 0 {
		med = (ks[n/2-1] + ks[n/2]) / 2
	}
	return rss{median: med, max: ks[n-1]}, nil
}

// maxRSS is the finished child's ru_maxrss (KiB on Linux).
func maxRSS(cmd *exec.Cmd) (int64, error) {
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok || ru == nil {
		return 0, errors.New("no rusage for the child on this OS")
	}
	return ru.Maxrss, nil
}

func versionRSS(bin string) (int64, error) {
	cmd := exec.Command(bin, "--version")
	cmd.Env = benchkit.ChildEnv()
	if b, err := cmd.CombinedOutput(); err != nil {
		return 0, fmt.Errorf("--version: %w\n%s", err, b)
	}
	return maxRSS(cmd)
}

// scriptedRSS is one whole scripted add (sign-in, keyring write, index);
// the entry and its keyring items are removed afterwards.
func scriptedRSS(bin, tmp string, emus *benchkit.Emulators, domain string) (int64, error) {
	cfg, err := os.MkdirTemp(tmp, "config-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(cfg)
	cmd, _, err := emus.ScriptedAdd(bin, cfg, domain)
	if err != nil {
		return 0, err
	}
	k, err := maxRSS(cmd)
	if err != nil {
		return 0, err
	}
	if err := emus.RemoveDemo(bin, cfg, domain); err != nil {
		return 0, err
	}
	return k, nil
}

// interactiveRSS starts the wizard in an 80x24 pty, waits for the form's
// title on the emulated screen, and reads the child's VmHWM (peak RSS so
// far) before ending it with ctrl+c.
func interactiveRSS(bin, tmp string, emus *benchkit.Emulators, domain, title string) (int64, error) {
	cfg, err := os.MkdirTemp(tmp, "config-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(cfg)
	t, err := vterm.Start(bin, []string{"--provider", domain}, emus.Env(cfg, "TERM=xterm-256color"), 80, 24)
	if err != nil {
		return 0, err
	}
	defer t.Close()
	if err := t.WaitFor(title, bound); err != nil {
		return 0, err
	}
	pid, err := childPID(bin)
	if err != nil {
		return 0, err
	}
	k, err := procStatus(pid, "VmHWM")
	if err != nil {
		return 0, err
	}
	_ = t.Press(vterm.CtrlC)
	_, _ = t.Wait(bound)
	return k, nil
}

// childPID finds this process's running child whose executable is bin
// (vterm keeps its *exec.Cmd to itself).
func childPID(bin string) (int, error) {
	want, err := filepath.EvalSymlinks(bin)
	if err != nil {
		return 0, err
	}
	self := os.Getpid()
	dirs, err := os.ReadDir("/proc")
	if err != nil {
		return 0, err
	}
	for _, d := range dirs {
		pid, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		ppid, err := procStatus(pid, "PPid")
		if err != nil || int(ppid) != self {
			continue
		}
		if exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid)); err == nil && exe == want {
			return pid, nil
		}
	}
	return 0, fmt.Errorf("no child process running %s", bin)
}

// procStatus reads a numeric field of /proc/PID/status ("VmHWM" is in kB).
func procStatus(pid int, field string) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, val, ok := strings.Cut(sc.Text(), ":")
		if !ok || name != field {
			continue
		}
		fields := strings.Fields(val)
		if len(fields) == 0 {
			break
		}
		return strconv.ParseInt(fields[0], 10, 64)
	}
	return 0, fmt.Errorf("/proc/%d/status has no %s", pid, field)
}
