// Package cli is the command line's logic: flags, choosing the front end,
// the lifecycle commands and exit codes. It takes its streams and
// environment as arguments so every path runs in tests without a terminal;
// cmd/setupwizard only calls Main.
package cli

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/setupwizard/setupwizard/internal/flow"
	"github.com/setupwizard/setupwizard/internal/i18n"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
	"github.com/setupwizard/setupwizard/internal/providers/registry"
	"github.com/setupwizard/setupwizard/internal/store"
	"github.com/setupwizard/setupwizard/internal/trace"
)

// Exit codes (DESIGN.md).
const (
	ExitOK        = 0
	ExitFlow      = 1
	ExitUsage     = 2
	ExitKeyring   = 3
	ExitExpired   = 4
	ExitCancelled = 130
)

// Version is set at build time with -ldflags "-X .../internal/cli.Version=v1.2.3".
var Version = ""

// options are the parsed flags.
type options struct {
	provider      string
	reauth        bool
	account       string
	list          bool
	status        bool
	remove        bool
	yes           bool
	demo          bool
	username      string
	passwordStdin bool
	timeout       time.Duration
	debugFile     string
	json          bool
	accessible    bool
	version       bool
	help          bool
}

// app is one invocation: streams, environment and what was built from them.
type app struct {
	io     *IOStreams
	getenv func(string) string
	opts   options
	lang   string
	tracer *trace.Tracer
	// provOpts configure every provider (timeout, trace, demo CA, env).
	provOpts  provider.Options
	providers []provider.Provider
	// openStore opens the entries index and keyring; demo swaps it.
	openStore func() (*store.Store, error)
	// rootCAs, when set, replaces the system roots for the providers
	// (--demo's emulator CA; tests).
	rootCAs *x509.CertPool
	// storeOpts are passed to store.Open (tests swap the keyring).
	storeOpts []store.Option
	// stores are the stores this run opened (settle waits for them).
	stores []*store.Store
	// notice is shown above every interactive screen (--demo's credentials).
	notice string
	// prompter is the interactive front end; Main picks one when nil.
	prompter Prompter
}

// Main runs the command line and returns the exit code.
func Main(ctx context.Context, args []string, ios *IOStreams, getenv func(string) string) int {
	if getenv == nil {
		getenv = os.Getenv
	}
	return (&app{io: ios, getenv: getenv}).run(ctx, args)
}

func (a *app) run(ctx context.Context, args []string) int {
	ios := a.io
	fs := a.flagSet()
	if err := fs.Parse(args); err != nil {
		fmt.Fprintf(ios.ErrOut, "setupwizard: %v\nRun 'setupwizard --help' for usage.\n", err)
		return ExitUsage
	}
	if a.opts.help {
		a.usage(fs, ios.Out)
		return ExitOK
	}
	if a.opts.version {
		fmt.Fprintln(ios.Out, "setupwizard", version())
		return ExitOK
	}
	if fs.NArg() > 0 {
		return a.usageErr("unexpected argument %q", fs.Arg(0))
	}
	if code, bad := a.checkCombination(); bad {
		return code
	}
	if a.opts.debugFile != "" {
		f, err := os.OpenFile(a.opts.debugFile, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
		if err == nil {
			// O_CREATE's mode only applies to a new file: an old trace
			// file may be wider, and the trace is for the user alone.
			err = f.Chmod(0o600)
		}
		if err != nil {
			fmt.Fprintf(ios.ErrOut, "setupwizard: --debug: %v\n", err)
			return ExitUsage
		}
		a.tracer = trace.New(f)
		defer func() {
			if err := a.tracer.Err(); err != nil {
				fmt.Fprintf(ios.ErrOut, "setupwizard: --debug: the trace is incomplete: %v\n", err)
			}
			_ = f.Close()
		}()
	}
	a.provOpts = provider.Options{Timeout: a.opts.timeout, Wrap: a.tracer.Wrap, Getenv: a.getenv, RootCAs: a.rootCAs}
	a.openStore = func() (*store.Store, error) {
		dir, err := store.DefaultDir(a.getenv)
		if err != nil {
			return nil, err
		}
		return a.track(store.Open(dir, a.storeOpts...))
	}
	defer a.settle()
	a.lang = i18n.Lang(a.getenv, []string{"en", "pl"})

	if a.opts.demo {
		cleanup, err := a.startDemo()
		if err != nil {
			fmt.Fprintf(ios.ErrOut, "setupwizard: --demo: %v\n", err)
			return ExitFlow
		}
		defer cleanup()
	}
	if a.prompter == nil {
		a.prompter = a.newPrompter()
	}
	a.providers = traceProviders(registry.New(a.provOpts), a.tracer)
	if a.opts.provider != "" {
		if _, ok := registry.Find(a.providers, a.opts.provider); !ok {
			return a.usageErr("unknown provider %q (choose one of: %s)", a.opts.provider, strings.Join(registry.Domains(a.providers), ", "))
		}
	}

	switch {
	case a.opts.list:
		return a.runList()
	case a.opts.status:
		return a.runStatus(ctx)
	case a.opts.remove:
		return a.runRemove(ctx)
	case a.opts.reauth:
		return a.runReauth(ctx)
	default:
		return a.runAdd(ctx)
	}
}

func (a *app) flagSet() *pflag.FlagSet {
	fs := pflag.NewFlagSet("setupwizard", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.SortFlags = false
	o := &a.opts
	fs.StringVar(&o.provider, "provider", "", "provider to use: flameconnect or librus")
	fs.BoolVar(&o.reauth, "reauth", false, "sign in again for an existing account (reauth_confirm)")
	fs.StringVar(&o.account, "account", "", "select an entry by unique id or login / e-mail")
	fs.BoolVar(&o.list, "list", false, "list configured accounts")
	fs.BoolVar(&o.status, "status", false, "check every stored token cache with a silent refresh")
	fs.BoolVar(&o.remove, "remove", false, "delete an account and every keyring item it owns (needs --account)")
	fs.BoolVar(&o.yes, "yes", false, "with --remove: do not ask for confirmation")
	fs.BoolVar(&o.demo, "demo", false, "run the wizard against built-in emulators of both services, offline")
	fs.StringVarP(&o.username, "username", "u", "", "login / e-mail for a non-interactive sign-in")
	fs.BoolVar(&o.passwordStdin, "password-stdin", false, "read the password from standard input (one line)")
	fs.DurationVar(&o.timeout, "timeout", provider.DefaultTimeout, "per-request network timeout")
	fs.StringVar(&o.debugFile, "debug", "", "write an HTTP trace with every secret redacted to `FILE`")
	fs.BoolVar(&o.json, "json", false, "machine-readable output for --list, --status and non-interactive results")
	fs.BoolVar(&o.accessible, "accessible", false, "plain line prompts (also chosen by TERM=dumb)")
	fs.BoolVar(&o.version, "version", false, "print the version")
	fs.BoolVarP(&o.help, "help", "h", false, "show this help")
	return fs
}

func (a *app) usage(fs *pflag.FlagSet, w io.Writer) {
	fmt.Fprint(w, `setupwizard signs you into a cloud service the way a Home Assistant config
flow does and keeps only the resulting token cache in the OS keyring.

Usage:
  setupwizard [--provider NAME]                 add an account
  setupwizard --reauth [--provider P] [--account ID]
  setupwizard --list | --status [--account ID] | --remove --account ID [--yes]
  setupwizard --demo                            try it against built-in emulators
  setupwizard -u LOGIN --password-stdin [--provider P] [--reauth]   scripted

Flags:
`)
	fmt.Fprint(w, fs.FlagUsages())
	fmt.Fprint(w, `
Exit codes: 0 done, 1 the flow ended in an error or abort, 2 usage error,
3 the keyring cannot be used, 4 --status found an expired account, 130 cancelled.
`)
}

func (a *app) usageErr(format string, args ...any) int {
	return a.fail(ExitUsage, fmt.Sprintf(format, args...)+"\nRun 'setupwizard --help' for usage.")
}

// checkCombination refuses flag mixes that would silently ignore something.
func (a *app) checkCombination() (int, bool) {
	o := a.opts
	modes := 0
	for _, on := range []bool{o.list, o.status, o.remove, o.reauth} {
		if on {
			modes++
		}
	}
	switch {
	case modes > 1:
		return a.usageErr("--list, --status, --remove and --reauth exclude each other"), true
	case o.remove && o.account == "":
		return a.usageErr("--remove needs --account ID (see --list)"), true
	case (o.list || o.status || o.remove) && (o.username != "" || o.passwordStdin):
		return a.usageErr("-u/--username and --password-stdin go with adding an account or --reauth"), true
	case o.passwordStdin && o.username == "" && !o.reauth:
		return a.usageErr("--password-stdin needs -u/--username LOGIN"), true
	case o.timeout <= 0:
		return a.usageErr("--timeout must be positive, e.g. 30s"), true
	case o.account != "" && modes == 0:
		return a.usageErr("--account selects an existing entry: use it with --reauth, --status, --list or --remove"), true
	case o.json && (modes == 0 || o.reauth) && !o.passwordStdin:
		return a.usageErr("--json goes with --list, --status, --remove or a scripted sign-in (--password-stdin)"), true
	case o.demo && modes > 0:
		return a.usageErr("--demo runs the wizard to add an account; it goes with no other command"), true
	case o.yes && !o.remove:
		return a.usageErr("--yes goes with --remove"), true
	}
	return 0, false
}

// track remembers an opened store so settle can wait for its clean-up.
func (a *app) track(st *store.Store, err error) (*store.Store, error) {
	if err == nil {
		a.stores = append(a.stores, st)
	}
	return st, err
}

// settle gives keyring calls that timed out, and the clean-up queued
// behind them, a moment to finish before the process exits: a keyring that
// answers late then still gets its stray items deleted. It never holds up
// an exit for long.
func (a *app) settle() {
	for _, st := range a.stores {
		if st.Pending() {
			ctx, cancel := context.WithTimeout(context.Background(), probeGrace)
			_ = st.Settle(ctx)
			cancel()
		}
	}
}

func version() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// storeErr prints a store failure and picks the exit code: 3 for the keyring.
func (a *app) storeErr(what string, err error) int {
	code := ExitFlow
	if errors.Is(err, store.ErrKeyring) {
		code = ExitKeyring
	}
	return a.fail(code, fmt.Sprintf("%s: %v", what, err))
}

// interactive reports whether a person drives this run.
func (a *app) interactive() bool { return !a.opts.passwordStdin && a.io.CanPrompt() }

var _ = flow.Base
