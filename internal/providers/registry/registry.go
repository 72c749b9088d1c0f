// Package registry lists the providers the wizard offers. Adding a service
// is one line here plus its package under internal/providers.
package registry

import (
	"sort"

	"github.com/setupwizard/setupwizard/internal/providers/flameconnect"
	"github.com/setupwizard/setupwizard/internal/providers/librus"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

// New builds every provider with the same network options, sorted by domain.
// Constructors do no I/O, so this costs nothing at start-up.
func New(opts provider.Options) []provider.Provider {
	ps := []provider.Provider{
		flameconnect.New(opts),
		librus.New(opts),
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i].Domain() < ps[j].Domain() })
	return ps
}

// Find returns the provider with the given domain.
func Find(ps []provider.Provider, domain string) (provider.Provider, bool) {
	for _, p := range ps {
		if p.Domain() == domain {
			return p, true
		}
	}
	return nil, false
}

// Domains lists the domains of ps.
func Domains(ps []provider.Provider) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Domain()
	}
	return out
}
