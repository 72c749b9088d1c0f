//go:build linux

package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// coreFiles lists the core files in dir (core, or core.PID with
// kernel.core_uses_pid).
func coreFiles(dir string) []string {
	names, _ := filepath.Glob(filepath.Join(dir, "core*"))
	return names
}

// TestNoCoreDump: started with core dumps allowed (RLIMIT_CORE raised to
// its hard limit, as `ulimit -c unlimited` does), the running binary has
// RLIMIT_CORE 0 before it reads any secret, is not dumpable (its /proc
// files belong to root when the test is not root), and a crash while the
// password is in memory (SIGQUIT with GOTRACEBACK=crash) writes no core,
// while a plain process in the same place does.
func TestNoCoreDump(t *testing.T) {
	if b, err := os.ReadFile("/proc/sys/kernel/core_pattern"); err != nil || strings.HasPrefix(string(b), "|") || strings.Contains(string(b), "/") {
		t.Skipf("core files do not go to the process's directory here (core_pattern %q)", b)
	}
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_CORE, &lim); err != nil {
		t.Fatal(err)
	}
	if lim.Max == 0 {
		t.Skip("the hard core-size limit is 0: no process can dump core here")
	}
	raised := syscall.Rlimit{Cur: lim.Max, Max: lim.Max}
	if err := syscall.Setrlimit(syscall.RLIMIT_CORE, &raised); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = syscall.Setrlimit(syscall.RLIMIT_CORE, &lim) })

	// The control: a process that does not harden itself dumps core here.
	control := t.TempDir()
	sl := exec.Command("sleep", "60")
	sl.Dir = control
	if err := sl.Start(); err != nil {
		t.Fatal(err)
	}
	_ = sl.Process.Signal(syscall.SIGQUIT)
	_ = sl.Wait()
	if len(coreFiles(control)) == 0 {
		t.Skip("a plain process dumps no core here either; nothing to compare")
	}

	w := newWorld(t)
	p := providers[0]
	dir := t.TempDir()
	proxy := newBusProxy(t, w.bus())
	// The keyring probe's delete comes after Harden and before the
	// password is read: hold it there to look at the process.
	proxy.armWhen(func(d string) bool { return d == "delete" }, hold)
	cmd := exec.Command(binary, addArgs(p)...)
	cmd.Dir = dir
	cmd.Env = append(append(w.env(), proxy.env()...), "GOTRACEBACK=crash")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	select {
	case <-proxy.held:
	case <-time.After(exitWait):
		t.Fatal("the binary never probed the keyring")
	}
	pid := strconv.Itoa(cmd.Process.Pid)
	limits, err := os.ReadFile("/proc/" + pid + "/limits")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^Max core file size\s+0\s+0\s`).Match(limits) {
		t.Errorf("the running binary's core limit is not 0:\n%s", limits)
	}
	if os.Geteuid() != 0 {
		fi, err := os.Stat("/proc/" + pid + "/status")
		if err != nil {
			t.Fatal(err)
		}
		if st, ok := fi.Sys().(*syscall.Stat_t); ok && st.Uid != 0 {
			t.Errorf("/proc/%s belongs to uid %d: the binary is dumpable", pid, st.Uid)
		}
	}
	close(proxy.release)
	// Part of a password in memory (no newline yet), then the crash.
	secret := w.secret("core-canary-Qd7")
	if _, err := stdin.Write([]byte(secret)); err != nil {
		t.Fatal(err)
	}
	// The probe's delete answered means the binary reads stdin next; the
	// crash may come before or after it has read the bytes: both must
	// dump nothing.
	if err := cmd.Process.Signal(syscall.SIGQUIT); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.CoreDump() {
		t.Error("the kernel reports the binary dumped core")
	}
	if cores := coreFiles(dir); len(cores) > 0 {
		t.Errorf("the binary left core files %v", cores)
	}
}
