package cli

import (
	"context"
	"errors"
	"time"

	"github.com/setupwizard/setupwizard/internal/flow"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
	"github.com/setupwizard/setupwizard/internal/providers/registry"
	"github.com/setupwizard/setupwizard/internal/store"
	"github.com/setupwizard/setupwizard/internal/ui/frontend"
)

// noTerminal is the error for a sign-in that cannot prompt.
func (a *app) noTerminal() error {
	// This command line again, with what a script adds (printed.go).
	args := a.rerunArgs()
	if a.command() == cmdAdd {
		if !a.set["provider"] {
			args = append(args, "--provider", a.exampleProvider())
		}
		if !a.set["username"] {
			args = append(args, "--username", "LOGIN")
		}
	}
	args = append(args, "--password-stdin")
	return a.usagef("cli.no_terminal", "example", `echo "$PW" | `+a.printedCommand(args...))
}

// exampleProvider is the provider an example names: the chosen one, else
// the first registered.
func (a *app) exampleProvider() string {
	if a.opts.provider != "" {
		return a.opts.provider
	}
	if ds := registry.Domains(); len(ds) > 0 {
		return ds[0]
	}
	return "NAME"
}

func (a *app) runAdd(ctx context.Context) error {
	ps := a.providers
	if a.opts.provider != "" {
		p, _ := registry.Find(a.providers, a.opts.provider)
		ps = []provider.Provider{p}
	}
	if !a.interactive() {
		if !a.opts.passwordStdin {
			return a.noTerminal()
		}
		if len(ps) > 1 {
			return a.usagef("cli.usage.stdin_needs_provider", "choices", registry.List())
		}
	}
	st, err := a.openStore()
	if err != nil {
		return storeErr(a.T("cli.store.open"), err)
	}
	newFlow := func(p provider.Provider) *flow.Flow {
		f := flow.NewUser(p, st)
		f.Prefill(a.opts.username)
		return f
	}
	if a.interactive() {
		err := a.runInteractive(ctx, st, ps, newFlow)
		if err == nil && a.demo != nil {
			return a.demoLifecycle(ctx)
		}
		return err
	}
	return a.runScripted(ctx, st, newFlow(ps[0]), a.opts.username)
}

func (a *app) runReauth(ctx context.Context) error {
	if !a.interactive() && !a.opts.passwordStdin {
		return a.noTerminal()
	}
	st, err := a.openStore()
	if err != nil {
		return storeErr(a.T("cli.store.open"), err)
	}
	for {
		a.picked = 0
		e, err := a.selectEntry(ctx, st, "cli.reauth.which")
		if err != nil {
			return err
		}
		err = a.reauthEntry(ctx, st, e)
		if errors.Is(err, frontend.ErrBack) && a.picked > 0 {
			// esc on the form: back to the picker, on the same account.
			a.pickStart = a.picked
			continue
		}
		return err
	}
}

// reauthEntry runs the reauth of e; with a picker or the demo's menu
// before it, esc on the form returns frontend.ErrBack.
func (a *app) reauthEntry(ctx context.Context, st *store.Store, e store.Entry) error {
	p, found := registry.Find(a.providers, e.Domain)
	if !found {
		return a.failf("cli.entry.unknown_provider", "name", clean(e.Domain))
	}
	newFlow := func(provider.Provider) *flow.Flow {
		f := flow.NewReauth(p, st, e)
		f.Prefill(a.opts.username)
		return f
	}
	if a.interactive() {
		a.back = a.picked > 0 || a.demo != nil
		defer func() { a.back = false }()
		return a.runInteractive(ctx, st, []provider.Provider{p}, newFlow)
	}
	login := a.opts.username
	if login == "" {
		login = e.Login()
	}
	return a.runScripted(ctx, st, newFlow(p), login)
}

// accessible reports whether the plain line prompts are in use.
func (a *app) accessible() bool { return a.opts.accessible || a.getenv("TERM") == "dumb" }

// runInteractive hands the flow to the front end and maps its outcome.
// The keyring is probed while the person types: a keyring that cannot
// store the result ends the wizard at once (exit 3) rather than after a
// successful sign-in, and a desktop keyring gets to ask for unlocking early.
// Line prompts cannot be taken back once printed, so there the probe runs
// first and a failing keyring stops the run before any prompt.
func (a *app) runInteractive(ctx context.Context, st *store.Store, ps []provider.Provider, newFlow func(provider.Provider) *flow.Flow) error {
	if err := a.checkWritable(ctx, st); err != nil {
		return err
	}
	if a.accessible() {
		if err := st.Probe(ctx, ps[0].Domain()); err != nil {
			return storeErr(a.T("cli.store.probe"), err)
		}
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	probed := make(chan struct{})
	go func() {
		defer close(probed)
		if a.accessible() {
			return
		}
		if err := st.Probe(ctx, ps[0].Domain()); errors.Is(err, store.ErrKeyring) {
			cancel(err)
		}
	}()
	// Leaving mid-probe (ctrl+c in the first instant) would strand the
	// probe's item: give it a moment to delete it, but never hold up a
	// quit for long on a keyring that hangs.
	defer func() {
		select {
		case <-probed:
		case <-time.After(probeGrace):
		}
	}()
	res, err := a.prompter.RunFlow(ctx, ps, func(p provider.Provider) (*flow.Flow, error) { return newFlow(p), nil })
	if err != nil {
		// A failed probe shows as a cancel of the front end; say why.
		if cause := context.Cause(ctx); errors.Is(cause, store.ErrKeyring) {
			return storeErr(a.T("cli.store.probe"), cause)
		}
		return err
	}
	a.noteResult(res)
	return resultErr(res)
}

// checkWritable proves the entries index can be written before any
// request, so a read-only config dir never costs a sign-in.
func (a *app) checkWritable(ctx context.Context, st *store.Store) error {
	if err := st.CheckWritable(ctx); err != nil {
		return storeErr(a.T("cli.store.write"), err)
	}
	return nil
}

// noteResult puts a flow's end in the --debug trace. A failed validation's
// cause was traced already by tracedProvider, while the password was still
// registered for redaction; only an abort's cause is new here.
func (a *app) noteResult(res flow.Result) {
	if res.Type == flow.ResultAbort && res.Cause != nil {
		a.tracer.Note("flow finished: %s step=%s reason=%s cause=%v", res.Type, res.StepID, res.Reason, res.Cause)
		return
	}
	a.tracer.Note("flow finished: %s step=%s reason=%s errors=%v", res.Type, res.StepID, res.Reason, res.Errors)
}

// resultErr is a finished flow's outcome as a command result: success, or
// exit 1 with the outcome already shown.
func resultErr(res flow.Result) error {
	switch {
	case res.Type == flow.ResultCreateEntry:
		return nil
	case res.Type == flow.ResultAbort && res.Reason == flow.AbortReauthSuccessful:
		return nil
	default:
		return silent(ExitFlow)
	}
}

// runScripted is the docker-login-style mode: one submit, progress on
// stderr, the result on stdout.
func (a *app) runScripted(ctx context.Context, st *store.Store, f *flow.Flow, login string) error {
	p := f.Provider()
	if err := a.checkWritable(ctx, st); err != nil {
		return err
	}
	if err := st.Probe(ctx, p.Domain()); err != nil {
		return storeErr(a.T("cli.store.probe"), err)
	}
	cat, err := a.catalog(p.Domain())
	if err != nil {
		return err
	}
	pw, err := a.readPasswordStdin(ctx)
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.Is(err, errBadPasswordLine):
		return &usageError{msg: "--password-stdin: " + a.passwordLineText(err)}
	case err != nil:
		return withCode(ExitFlow, err)
	}
	in := p.Schema().Input(login, pw)
	text := frontend.Text{Cat: cat, Lang: a.lang}
	progress := func(pr provider.Progress) {
		if !a.opts.json {
			a.errf("%s...\n", text.Progress(pr))
		}
	}
	res, err := f.Submit(ctx, in, progress)
	clear(in)
	if err != nil {
		return err
	}
	a.noteResult(res)
	return a.printResult(p.Domain(), res, cat)
}

// probeGrace is how long a finished wizard waits for its keyring probe to
// clean up after itself.
const probeGrace = 3 * time.Second
