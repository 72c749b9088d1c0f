package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/setupwizard/setupwizard/internal/loopback"
	"github.com/setupwizard/setupwizard/internal/providers/registry"
	"github.com/setupwizard/setupwizard/internal/store"
	"github.com/setupwizard/setupwizard/internal/ui/frontend"
)

// demo is a running --demo: one emulator per registered service.
type demo struct {
	emulators registry.Emulators
	// shown counts the rows printed since the menu was last drawn, for
	// the menu to keep them in sight (frontend.Pick.Keep).
	shown *lineCounter
}

// startDemo starts every registered service's emulator on loopback, points
// the providers at them with a CA trusted for this run only, and uses a
// throwaway entries index. The OS keyring is used when it answers (and the
// demo's items are removed at the end); otherwise an in-memory keyring, and
// the person is told so in one line.
func (a *app) startDemo(ctx context.Context) (func(), error) {
	ca, err := loopback.NewCA()
	if err != nil {
		return nil, fmt.Errorf("demo CA: %w", err)
	}
	emus, err := registry.StartEmulators(ca)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "setupwizard-demo-")
	if err != nil {
		emus.Close()
		return nil, fmt.Errorf("demo config dir: %w", err)
	}
	a.demo = &demo{emulators: emus, shown: &lineCounter{width: a.io.OutWidth}}
	env := emus.Env()
	a.provOpts.RootCAs = ca.Pool
	a.provOpts.Getenv = func(k string) string {
		if v, ok := env[k]; ok {
			return v
		}
		return a.getenv(k)
	}
	a.openStore = func() (*store.Store, error) { return a.track(store.Open(dir, a.storeOpts...)) }

	where := a.T("cli.demo.os_keyring")
	probe, err := a.track(store.Open(dir, append(append([]store.Option(nil), a.storeOpts...), store.WithTimeout(3*time.Second))...))
	if err == nil {
		err = probe.Probe(ctx, "demo")
	}
	if err != nil {
		a.tracer.Note("demo: the OS keyring did not answer: %v", err)
		// This run's store only: go-keyring's global mock would race
		// with a probe call still in flight.
		a.storeOpts = append(a.storeOpts, store.WithKeyring(store.NewMemoryKeyring()))
		where = a.T("cli.demo.memory_keyring")
	}
	a.notice = a.demoNotice(where)
	if !a.accessible() {
		// The line prompts print the notice itself on the main screen:
		// a second banner would say the same twice.
		a.sayErr(a.T("cli.demo.started", "where", where))
	}

	return func() {
		if st, err := store.Open(dir, a.storeOpts...); err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), probeGrace)
			if es, err := st.Entries(ctx); err == nil {
				for _, e := range es {
					_ = st.Remove(ctx, e.ID)
				}
			}
			_ = st.Close(ctx)
			cancel()
		}
		emus.Close()
		_ = os.RemoveAll(dir)
	}, nil
}

// demoNotice is the line above every demo screen: each service's demo
// login and password.
func (a *app) demoNotice(where string) string {
	domains := make([]string, 0, len(a.demo.emulators))
	for d := range a.demo.emulators {
		domains = append(domains, d)
	}
	sort.Strings(domains)
	var creds []string
	a.noticeBrief = map[string]string{"": a.T("cli.demo.brief_any")}
	for _, d := range domains {
		login, pw := a.demo.emulators[d].Demo()
		creds = append(creds, "  "+a.T("cli.demo.credential", "service", a.displayName(d), "login", login, "password", pw))
		a.noticeBrief[d] = a.T("cli.demo.brief", "login", login, "password", pw)
	}
	return a.T("cli.demo.notice", "where", where) + "\n" + strings.Join(creds, "\n")
}

// demoSteps are the next steps the demo offers after a sign-in, so every
// command can be tried offline: each is a catalog key.
var demoSteps = []string{
	"cli.demo.step_status",
	"cli.demo.step_token",
	"cli.demo.step_expire",
	"cli.demo.step_reauth",
	"cli.demo.step_list",
	"cli.demo.step_remove",
	"cli.demo.step_quit",
}

// demoLifecycle lets a person try every command against the emulators
// after the demo sign-in: status, token, an expired sign-in and its
// reauth, list and remove. The menu is drawn inline, so each step's output
// stays in sight above it. It ends on quit or esc (exit 0), after remove,
// or on a cancel (ctrl+c anywhere, esc on a confirmation: exit 130); esc
// on a step's form returns to the menu.
func (a *app) demoLifecycle(ctx context.Context) error {
	menu := frontend.Pick{Question: a.T("cli.demo.next"), Menu: true}
	for _, k := range demoSteps {
		menu.Accounts = append(menu.Accounts, frontend.Account{Label: a.T(k)})
	}
	// Every line a step prints is counted (the front end reports its own
	// through Options.Printed), so the menu below it leaves it in sight.
	streams, shown := a.io, a.demo.shown
	counted := *streams
	counted.Out, counted.ErrOut = shown.wrap(streams.Out), shown.wrap(streams.ErrOut)
	a.io = &counted
	defer func() { a.io = streams }()
	for {
		menu.Keep = shown.take()
		i, err := a.prompter.PickAccount(ctx, menu)
		if errors.Is(err, frontend.ErrBack) {
			a.sayOut(a.T("cli.demo.ended"))
			return nil
		}
		if err != nil {
			return err
		}
		menu.Start = i + 1 // the cursor stays on the step just run
		var stepErr error
		switch demoSteps[i] {
		case "cli.demo.step_status":
			stepErr = a.runStatus(ctx)
		case "cli.demo.step_token":
			stepErr = a.runToken(ctx)
		case "cli.demo.step_expire":
			for _, e := range a.demo.emulators {
				e.Expire()
			}
			a.sayOut(a.T("cli.demo.expired"))
			stepErr = a.runStatus(ctx)
		case "cli.demo.step_reauth":
			stepErr = a.runReauth(ctx)
		case "cli.demo.step_list":
			stepErr = a.runList(ctx)
		case "cli.demo.step_remove":
			if stepErr = a.runRemove(ctx); stepErr == nil {
				a.sayOut(a.T("cli.demo.ended"))
				return nil
			}
		default:
			a.sayOut(a.T("cli.demo.ended"))
			return nil
		}
		switch {
		case stepErr == nil, errors.Is(stepErr, frontend.ErrBack):
			// Done, or esc on the step's form: the menu again.
		case errors.Is(stepErr, frontend.ErrCancelled), errors.Is(stepErr, context.Canceled):
			// ctrl+c (or esc on a confirmation) cancels the demo itself.
			return stepErr
		default:
			// A step's failure is part of the demo (an expired sign-in is
			// exit 4): show it and offer the next step.
			code := a.report(stepErr)
			if code == ExitKeyring {
				return silent(code)
			}
			a.sayOut(a.T("cli.demo.exit_code", "code", strconv.Itoa(code)))
		}
	}
}
