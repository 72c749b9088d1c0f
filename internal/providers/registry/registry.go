// Package registry lists the services the wizard offers. Each service is
// one registration (its constructor and its emulator), made from an init
// function in this package, as rclone's backends register themselves; the
// command line, the demo, the tests and the benchmarks loop over it and
// never name a service. Adding a service is its package under
// internal/providers plus one Register call here.
package registry

import (
	"sort"
	"strings"
	"sync"

	"github.com/setupwizard/setupwizard/internal/loopback"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

// Entry is one registered service.
type Entry struct {
	// Domain is the provider's id, as Provider.Domain returns it.
	Domain string
	// New builds the provider; it does no I/O.
	New func(provider.Options) provider.Provider
	// StartEmulator serves a stand-in of the service over TLS on loopback
	// with a certificate from ca (the demo, tests, benchmarks).
	StartEmulator func(ca *loopback.CA) (provider.Emulator, error)
}

var (
	mu      sync.Mutex
	entries []Entry
)

// Register adds a service. It panics on a duplicate or incomplete entry:
// registrations run at init, so a mistake fails every test at once.
func Register(e Entry) {
	mu.Lock()
	defer mu.Unlock()
	if e.Domain == "" || e.New == nil || e.StartEmulator == nil {
		panic("registry: incomplete entry for " + e.Domain)
	}
	for _, o := range entries {
		if strings.EqualFold(o.Domain, e.Domain) {
			panic("registry: " + e.Domain + " registered twice")
		}
	}
	entries = append(entries, e)
	sort.Slice(entries, func(i, j int) bool { return entries[i].Domain < entries[j].Domain })
}

// All returns every registered service, sorted by domain.
func All() []Entry {
	mu.Lock()
	defer mu.Unlock()
	return append([]Entry(nil), entries...)
}

// Lookup finds a registered service by domain, in any letter case.
func Lookup(domain string) (Entry, bool) {
	for _, e := range All() {
		if strings.EqualFold(e.Domain, domain) {
			return e, true
		}
	}
	return Entry{}, false
}

// New builds every provider with the same network options, sorted by domain.
// Constructors do no I/O, so this costs nothing at start-up.
func New(opts provider.Options) []provider.Provider {
	all := All()
	ps := make([]provider.Provider, len(all))
	for i, e := range all {
		ps[i] = e.New(opts)
	}
	return ps
}

// Find returns the provider of ps with the given domain, in any letter case.
func Find(ps []provider.Provider, domain string) (provider.Provider, bool) {
	for _, p := range ps {
		if strings.EqualFold(p.Domain(), domain) {
			return p, true
		}
	}
	return nil, false
}

// Domains lists the registered domains, sorted.
func Domains() []string {
	all := All()
	out := make([]string, len(all))
	for i, e := range all {
		out[i] = e.Domain
	}
	return out
}

// List is Domains for a sentence: "one, two".
func List() string { return strings.Join(Domains(), ", ") }
