package ui

import (
	"context"
	"sync"

	tea "charm.land/bubbletea/v2"
	"github.com/setupwizard/setupwizard/internal/flow"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

// runner owns every flow.Submit goroutine of one program. Its context is
// the parent of each submission's, so cancelling it stops them all; wait
// lets RunFlow return only once no Submit can still write to the store.
type runner struct {
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	nextID int

	mu   sync.Mutex
	last outcome // the most recent Submit's outcome, read after the program ends
}

func newRunner(parent context.Context) *runner {
	ctx, cancel := context.WithCancel(parent)
	return &runner{ctx: ctx, cancel: cancel}
}

// stop cancels every in-flight Submit and waits for each to return.
func (r *runner) stop() outcome {
	r.cancel()
	r.wg.Wait()
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.last
}

// outcome is what flow.Submit returned.
type outcome struct {
	res flow.Result
	err error
	ok  bool // a Submit finished
}

// submission is one running flow.Submit. Progress reports and the outcome
// travel over channels that the model reads with a Cmd, so the validator
// goroutine never touches the model (race-free) and never blocks on it.
type submission struct {
	id       int
	cancel   context.CancelFunc
	progress chan provider.Progress
	done     chan outcome
}

// Messages a submission delivers to the model.
type (
	progressMsg struct {
		id int
		p  provider.Progress
	}
	doneMsg struct {
		id int
		o  outcome
	}
)

// start runs f.Submit(in) in the background. It takes ownership of in and
// clears it once Submit returns (Submit keeps no copy either).
func (r *runner) start(f *flow.Flow, in provider.Input) *submission {
	ctx, cancel := context.WithCancel(r.ctx)
	r.nextID++
	s := &submission{
		id:       r.nextID,
		cancel:   cancel,
		progress: make(chan provider.Progress, 16),
		done:     make(chan outcome, 1),
	}
	report := func(p provider.Progress) {
		// ProgressFunc must not block: a report the model has not yet
		// read is dropped rather than stall the validator.
		select {
		case s.progress <- p:
		default:
		}
	}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		defer cancel()
		res, err := f.Submit(ctx, in, report)
		clear(in)
		o := outcome{res: res, err: err, ok: true}
		r.mu.Lock()
		r.last = o
		r.mu.Unlock()
		s.done <- o // buffered: never blocks, even after the program ended
	}()
	return s
}

// next is the Cmd that delivers the submission's next progress report or
// its outcome.
func (s *submission) next() tea.Cmd {
	return func() tea.Msg {
		select {
		case p := <-s.progress:
			return progressMsg{id: s.id, p: p}
		case o := <-s.done:
			return doneMsg{id: s.id, o: o}
		}
	}
}
