package main

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/setupwizard/setupwizard/bench/internal/benchkit"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
	"github.com/setupwizard/setupwizard/internal/providers/registry"
)

// validateTimeout bounds one sign-in: a failure bound, not a measurement.
const validateTimeout = 30 * time.Second

// series is one provider at one latency: the median sign-in and what one
// sign-in costs on the wire.
type series struct {
	domain     string
	latency    time.Duration
	runs       int
	median     time.Duration
	min, max   time.Duration
	requests   int // per sign-in, from the transport
	server     int // per sign-in, as the emulator recorded them
	conns      int // new connections per sign-in
	handshakes int // TLS handshakes per sign-in
	cacheBytes int
	log        []string // the requests of the last run
}

// newProvider builds domain's provider against the emulators with p as
// its transport wrapper: exactly what the command line builds, with the
// emulator CA as RootCAs.
func newProvider(domain string, emus *benchkit.Emulators, p *probe) provider.Provider {
	vars := emus.Vars()
	opts := provider.Options{
		Timeout: validateTimeout,
		Wrap:    p.wrap,
		RootCAs: emus.CA.Pool,
		Getenv:  func(k string) string { return vars[k] },
	}
	r, _ := registry.Lookup(domain)
	return r.New(opts)
}

// hostNames labels the emulators' hosts in request logs.
func hostNames(emus *benchkit.Emulators) map[string]string {
	names := map[string]string{}
	for name, raw := range emus.Vars() {
		if u, err := url.Parse(raw); err == nil {
			names[u.Host] = strings.ToLower(strings.TrimPrefix(name, "SETUPWIZARD_"))
		}
	}
	return names
}

// measureValidate signs in runs times (after one unmeasured warm-up) and
// checks every run costs the same number of requests.
func measureValidate(domain string, emus *benchkit.Emulators, latency time.Duration, runs int) (series, error) {
	pr := &probe{latency: latency, names: hostNames(emus)}
	prov := newProvider(domain, emus, pr)
	s := series{domain: domain, latency: latency, runs: runs}
	var ds []time.Duration
	for i := -1; i < runs; i++ {
		pr.reset()
		emus.ResetRequests()
		d, n, err := validateOnce(prov, emus)
		if err != nil {
			return s, fmt.Errorf("%s sign-in at %v latency: %w", domain, latency, err)
		}
		reqs, conns, hs := pr.counts()
		if i < 0 {
			s.requests, s.conns, s.handshakes, s.cacheBytes = len(reqs), conns, hs, n
			s.server = emus.Requests(domain)
			continue
		}
		if len(reqs) != s.requests || conns != s.conns || emus.Requests(domain) != s.server {
			return s, fmt.Errorf("%s: run %d made %d requests on %d connections (%d at the server), the warm-up %d on %d (%d)",
				domain, i+1, len(reqs), conns, emus.Requests(domain), s.requests, s.conns, s.server)
		}
		s.log = reqs
		ds = append(ds, d)
	}
	s.median = benchkit.Median(ds)
	s.min, s.max = ds[0], ds[len(ds)-1]
	return s, nil
}

// validateOnce is one full sign-in with the demo account; it returns the
// wall time and the size of the token cache it produced.
func validateOnce(p provider.Provider, emus *benchkit.Emulators) (time.Duration, int, error) {
	login, password := emus.Login(p.Domain())
	in := p.Schema().Input(login, password)
	ctx, cancel := context.WithTimeout(context.Background(), validateTimeout)
	defer cancel()
	start := time.Now()
	acct, err := p.Validate(ctx, in, nil)
	d := time.Since(start)
	if err != nil {
		return 0, 0, err
	}
	return d, len(acct.Cache), nil
}
