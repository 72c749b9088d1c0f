package main

import (
	"bufio"
	"errors"
	"fmt"
	"os/exec"
	"regexp"
	"sort"
	"strings"
	"time"
)

// monitor counts the Secret Service calls made on the session bus while it
// runs, with dbus-monitor (Debian package dbus-bin, installed with dbus).
// It sees every method call sent to org.freedesktop.secrets, so it counts
// what a keyring write costs without touching the product's code.
type monitor struct {
	cmd    *exec.Cmd
	counts map[string]int
	done   chan struct{}
}

const (
	secretsDest = "org.freedesktop.secrets"
	// sentinelIface marks the call that says "everything before me has
	// been seen": the bus forwards messages to a monitor in dispatch order.
	sentinelIface = "org.setupwizard.Bench"
)

var memberRE = regexp.MustCompile(`member=([A-Za-z]+)`)

// startMonitor returns once dbus-monitor is attached to the bus.
func startMonitor() (*monitor, error) {
	if _, err := exec.LookPath("dbus-send"); err != nil {
		return nil, err
	}
	cmd := exec.Command("dbus-monitor", "--session",
		"type='method_call',destination='"+secretsDest+"'",
		"type='method_call',interface='"+sentinelIface+"'")
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("dbus-monitor: %w", err)
	}
	m := &monitor{cmd: cmd, counts: map[string]int{}, done: make(chan struct{})}
	ready := make(chan struct{})
	go func() {
		defer close(m.done)
		sc := bufio.NewScanner(out)
		first := true
		for sc.Scan() {
			line := sc.Text()
			if first {
				// dbus-monitor prints the bus's greeting once it monitors.
				close(ready)
				first = false
			}
			if !strings.HasPrefix(line, "method call") {
				continue
			}
			if strings.Contains(line, "interface="+sentinelIface) {
				return
			}
			if mm := memberRE.FindStringSubmatch(line); mm != nil {
				m.counts[mm[1]]++
			}
		}
	}()
	select {
	case <-ready:
		return m, nil
	case <-m.done:
		_ = cmd.Wait()
		return nil, errors.New("dbus-monitor ended before attaching (no session bus?)")
	case <-time.After(5 * time.Second):
		m.kill()
		return nil, errors.New("dbus-monitor did not attach within 5s")
	}
}

// stop sends the sentinel, waits until the monitor has read up to it, and
// returns the calls by member.
func (m *monitor) stop() (map[string]int, error) {
	defer m.kill()
	// The sentinel goes to the bus itself, which answers "unknown
	// interface"; only its passage through the monitor matters.
	_ = exec.Command("dbus-send", "--session", "--type=method_call", "--dest=org.freedesktop.DBus",
		"/", sentinelIface+".Done").Run()
	select {
	case <-m.done:
		return m.counts, nil
	case <-time.After(5 * time.Second):
		return nil, errors.New("dbus-monitor did not see the sentinel within 5s")
	}
}

func (m *monitor) kill() {
	if m.cmd.ProcessState == nil {
		_ = m.cmd.Process.Kill()
		_ = m.cmd.Wait()
	}
}

// formatCounts is "N (A x3, B x1)" sorted by member.
func formatCounts(c map[string]int) string {
	total := 0
	var parts []string
	for k, v := range c {
		total += v
		parts = append(parts, fmt.Sprintf("%s x%d", k, v))
	}
	sort.Strings(parts)
	return fmt.Sprintf("%d (%s)", total, strings.Join(parts, ", "))
}
