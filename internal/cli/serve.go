package cli

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/setupwizard/setupwizard/internal/flow"
	"github.com/setupwizard/setupwizard/internal/loopback"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
	"github.com/setupwizard/setupwizard/internal/providers/registry"
	"github.com/setupwizard/setupwizard/internal/store"
)

// The sandbox's own environment variables (README, "Try your script
// offline"): where its control answers, and its CA for tools that do not
// read SSL_CERT_FILE.
const (
	envSandboxControl = "SETUPWIZARD_SANDBOX_CONTROL"
	envConfigDir      = "SETUPWIZARD_CONFIG_DIR"
)

// caEnvs name the sandbox's CA certificate for every client a script may
// use: Go and OpenSSL (Python's ssl) read SSL_CERT_FILE, curl reads
// CURL_CA_BUNDLE, Python's requests reads REQUESTS_CA_BUNDLE.
var caEnvs = []string{"SSL_CERT_FILE", "CURL_CA_BUNDLE", "REQUESTS_CA_BUNDLE"}

// defaultSlow is the latency "slow" adds when the request names none.
const defaultSlow = 5 * time.Second

// serveFlags are the flags that go with --demo --serve; any other is a
// usage error, since the sandbox runs no command of its own.
var serveFlags = map[string]bool{"demo": true, "serve": true, "timeout": true, "debug": true}

// sandbox is a running --demo --serve: every registered service's emulator,
// a throwaway CA and config dir in one temporary directory, and the
// control a script calls to change how the services behave.
type sandbox struct {
	a    *app
	dir  string
	cfg  string
	emus registry.Emulators
	// mu serialises the controls: an expire's check must not meet a
	// "down" half-applied.
	mu sync.Mutex
}

// runServe is --demo --serve: it starts the emulators on their own for
// script authors, prints the environment that points setupwizard (and a
// script's own requests) at them, and runs until ctrl+c, SIGTERM or a
// hang-up, which
// end it with exit 0 once everything it made is removed: the temporary
// directory and every keyring item of the accounts signed in there.
// Stopping is its normal end, so it is not a cancel (130).
func (a *app) runServe(ctx context.Context) error {
	names := make([]string, 0, len(a.set))
	for name := range a.set {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if !serveFlags[name] {
			return a.usagef("cli.serve.alone", "flag", flagName(name))
		}
	}
	// A closed terminal (the SSH session ends, the window or tmux goes)
	// hangs up; the signal's default would end the process before it
	// removes its directory and the accounts' keyring items.
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGHUP)
	defer stop()
	if err := a.serveSandbox(ctx); err != nil {
		return err
	}
	a.sayErr(a.T("cli.serve.stopping"))
	return nil
}

// serveSandbox runs the sandbox until ctx ends, then removes all it made.
func (a *app) serveSandbox(ctx context.Context) (err error) {
	sb := &sandbox{a: a}
	if sb.dir, err = os.MkdirTemp("", "setupwizard-sandbox-"); err != nil {
		return fmt.Errorf("sandbox dir: %w", err)
	}
	// Everything the sandbox writes lives below dir; it goes last, also
	// when starting failed half-way.
	defer func() {
		if rerr := os.RemoveAll(sb.dir); rerr != nil && err == nil {
			err = fmt.Errorf("remove the sandbox dir: %w", rerr)
		}
	}()
	sb.cfg = filepath.Join(sb.dir, "config")
	if err := os.Mkdir(sb.cfg, 0o700); err != nil {
		return fmt.Errorf("sandbox config dir: %w", err)
	}
	ca, err := loopback.NewCA()
	if err != nil {
		return fmt.Errorf("sandbox CA: %w", err)
	}
	caFile, err := ca.WriteCertFile(sb.dir)
	if err != nil {
		return err
	}
	if sb.emus, err = registry.StartEmulators(ca); err != nil {
		return err
	}
	defer sb.emus.Close()
	// The accounts' keyring items go before the emulators and the dir:
	// a sign-in made in the sandbox must not outlive it.
	defer func() {
		if cerr := sb.removeAccounts(); cerr != nil && err == nil {
			err = cerr
		}
	}()
	// The providers the expire control checks with trust the sandbox's CA
	// and talk to its emulators, as a script's setupwizard does.
	env := sb.emus.Env()
	a.provOpts.RootCAs = ca.Pool
	a.provOpts.Getenv = func(k string) string {
		if v, ok := env[k]; ok {
			return v
		}
		return a.getenv(k)
	}
	a.providers = a.traceProviders(registry.New(a.provOpts))

	secret, err := randomHex(16)
	if err != nil {
		return err
	}
	ctl, err := ca.Serve("127.0.0.1", sb.handler("/"+secret+"/"))
	if err != nil {
		return fmt.Errorf("sandbox control: %w", err)
	}
	defer func() { _ = ctl.Close() }()

	vars := map[string]string{envConfigDir: sb.cfg, envSandboxControl: ctl.URL + "/" + secret + "/"}
	for _, k := range caEnvs {
		vars[k] = caFile
	}
	for k, v := range env {
		vars[k] = v
	}
	for _, e := range sb.emus {
		if api, ok := e.(provider.ScriptAPI); ok {
			k, v := api.ScriptAPI()
			vars[k] = v
		}
	}
	sb.printEnv(vars)
	sb.noteKeyring(ctx)

	<-ctx.Done()
	return nil
}

// printEnv writes the environment block on stdout: only export lines and
// comments, so it can be pasted into a shell or saved and sourced.
func (sb *sandbox) printEnv(vars map[string]string) {
	a := sb.a
	// Prose is wrapped at words to the terminal; commands stay whole, to
	// be copied as one line. A pipe gets whole lines.
	width := a.io.OutWidth
	if width > 2 {
		width -= 2
	}
	comment := func(s string) {
		for _, l := range strings.Split(s, "\n") {
			for _, wl := range strings.Split(fit(l, width), "\n") {
				a.outf("# %s\n", wl)
			}
		}
	}
	command := func(s string) { a.outf("#   %s\n", s) }
	// A login line is prose too: cut by the terminal, "de" / "mo-password"
	// reads as another password.
	item := func(s string) {
		for _, wl := range strings.Split(fit(s, width-2), "\n") {
			a.outf("#   %s\n", wl)
		}
	}
	comment(a.T("cli.serve.header"))
	keys := make([]string, 0, len(vars))
	for k := range vars {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		a.outf("export %s=%s\n", k, exportQuote(vars[k]))
	}
	domains := make([]string, 0, len(sb.emus))
	for d := range sb.emus {
		domains = append(domains, d)
	}
	sort.Strings(domains)
	comment(a.T("cli.serve.logins"))
	for _, d := range domains {
		login, pw := sb.emus[d].Demo()
		item(a.T("cli.demo.credential", "service", a.displayName(d), "login", login, "password", pw))
		command("  echo " + shellQuote(pw) + " | " + a.self() + " --provider " + d + " -u " + shellQuote(login) + " --password-stdin")
	}
	comment(a.T("cli.serve.controls"))
	for _, c := range controls {
		if c == "slow" {
			c += "?delay=5s"
		}
		command(`curl -X POST "${` + envSandboxControl + `}` + c + `"`)
	}
	comment(a.T("cli.serve.ready"))
}

// noteKeyring says at once when no keyring answers: every setupwizard
// command run in the sandbox's shell would then exit 3.
func (sb *sandbox) noteKeyring(ctx context.Context) {
	ds := sb.domains("")
	if len(ds) == 0 {
		return
	}
	st, err := store.Open(sb.cfg, append(append([]store.Option(nil), sb.a.storeOpts...), store.WithTimeout(3*time.Second))...)
	if err == nil {
		defer func() { _ = st.Close(context.Background()) }()
		err = st.Probe(ctx, ds[0])
	}
	if err != nil && ctx.Err() == nil {
		sb.a.tracer.Note("sandbox: keyring probe: %v", err)
		sb.a.sayErr(sb.a.T("cli.serve.no_keyring"))
	}
}

// removeAccounts deletes every account signed in with the sandbox's config
// dir, and with it every keyring item it owns (the store finishes or undoes
// an interrupted write on the way).
func (sb *sandbox) removeAccounts() error {
	if _, err := os.Stat(filepath.Join(sb.cfg, store.IndexFile)); errors.Is(err, os.ErrNotExist) {
		return nil // nobody signed in
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := store.Open(sb.cfg, sb.a.storeOpts...)
	if err != nil {
		return storeErr(sb.a.T("cli.serve.cleanup"), err)
	}
	defer func() { _ = st.Close(ctx) }()
	es, err := st.Entries(ctx)
	if err != nil {
		return storeErr(sb.a.T("cli.serve.cleanup"), err)
	}
	for _, e := range es {
		if err := st.Remove(ctx, e.ID); err != nil {
			return storeErr(sb.a.T("cli.serve.cleanup"), err)
		}
	}
	return nil
}

// controlAnswer is what every control request gets back, as JSON.
type controlAnswer struct {
	Control  string   `json:"control,omitempty"`
	Services []string `json:"services,omitempty"`
	// Expired are the accounts an expire found dead and recorded, so
	// their next --token exits 4 at once.
	Expired []string `json:"expired_accounts,omitempty"`
	Error   string   `json:"error,omitempty"`
	// Controls lists what POST accepts (GET's answer).
	Controls []string `json:"controls,omitempty"`
}

// controls are the sandbox's controls, the demo's own: end every sign-in,
// make the services slow, make them stop answering, and undo the last two.
var controls = []string{"expire", "slow", "down", "up"}

// handler serves the controls under prefix, a random path printed only in
// the environment block, so no other local program (a web page's request
// to 127.0.0.1 included) can guess it.
func (sb *sandbox) handler(prefix string) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+prefix+"{$}", func(w http.ResponseWriter, r *http.Request) {
		writeControl(w, http.StatusOK, controlAnswer{Controls: controls, Services: sb.domains("")})
	})
	mux.HandleFunc("POST "+prefix+"{control}", sb.control)
	return mux
}

func (sb *sandbox) control(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("control")
	only := r.URL.Query().Get("service")
	ds := sb.domains(only)
	if len(ds) == 0 {
		writeControl(w, http.StatusNotFound, controlAnswer{Error: "no such service: " + clean(only)})
		return
	}
	ans := controlAnswer{Control: name, Services: ds}
	sb.mu.Lock()
	defer sb.mu.Unlock()
	switch name {
	case "expire":
		for _, d := range ds {
			sb.emus[d].Expire()
		}
		ans.Expired = sb.recordExpired(r.Context(), ds)
	case "slow":
		d := defaultSlow
		if v := r.URL.Query().Get("delay"); v != "" {
			var err error
			if d, err = time.ParseDuration(v); err != nil || d < 0 {
				writeControl(w, http.StatusBadRequest, controlAnswer{Error: "delay: want a duration such as 5s"})
				return
			}
		}
		for _, dm := range ds {
			sb.emus[dm].SetLatency(d)
		}
	case "down":
		for _, d := range ds {
			sb.emus[d].SetHang(true)
		}
	case "up":
		for _, d := range ds {
			sb.emus[d].SetHang(false)
			sb.emus[d].SetLatency(0)
		}
	default:
		writeControl(w, http.StatusNotFound, controlAnswer{Error: "no such control: " + clean(name), Controls: controls})
		return
	}
	sb.a.tracer.Note("sandbox: %s %v", name, ds)
	writeControl(w, http.StatusOK, ans)
}

// recordExpired checks the sandbox's accounts of the expired services at
// once, as --status would: the service's answer, recorded, makes their next
// --token exit 4 instead of printing a cached credential that has not run
// out yet. It returns the unique ids recorded; a keyring that fails here
// records nothing (the next --status or --token finds the expiry itself).
func (sb *sandbox) recordExpired(ctx context.Context, domains []string) []string {
	if _, err := os.Stat(filepath.Join(sb.cfg, store.IndexFile)); err != nil {
		return nil
	}
	st, err := store.Open(sb.cfg, sb.a.storeOpts...)
	if err != nil {
		return nil
	}
	defer func() { _ = st.Close(ctx) }()
	es, err := st.Entries(ctx)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range es {
		p, ok := registry.Find(sb.a.providers, e.Domain)
		if !ok || !contains(domains, e.Domain) {
			continue
		}
		res, err := flow.CheckEntry(ctx, p, st, e.ID)
		if err != nil {
			sb.a.tracer.Note("sandbox: check %s: %v", e.UniqueID, err)
			continue
		}
		if res.State == flow.CheckExpired {
			out = append(out, clean(e.UniqueID))
		}
	}
	return out
}

// domains are the sandbox's services, or only the one named (any letter
// case); none when the name is unknown.
func (sb *sandbox) domains(only string) []string {
	var out []string
	for d := range sb.emus {
		if only == "" || strings.EqualFold(d, only) {
			out = append(out, d)
		}
	}
	sort.Strings(out)
	return out
}

func writeControl(w http.ResponseWriter, status int, v controlAnswer) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// exportQuote single-quotes an exported value for a POSIX shell, always,
// so every line of the block reads the same and a script can parse it.
func exportQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func randomHex(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("sandbox control path: %w", err)
	}
	return hex.EncodeToString(b), nil
}
