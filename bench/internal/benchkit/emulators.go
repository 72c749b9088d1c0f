package benchkit

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/setupwizard/setupwizard/internal/flow"
	"github.com/setupwizard/setupwizard/internal/loopback"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
	"github.com/setupwizard/setupwizard/internal/providers/registry"
)

// Providers are the domains benchmarked, in report order: every
// registered service.
var Providers = registry.Domains()

// Emulators are every registered service's emulator on loopback, trusted
// through one throwaway CA whose certificate is also on disk for child
// processes (SSL_CERT_FILE).
type Emulators struct {
	CA     *loopback.CA
	CAFile string
	// ByDomain are the emulators by provider domain.
	ByDomain registry.Emulators
	dir      string
}

// StartEmulators starts every registered service's emulator; Close stops
// them and deletes the CA file.
func StartEmulators() (*Emulators, error) {
	ca, err := loopback.NewCA()
	if err != nil {
		return nil, fmt.Errorf("emulator CA: %w", err)
	}
	dir, err := os.MkdirTemp("", "setupwizard-bench-ca-")
	if err != nil {
		return nil, fmt.Errorf("CA directory: %w", err)
	}
	caFile, err := ca.WriteCertFile(dir)
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("CA file: %w", err)
	}
	emus, err := registry.StartEmulators(ca)
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	return &Emulators{CA: ca, CAFile: caFile, ByDomain: emus, dir: dir}, nil
}

// Close stops every emulator.
func (e *Emulators) Close() {
	e.ByDomain.Close()
	_ = os.RemoveAll(e.dir)
}

// Vars are the SETUPWIZARD_* overrides pointing the providers here.
func (e *Emulators) Vars() map[string]string { return e.ByDomain.Env() }

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
func (e *Emulators) Login(domain string) (string, string) {
	return e.ByDomain[domain].Demo()
}

// Requests is how many requests the emulator of domain has received.
func (e *Emulators) Requests(domain string) int {
	return e.ByDomain[domain].Requests()
}

// ResetRequests forgets the emulators' request logs.
func (e *Emulators) ResetRequests() {
	for _, emu := range e.ByDomain {
		emu.ResetRequests()
	}
}

// FormTitle is the title of domain's sign-in form in English, as the
// first screen shows it.
func FormTitle(domain string) string {
	r, ok := registry.Lookup(domain)
	if !ok {
		return domain
	}
	cat, err := flow.Strings(r.New(provider.Options{}))
	if err != nil {
		return domain
	}
	s, _ := cat.Raw("en", "config.step.user.title")
	return s
}

// ScriptedAdd runs one scripted add of domain's demo account into
// configDir (`-u LOGIN --password-stdin`) and returns the finished command,
// for its rusage, and its wall time from start to exit.
func (e *Emulators) ScriptedAdd(bin, configDir, domain string) (*exec.Cmd, time.Duration, error) {
	login, password := e.Login(domain)
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
	login, _ := e.Login(domain)
	rm := exec.Command(bin, "--remove", "--account", login, "--yes")
	rm.Env = e.Env(configDir)
	if b, err := rm.CombinedOutput(); err != nil {
		return fmt.Errorf("%s remove after the run: %w\n%s", domain, err, b)
	}
	return nil
}
