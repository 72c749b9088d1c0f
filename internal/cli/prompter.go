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
type Prompter interface {
	// RunFlow lets the user pick one of providers (when several) and drives
	// the flow newFlow builds until it finishes. ErrCancelled on esc/ctrl+c.
	RunFlow(ctx context.Context, providers []provider.Provider, newFlow func(provider.Provider) (*flow.Flow, error)) (flow.Result, error)
	// PickEntry asks which of items to use.
	PickEntry(ctx context.Context, items []string) (int, error)
	// Confirm asks a yes/no question.
	Confirm(ctx context.Context, question string) (bool, error)
}

// ErrCancelled is what a front end returns when the user pressed esc or ctrl+c.
var ErrCancelled = frontend.ErrCancelled

// frontEnd binds one of the two front-end packages to this run's options.
type frontEnd struct {
	opts    frontend.Options
	runFlow func(context.Context, frontend.Options, []provider.Provider, func(provider.Provider) (*flow.Flow, error)) (flow.Result, error)
	pick    func(context.Context, frontend.Options, []string) (int, error)
	confirm func(context.Context, frontend.Options, string) (bool, error)
}

func (f frontEnd) RunFlow(ctx context.Context, ps []provider.Provider, nf func(provider.Provider) (*flow.Flow, error)) (flow.Result, error) {
	return f.runFlow(ctx, f.opts, ps, nf)
}

func (f frontEnd) PickEntry(ctx context.Context, items []string) (int, error) {
	return f.pick(ctx, f.opts, items)
}

func (f frontEnd) Confirm(ctx context.Context, q string) (bool, error) {
	return f.confirm(ctx, f.opts, q)
}

// newPrompter picks the accessible line prompts for TERM=dumb or
// --accessible (as huh does), else the Bubble Tea program.
func (a *app) newPrompter() Prompter {
	opts := frontend.Options{In: a.io.In, Out: a.io.Out, Lang: a.lang, NoColor: a.getenv("NO_COLOR") != "", Notice: a.notice}
	if a.opts.accessible || a.getenv("TERM") == "dumb" {
		return frontEnd{opts: opts, runFlow: prompt.RunFlow, pick: prompt.PickEntry, confirm: prompt.Confirm}
	}
	return frontEnd{opts: opts, runFlow: ui.RunFlow, pick: ui.PickEntry, confirm: ui.Confirm}
}
