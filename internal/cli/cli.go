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
	"os"
	"runtime/debug"
	"sync/atomic"
	"time"

	"github.com/spf13/pflag"

	"github.com/setupwizard/setupwizard/internal/i18n"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
	"github.com/setupwizard/setupwizard/internal/providers/registry"
	"github.com/setupwizard/setupwizard/internal/store"
	"github.com/setupwizard/setupwizard/internal/trace"
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
	token         bool
	yes           bool
	demo          bool
	serve         bool
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
	// set is which flags the command line named.
	set map[string]bool
	// setOrder is every flag setting in command-line order (checkRepeats).
	setOrder []string
	// flags is the parsed command line, for printed commands (rerunArgs).
	flags *pflag.FlagSet
	lang  string
	// text is the command line's own catalog.
	text *i18n.Catalog
	// catalogs are the services' strings by domain (see catalog).
	catalogs map[string]*i18n.Catalog
	tracer   *trace.Tracer
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
	// stores are the stores this run opened (closed on exit).
	stores []*store.Store
	// notice is shown above every interactive screen (--demo's credentials).
	notice string
	// noticeBrief is notice condensed per provider domain, for small
	// terminals.
	noticeBrief map[string]string
	// prompter is the interactive front end; Main picks one when nil.
	prompter Prompter
	// back tells the front end that esc on its first screen returns to
	// the account picker shown before it (frontend.ErrBack).
	back bool
	// pickStart is 1 + the index of the account the next picker starts on.
	pickStart int
	// picked is 1 + the index chosen on the last picker (0: no picker).
	picked int
	// demo is the running demo's emulators, nil outside --demo.
	demo *demo
	// reportable is set once a failure that asks for a --debug trace was
	// shown (noteReportable); validations may run on another goroutine.
	reportable atomic.Bool
}

// Main runs the command line and returns the exit code.
func Main(ctx context.Context, args []string, ios *IOStreams, getenv func(string) string) int {
	if getenv == nil {
		getenv = os.Getenv
	}
	return (&app{io: ios, getenv: getenv}).run(ctx, args)
}

func (a *app) run(ctx context.Context, args []string) int {
	a.lang = i18n.Lang(a.getenv, textLangs)
	a.text = cliText()
	fs := a.flagSet()
	a.flags = fs
	a.countSets(fs)
	if err := fs.Parse(args); err != nil {
		// A script that asked for --json gets its error object even when
		// the flag came after the one that stopped the parse (and the
		// suggestion's look at the flags has reset the parsed values).
		perr := a.parseError(err)
		a.opts.json = askedJSON(args)
		return a.report(perr)
	}
	if err := a.checkRepeats(); err != nil {
		return a.report(err)
	}
	a.set = map[string]bool{}
	fs.Visit(func(f *pflag.Flag) { a.set[f.Name] = true })
	if a.opts.help {
		a.usage(a.io.Out)
		return ExitOK
	}
	if a.opts.version {
		a.outf("setupwizard %s\n", version())
		return ExitOK
	}
	if fs.NArg() > 0 {
		return a.positional(fs.Arg(0))
	}
	if err := a.checkFlags(); err != nil {
		return a.report(err)
	}
	if a.opts.debugFile != "" {
		f, err := openTrace(a.opts.debugFile)
		if err != nil {
			return a.report(a.usagef("cli.usage.debug_file", "error", err.Error()))
		}
		a.tracer = trace.New(f)
		defer func() {
			if err := a.tracer.Err(); err != nil {
				a.errf("setupwizard: %s\n", a.T("cli.debug_incomplete", "error", err.Error()))
			} else if a.reportable.Load() {
				// The screen asked to run again with --debug: this run did.
				a.errf("setupwizard: %s\n", a.T("cli.debug_attach", "file", clean(a.opts.debugFile)))
			}
			_ = f.Close()
		}()
	}
	return a.report(a.dispatch(ctx))
}

// dispatch builds what every command needs and runs the chosen one.
func (a *app) dispatch(ctx context.Context) error {
	a.provOpts = provider.Options{Timeout: a.opts.timeout, Wrap: a.tracer.Wrap, Getenv: a.getenv, RootCAs: a.rootCAs}
	a.openStore = func() (*store.Store, error) {
		dir, err := store.DefaultDir(a.getenv)
		if err != nil {
			return nil, err
		}
		return a.track(store.Open(dir, a.storeOpts...))
	}
	defer a.closeStores()

	if a.opts.serve {
		return a.runServe(ctx) // the sandbox: serve.go
	}
	if a.opts.demo {
		cleanup, err := a.startDemo(ctx)
		if err != nil {
			return fmt.Errorf("--demo: %w", err)
		}
		defer cleanup()
	}
	if a.prompter == nil {
		a.prompter = a.newPrompter()
	}
	ps := registry.New(a.provOpts)
	if err := a.checkConfig(ps); err != nil {
		return err
	}
	a.providers = a.traceProviders(ps)
	if a.opts.provider != "" {
		p, ok := registry.Find(a.providers, a.opts.provider)
		if !ok {
			return a.usagef("cli.usage.unknown_provider", "name", clean(a.opts.provider), "choices", registry.List())
		}
		// Any letter case names the same provider.
		a.opts.provider = p.Domain()
	}

	switch {
	case a.opts.list:
		return a.runList(ctx)
	case a.opts.status:
		return a.runStatus(ctx)
	case a.opts.remove:
		return a.runRemove(ctx)
	case a.opts.token:
		return a.runToken(ctx)
	case a.opts.reauth:
		return a.runReauth(ctx)
	default:
		return a.runAdd(ctx)
	}
}

func (a *app) flagSet() *pflag.FlagSet {
	fs := pflag.NewFlagSet("setupwizard", pflag.ContinueOnError)
	fs.SetOutput(discard{})
	fs.SortFlags = false
	o := &a.opts
	fs.StringVar(&o.provider, "provider", "", "")
	fs.BoolVar(&o.reauth, "reauth", false, "")
	fs.StringVar(&o.account, "account", "", "")
	fs.BoolVar(&o.list, "list", false, "")
	fs.BoolVar(&o.status, "status", false, "")
	fs.BoolVar(&o.remove, "remove", false, "")
	fs.BoolVar(&o.token, "token", false, "")
	fs.BoolVar(&o.yes, "yes", false, "")
	fs.BoolVar(&o.demo, "demo", false, "")
	fs.BoolVar(&o.serve, "serve", false, "")
	fs.StringVarP(&o.username, "username", "u", "", "")
	fs.BoolVar(&o.passwordStdin, "password-stdin", false, "")
	fs.DurationVar(&o.timeout, "timeout", provider.DefaultTimeout, "")
	fs.StringVar(&o.debugFile, "debug", "", "")
	fs.BoolVar(&o.json, "json", false, "")
	fs.BoolVar(&o.accessible, "accessible", false, "")
	fs.BoolVar(&o.version, "version", false, "")
	fs.BoolVarP(&o.help, "help", "h", false, "")
	return fs
}

// parseError words pflag's errors in this run's language.
func (a *app) parseError(err error) error {
	var (
		notExist *pflag.NotExistError
		required *pflag.ValueRequiredError
		invalid  *pflag.InvalidValueError
	)
	switch {
	case errors.As(err, &notExist):
		return a.unknownFlag(flagSpelling(notExist.GetSpecifiedName(), notExist.GetSpecifiedShortnames()), notExist.GetSpecifiedName())
	case errors.As(err, &required):
		return a.usagef("cli.usage.flag_needs_value", "flag", flagSpelling(required.GetSpecifiedName(), required.GetSpecifiedShortnames()))
	case errors.As(err, &invalid):
		return a.usagef("cli.usage.flag_bad_value", "flag", "--"+invalid.GetFlag().Name, "value", clean(invalid.GetValue()))
	}
	return &usageError{msg: err.Error()}
}

// flagSpelling is a flag as the person typed it: within a group of
// shorthands ("-xv") it is that group.
func flagSpelling(name, shorthands string) string {
	if shorthands != "" {
		return "-" + clean(shorthands)
	}
	return "--" + clean(name)
}

// discard swallows pflag's own printing: errors go through report.
type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// track remembers an opened store so it is closed on exit.
func (a *app) track(st *store.Store, err error) (*store.Store, error) {
	if err == nil {
		a.stores = append(a.stores, st)
	}
	return st, err
}

// closeStores gives keyring calls that timed out, and the clean-up queued
// behind them, a moment to finish before the process exits: a keyring that
// answers late then still gets its stray items deleted. It never holds up
// an exit for long.
func (a *app) closeStores() {
	for _, st := range a.stores {
		ctx, cancel := context.WithTimeout(context.Background(), probeGrace)
		_ = st.Close(ctx)
		cancel()
	}
}

// version is the -ldflags version, else the module version go install
// records, else "dev".
func version() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// interactive reports whether a person drives this run.
func (a *app) interactive() bool { return !a.opts.passwordStdin && a.io.CanPrompt() }
