package cli

import (
	"context"
	"errors"
	"slices"

	"github.com/setupwizard/setupwizard/internal/providers/provider"
	"github.com/setupwizard/setupwizard/internal/trace"
	"github.com/setupwizard/setupwizard/internal/ui/frontend"
)

// tracedProvider registers the typed password with the --debug tracer for
// exactly the length of one validation, whichever front end collected it,
// so the trace redacts it in every spelling the requests use.
type tracedProvider struct {
	provider.Provider
	tracer *trace.Tracer
	// reportable records a failure that asks for a trace (app.noteReportable).
	reportable func(error)
}

// Validate implements provider.Provider.
func (p tracedProvider) Validate(ctx context.Context, in provider.Input, progress provider.ProgressFunc) (*provider.Account, error) {
	for _, f := range p.Schema() {
		if f.Kind == provider.Password && in[f.Name] != "" {
			pw := in[f.Name]
			p.tracer.Secret(pw)
			defer p.tracer.Forget(pw)
			// A Basic Authorization value (or a server echoing one) is
			// base64 of login:password, which holds no spelling of the
			// password alone: register each login's pair too.
			for _, g := range p.Schema() {
				if g.Kind != provider.Password && in[g.Name] != "" {
					pair := in[g.Name] + ":" + pw
					p.tracer.Secret(pair)
					defer p.tracer.Forget(pair)
				}
			}
		}
	}
	acct, err := p.Provider.Validate(ctx, in, progress)
	if err != nil {
		p.tracer.Note("%s: validation failed: %v", p.Domain(), err)
		if ctx.Err() == nil {
			p.reportable(err)
		}
	}
	return acct, err
}

// traceProviders wraps ps when a tracer is on.
func (a *app) traceProviders(ps []provider.Provider) []provider.Provider {
	if a.tracer == nil {
		return ps
	}
	out := make([]provider.Provider, len(ps))
	for i, p := range ps {
		out[i] = tracedProvider{Provider: p, tracer: a.tracer, reportable: a.noteReportable}
	}
	return out
}

// noteReportable remembers that a failure the person can only report
// (one of frontend.TraceKeys: a changed service, an unknown error) was
// shown. The front ends then ask to run again with --debug; when this run
// writes a trace already, run says where it is when it ends.
func (a *app) noteReportable(err error) {
	var pe *provider.Error
	if !errors.As(err, &pe) || slices.Contains(frontend.TraceKeys, pe.Key) {
		// Any other error is shown as unknown.
		a.reportable.Store(true)
	}
}

// noteReportableKey is noteReportable for an error key already chosen.
func (a *app) noteReportableKey(key string) {
	if slices.Contains(frontend.TraceKeys, key) {
		a.reportable.Store(true)
	}
}
