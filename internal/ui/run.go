package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/setupwizard/setupwizard/internal/flow"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
	"github.com/setupwizard/setupwizard/internal/ui/frontend"
	"golang.org/x/term"
)

// Options configures a session; shared with internal/ui/prompt so the
// command line can switch front ends.
type Options = frontend.Options

// ErrCancelled is returned on esc or ctrl+c (the same value as
// frontend.ErrCancelled and prompt.ErrCancelled).
var ErrCancelled = frontend.ErrCancelled

// ErrBack is returned on esc at the first screen when Options.Back is set
// (the same value as frontend.ErrBack).
var ErrBack = frontend.ErrBack

// RunFlow runs an add or reauth flow in the terminal: a provider picker
// when there is more than one provider, then the form, the validator and
// the final screen (left on the terminal: the caller need not print the
// result again). newFlow makes the flow for the chosen provider
// (flow.NewUser or flow.NewReauth with the caller's store).
//
// It returns the final create_entry or abort result; ErrCancelled when the
// person cancelled (nothing was saved); ErrBack when esc left the first
// screen and Options.Back is set; or the error of newFlow or of the
// store (Submit's error). Every Submit has returned before RunFlow returns,
// so nothing is written to the store afterwards. In the rare case where a
// cancel came too late to stop a commit, the committed result is returned
// rather than ErrCancelled.
func RunFlow(ctx context.Context, opts Options, providers []provider.Provider, newFlow func(provider.Provider) (*flow.Flow, error)) (flow.Result, error) {
	return runFlow(ctx, config{Options: opts}, providers, newFlow)
}

func runFlow(ctx context.Context, cfg config, providers []provider.Provider, newFlow func(provider.Provider) (*flow.Flow, error)) (flow.Result, error) {
	choices, err := loadChoices(cfg.Lang, providers)
	if err != nil {
		return flow.Result{}, err
	}
	r := newRunner(ctx)
	m, err := newModel(cfg, r, choices, newFlow)
	if err != nil {
		r.stop()
		return flow.Result{}, err
	}
	prog := tea.NewProgram(m, programOptions(ctx, cfg.Options)...)
	if cfg.onStart != nil {
		cfg.onStart(prog)
	}
	final, runErr := prog.Run()
	last := r.stop() // cancel and wait: no Submit outlives RunFlow
	fm, _ := final.(model)
	res, err := finish(fm, runErr, last)
	if runErr == nil && fm.cancelled && err == nil {
		// The cancel came after the engine had committed (a reauth's
		// reload, a slow keyring write): say what was saved, not
		// "nothing was saved".
		fm.res, fm.cancelled, fm.phase = res, false, phaseDone
	}
	if runErr == nil && fm.phase == phaseDone {
		printSummary(cfg.Options, fm.summary())
	}
	return res, err
}

// printSummary writes lines to the main screen once the program has left
// the alternate screen, with colours reduced to what Out supports.
func printSummary(opts Options, s string) {
	if s == "" {
		return
	}
	if opts.Printed != nil {
		opts.Printed(s)
	}
	out := opts.Out
	if out == nil {
		out = os.Stdout
	}
	w := &colorprofile.Writer{Forward: out, Profile: colorprofile.Ascii}
	if !opts.NoColor {
		w.Profile = colorprofile.Detect(out, os.Environ())
	}
	_, _ = io.WriteString(w, s+"\n")
}

func loadChoices(lang string, providers []provider.Provider) ([]choice, error) {
	if len(providers) == 0 {
		return nil, errors.New("ui: no provider to run")
	}
	choices := make([]choice, 0, len(providers))
	for _, p := range providers {
		cat, err := flow.Strings(p)
		if err != nil {
			return nil, fmt.Errorf("ui: %w", err)
		}
		choices = append(choices, choice{p: p, text: frontend.Text{Cat: cat, Lang: lang}})
	}
	return choices, nil
}

// finish turns the program's end into RunFlow's answer.
func finish(m model, runErr error, last outcome) (flow.Result, error) {
	committed := last.ok && last.err == nil && last.res.Type != flow.ResultForm
	switch {
	case runErr != nil:
		if committed {
			return last.res, nil
		}
		if errors.Is(runErr, tea.ErrInterrupted) || errors.Is(runErr, context.Canceled) || errors.Is(runErr, context.DeadlineExceeded) {
			return flow.Result{}, fmt.Errorf("%w: %w", ErrCancelled, runErr)
		}
		return flow.Result{}, fmt.Errorf("ui: %w", runErr)
	case m.fatal != nil:
		return flow.Result{}, m.fatal
	case m.cancelled:
		if committed {
			return last.res, nil
		}
		if m.back {
			return flow.Result{}, ErrBack
		}
		return flow.Result{}, ErrCancelled
	case m.phase == phaseDone:
		return m.res, nil
	}
	return flow.Result{}, ErrCancelled
}

// programOptions maps Options onto Bubble Tea. Nothing here queries the
// terminal: the first frame is drawn without waiting for any reply.
func programOptions(ctx context.Context, opts Options) []tea.ProgramOption {
	// Bubble Tea draws on its frame ticker, so the first frame waits one
	// tick: 120 fps (its maximum) halves that wait (about 17 -> 9 ms); an
	// unchanged view costs a comparison per tick.
	o := []tea.ProgramOption{tea.WithContext(ctx), tea.WithFPS(120)}
	if in := opts.In; in != nil {
		o = append(o, tea.WithInput(guardInput(in)))
	} else if term.IsTerminal(int(os.Stdin.Fd())) {
		o = append(o, tea.WithInput(guardInput(os.Stdin)))
	}
	if opts.Out != nil {
		o = append(o, tea.WithOutput(opts.Out))
	}
	if opts.Width > 0 || opts.Height > 0 {
		w, h := opts.Width, opts.Height
		if w <= 0 {
			w = defaultWidth
		}
		if h <= 0 {
			h = 24
		}
		o = append(o, tea.WithWindowSize(w, h))
	}
	if opts.NoColor {
		o = append(o, tea.WithColorProfile(colorprofile.Ascii))
	}
	return o
}
