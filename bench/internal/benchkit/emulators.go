package benchkit

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/setupwizard/setupwizard/internal/loopback"
	fcemu "github.com/setupwizard/setupwizard/internal/providers/flameconnect/emulator"
	libemu "github.com/setupwizard/setupwizard/internal/providers/librus/emulator"
)

// Providers are the domains benchmarked, in report order.
var Providers = []string{"flameconnect", "librus"}

// Emulators are both services on loopback, trusted through one throwaway
// CA whose certificate is also on disk for child processes (SSL_CERT_FILE).
type Emulators struct {
	CA     *loopback.CA
	CAFile string
	FC     *fcemu.Emulator
	LB     *libemu.Emulator
	dir    string
}

// StartEmulators starts both emulators; Close stops them and deletes the
// CA file.
func StartEmulators() (*Emulators, error) {
	ca, err := loopback.NewCA()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "setupwizard-bench-ca-")
	if err != nil {
		return nil, err
	}
	caFile, err := ca.WriteCertFile(dir)
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	fc, err := fcemu.Start(ca)
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("start the FlameConnect emulator: %w", err)
	}
	lb, err := libemu.Start(ca)
	if err != nil {
		_ = fc.Close()
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("start the Librus emulator: %w", err)
	}
	return &Emulators{CA: ca, CAFile: caFile, FC: fc, LB: lb, dir: dir}, nil
}

// Close stops both emulators.
func (e *Emulators) Close() {
	_ = e.FC.Close()
	_ = e.LB.Close()
	_ = os.RemoveAll(e.dir)
}

// Vars are the SETUPWIZARD_* overrides pointing the providers here.
func (e *Emulators) Vars() map[string]string {
	return map[string]string{
		"SETUPWIZARD_FLAMECONNECT_AUTHORITY": e.FC.Authority(),
		"SETUPWIZARD_LIBRUS_API_URL":         e.LB.APIURL(),
		"SETUPWIZARD_LIBRUS_SYNERGIA_URL":    e.LB.SynergiaURL(),
	}
}

// Env is ChildEnv plus the overrides, SSL_CERT_FILE and the config dir.
func (e *Emulators) Env(configDir string, extra ...string) []string {
	var kv []string
	for k, v := range e.Vars() {
		kv = append(kv, k+"="+v)
	}
	kv = append(kv, "SSL_CERT_FILE="+e.CAFile, "SETUPWIZARD_CONFIG_DIR="+configDir)
	return ChildEnv(append(kv, extra...)...)
}

// Login is the demo account of domain: its login and password.
func Login(domain string) (string, string) {
	if domain == "flameconnect" {
		return fcemu.DemoEmail, fcemu.DemoPassword
	}
	return libemu.DemoLogin, libemu.DemoPassword
}

// Requests is how many requests the emulator of domain has received.
func (e *Emulators) Requests(domain string) int {
	if domain == "flameconnect" {
		return e.FC.Requests()
	}
	return e.LB.Requests()
}

// ResetRequests forgets the emulators' request logs.
func (e *Emulators) ResetRequests() {
	e.FC.ResetRequests()
	e.LB.ResetRequests()
}

// ScriptedAdd runs one scripted add of domain's demo account into
// configDir (`-u LOGIN --password-stdin`) and returns the finished command,
// for its rusage, and its wall time from start to exit.
func (e *Emulators) ScriptedAdd(bin, configDir, domain string) (*exec.Cmd, time.Duration, error) {
	login, password := Login(domain)
	cmd := exec.Command(bin, "--provider", domain, "-u", login, "--password-stdin")
	cmd.Env = e.Env(configDir)
	cmd.Stdin = strings.NewReader(password + "\n")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	d := time.Since(start)
	if err != nil {
		return nil, 0, fmt.Errorf("%s scripted add: %w\n%s", domain, err, out.Bytes())
	}
	return cmd, d, nil
}

// RemoveDemo deletes domain's demo account from configDir, keyring items
// included, so a benchmark leaves nothing behind.
func (e *Emulators) RemoveDemo(bin, configDir, domain string) error {
	login, _ := Login(domain)
	rm := exec.Command(bin, "--remove", "--account", login, "--yes")
	rm.Env = e.Env(configDir)
	if b, err := rm.CombinedOutput(); err != nil {
		return fmt.Errorf("%s remove after the run: %w\n%s", domain, err, b)
	}
	return nil
}
