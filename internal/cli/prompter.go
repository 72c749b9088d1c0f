package cli

import (
	"context"

	"github.com/setupwizard/setupwizard/internal/flow"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
	"github.com/setupwizard/setupwizard/internal/ui"
	"github.com/setupwizard/setupwizard/internal/ui/frontend"
	"github.com/setupwizard/setupwizard/internal/ui/prompt"
)

// Prompter is the interactive front end: the Bubble Tea program, or plain
// line prompts in accessible mode. Command logic only sees this interface.
// Every method returns frontend.ErrCancelled when the person cancels.
type Prompter interface {
	// RunFlow lets the person pick one of providers (when several) and
	// drives the flow newFlow builds until it finishes.
	RunFlow(ctx context.Context, providers []provider.Provider, newFlow func(provider.Provider) (*flow.Flow, error)) (flow.Result, error)
	// PickAccount asks p's question and returns the index of the chosen
	// account in p.Accounts.
	PickAccount(ctx context.Context, p frontend.Pick) (int, error)
	// Confirm asks a yes/no question.
	Confirm(ctx context.Context, question string) (bool, error)
}

// frontEnd binds one of the two front-end packages to this run's options.
type frontEnd struct {
	a       *app
	opts    frontend.Options
	runFlow func(context.Context, frontend.Options, []provider.Provider, func(provider.Provider) (*flow.Flow, error)) (flow.Result, error)
	pick    func(context.Context, frontend.Options, frontend.Pick) (int, error)
	confirm func(context.Context, frontend.Options, string) (bool, error)
}

func (f frontEnd) RunFlow(ctx context.Context, ps []provider.Provider, nf func(provider.Provider) (*flow.Flow, error)) (flow.Result, error) {
	return f.runFlow(ctx, f.withNotice(), ps, nf)
}

func (f frontEnd) PickAccount(ctx context.Context, p frontend.Pick) (int, error) {
	return f.pick(ctx, f.withNotice(), p)
}

func (f frontEnd) Confirm(ctx context.Context, q string) (bool, error) {
	return f.confirm(ctx, f.withNotice(), q)
}

// withNotice picks up a notice set after the front end was chosen.
func (f frontEnd) withNotice() frontend.Options {
	o := f.opts
	o.Notice, o.NoticeBrief, o.Back = f.a.notice, f.a.noticeBrief, f.a.back
	if f.a.demo != nil && f.a.demo.shown != nil {
		o.Printed = f.a.demo.shown.printed
	}
	return o
}

// newPrompter picks the accessible line prompts for TERM=dumb or
// --accessible (as huh does), else the Bubble Tea program.
func (a *app) newPrompter() Prompter {
	opts := frontend.Options{In: a.io.In, Out: a.io.Out, Lang: a.lang, NoColor: a.getenv("NO_COLOR") != "", Notice: a.notice}
	if a.accessible() {
		return frontEnd{a: a, opts: opts, runFlow: prompt.RunFlow, pick: prompt.PickAccount, confirm: prompt.Confirm}
	}
	return frontEnd{a: a, opts: opts, runFlow: ui.RunFlow, pick: ui.PickAccount, confirm: ui.Confirm}
}
