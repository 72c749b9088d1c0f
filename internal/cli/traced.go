package cli

import (
	"context"

	"github.com/setupwizard/setupwizard/internal/providers/provider"
	"github.com/setupwizard/setupwizard/internal/trace"
)

// tracedProvider registers the typed password with the --debug tracer for
// exactly the length of one validation, whichever front end collected it,
// so the trace redacts it in every spelling the requests use.
type tracedProvider struct {
	provider.Provider
	tracer *trace.Tracer
}

// Validate implements provider.Provider.
func (p tracedProvider) Validate(ctx context.Context, in provider.Input, progress provider.ProgressFunc) (*provider.Account, error) {
	for _, f := range p.Schema() {
		if f.Kind == provider.Password && in[f.Name] != "" {
			pw := in[f.Name]
			p.tracer.Secret(pw)
			defer p.tracer.Forget(pw)
		}
	}
	acct, err := p.Provider.Validate(ctx, in, progress)
	if err != nil {
		p.tracer.Note("%s: validation failed: %v", p.Domain(), err)
	}
	return acct, err
}

// traceProviders wraps ps when a tracer is on.
func traceProviders(ps []provider.Provider, t *trace.Tracer) []provider.Provider {
	if t == nil {
		return ps
	}
	out := make([]provider.Provider, len(ps))
	for i, p := range ps {
		out[i] = tracedProvider{Provider: p, tracer: t}
	}
	return out
}
