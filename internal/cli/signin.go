package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/setupwizard/setupwizard/internal/flow"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
	"github.com/setupwizard/setupwizard/internal/providers/registry"
	"github.com/setupwizard/setupwizard/internal/store"
	"github.com/setupwizard/setupwizard/internal/ui/frontend"
)

// errNoTerminal is the message for a sign-in that cannot prompt.
const errNoTerminal = "no terminal to prompt on: to sign in from a script, pass -u LOGIN and the password on standard input with --password-stdin (e.g. echo \"$PW\" | setupwizard --provider librus -u LOGIN --password-stdin)"

func (a *app) runAdd(ctx context.Context) int {
	ps := a.providers
	if a.opts.provider != "" {
		p, _ := registry.Find(a.providers, a.opts.provider)
		ps = []provider.Provider{p}
	}
	if !a.interactive() {
		if !a.opts.passwordStdin {
			return a.fail(ExitUsage, errNoTerminal)
		}
		if len(ps) > 1 {
			return a.usageErr("--password-stdin needs --provider (one of: %s)", strings.Join(registry.Domains(ps), ", "))
		}
	}
	st, err := a.openStore()
	if err != nil {
		return a.storeErr("open entries", err)
	}
	newFlow := func(p provider.Provider) (*flow.Flow, error) {
		f := flow.NewUser(p, st)
		f.Prefill(a.opts.username)
		return f, nil
	}
	if a.interactive() {
		return a.runInteractive(ctx, st, ps, newFlow)
	}
	f, _ := newFlow(ps[0])
	return a.runScripted(ctx, st, f, a.opts.username)
}

func (a *app) runReauth(ctx context.Context) int {
	if !a.interactive() && !a.opts.passwordStdin {
		return a.fail(ExitUsage, errNoTerminal)
	}
	st, err := a.openStore()
	if err != nil {
		return a.storeErr("open entries", err)
	}
	e, code, ok := a.selectEntry(ctx, st, "Which account do you want to sign in again?")
	if !ok {
		return code
	}
	p, found := registry.Find(a.providers, e.Domain)
	if !found {
		fmt.Fprintf(a.io.ErrOut, "setupwizard: entry %s belongs to provider %q, which this version does not know\n", e.UniqueID, e.Domain)
		return ExitFlow
	}
	newFlow := func(provider.Provider) (*flow.Flow, error) {
		f := flow.NewReauth(p, st, e)
		f.Prefill(a.opts.username)
		return f, nil
	}
	if a.interactive() {
		return a.runInteractive(ctx, st, []provider.Provider{p}, newFlow)
	}
	login := a.opts.username
	if login == "" {
		login = e.Login()
	}
	f, _ := newFlow(p)
	return a.runScripted(ctx, st, f, login)
}

// runInteractive hands the flow to the front end and maps its outcome.
// The keyring is probed while the person types: a keyring that cannot
// store the result ends the wizard at once (exit 3) rather than after a
// successful sign-in, and a desktop keyring gets to ask for unlocking early.
func (a *app) runInteractive(ctx context.Context, st *store.Store, ps []provider.Provider, newFlow func(provider.Provider) (*flow.Flow, error)) int {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	probed := make(chan struct{})
	go func() {
		defer close(probed)
		if err := st.Probe(ps[0].Domain()); errors.Is(err, store.ErrKeyring) {
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
	res, err := a.prompter.RunFlow(ctx, ps, newFlow)
	if err != nil {
		// A failed probe shows as a cancel of the front end; say why.
		if cause := context.Cause(ctx); errors.Is(cause, store.ErrKeyring) {
			return a.storeErr("the keyring cannot store the sign-in", cause)
		}
		return a.flowErr(err)
	}
	a.noteResult(res)
	return resultCode(res)
}

// flowErr maps an error that ended a flow to an exit code.
func (a *app) flowErr(err error) int {
	switch {
	case errors.Is(err, ErrCancelled), errors.Is(err, context.Canceled):
		// The front ends say it on screen themselves.
		if !a.interactive() {
			a.fail(ExitCancelled, "cancelled; nothing was saved")
		}
		return ExitCancelled
	case errors.Is(err, store.ErrKeyring):
		return a.storeErr("keyring", err)
	default:
		return a.fail(ExitFlow, err.Error())
	}
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

func resultCode(res flow.Result) int {
	switch {
	case res.Type == flow.ResultCreateEntry:
		return ExitOK
	case res.Type == flow.ResultAbort && res.Reason == flow.AbortReauthSuccessful:
		return ExitOK
	default:
		return ExitFlow
	}
}

// runScripted is the docker-login-style mode: one submit, progress on
// stderr, the result on stdout, DESIGN.md's exit codes.
func (a *app) runScripted(ctx context.Context, st *store.Store, f *flow.Flow, login string) int {
	p := f.Provider()
	if err := st.Probe(p.Domain()); err != nil {
		return a.storeErr("the keyring cannot store the sign-in", err)
	}
	cat, err := flow.Strings(p)
	if err != nil {
		fmt.Fprintf(a.io.ErrOut, "setupwizard: %v\n", err)
		return ExitFlow
	}
	pw, err := readPasswordCtx(ctx, a.io.In)
	switch {
	case ctx.Err() != nil:
		return a.flowErr(ctx.Err())
	case errors.Is(err, errBadPasswordLine):
		return a.usageErr("--password-stdin: %v", err)
	case err != nil:
		return a.fail(ExitFlow, "--password-stdin: "+err.Error())
	}
	in := provider.Input{}
	for _, fld := range p.Schema() {
		if fld.Kind == provider.Password {
			in[fld.Name] = pw
		} else if fld.Name == p.Schema().Login() {
			in[fld.Name] = login
		}
	}
	text := frontend.Text{Cat: cat, Lang: a.lang}
	progress := func(pr provider.Progress) {
		if !a.opts.json {
			fmt.Fprintf(a.io.ErrOut, "%s...\n", text.Progress(pr))
		}
	}
	res, err := f.Submit(ctx, in, progress)
	clear(in)
	if err != nil {
		return a.flowErr(err)
	}
	a.noteResult(res)
	a.printResult(p.Domain(), res, cat)
	return resultCode(res)
}

// probeGrace is how long a finished wizard waits for its keyring probe to
// clean up after itself.
const probeGrace = 3 * time.Second

// maxPasswordLine bounds what --password-stdin reads, so a wrong file piped
// in is refused instead of slurped.
const maxPasswordLine = flow.MaxFieldBytes

// errBadPasswordLine marks what the user piped in wrong (exit 2), as
// opposed to a failing read (exit 1).
var errBadPasswordLine = errors.New("bad password line")

// readPasswordCtx is readPassword that gives up when ctx ends: ctrl+c while
// a script has not yet written the password must still exit 130. The
// abandoned read ends with the process.
func readPasswordCtx(ctx context.Context, r io.Reader) (string, error) {
	type line struct {
		pw  string
		err error
	}
	ch := make(chan line, 1)
	go func() {
		pw, err := readPassword(r)
		ch <- line{pw, err}
	}()
	select {
	case l := <-ch:
		return l.pw, l.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// readPassword reads one line: the trailing newline (and a CR before it) is
// stripped; an empty or oversized line is refused. Nothing else is trimmed:
// spaces can be part of a password.
func readPassword(r io.Reader) (string, error) {
	br := bufio.NewReaderSize(io.LimitReader(r, maxPasswordLine+3), maxPasswordLine+3)
	line, err := br.ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read standard input: %w", err)
	}
	if !strings.HasSuffix(line, "\n") && len(line) > maxPasswordLine {
		return "", fmt.Errorf("%w: the password line is longer than %d bytes", errBadPasswordLine, maxPasswordLine)
	}
	line = strings.TrimSuffix(line, "\n")
	line = strings.TrimSuffix(line, "\r")
	if len(line) > maxPasswordLine {
		return "", fmt.Errorf("%w: the password line is longer than %d bytes", errBadPasswordLine, maxPasswordLine)
	}
	if line == "" {
		return "", fmt.Errorf("%w: standard input held no password (an empty line or nothing)", errBadPasswordLine)
	}
	return line, nil
}
