package registry

import (
	"fmt"

	"github.com/setupwizard/setupwizard/internal/loopback"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

// Emulators are running emulators, one per registered service, by domain.
type Emulators map[string]provider.Emulator

// StartEmulators starts every registered service's emulator with
// certificates from ca (the demo, tests, benchmarks). When one fails to
// start, those already started are stopped.
func StartEmulators(ca *loopback.CA) (Emulators, error) {
	es := Emulators{}
	for _, r := range All() {
		e, err := r.StartEmulator(ca)
		if err != nil {
			es.Close()
			return nil, fmt.Errorf("start the %s emulator: %w", r.Domain, err)
		}
		es[r.Domain] = e
	}
	return es, nil
}

// Env is every emulator's SETUPWIZARD_* overrides in one map: the
// environment that points every provider at its emulator.
func (es Emulators) Env() map[string]string {
	env := map[string]string{}
	for _, e := range es {
		for k, v := range e.Env() {
			env[k] = v
		}
	}
	return env
}

// Close stops every emulator (a stopped one may be stopped again).
func (es Emulators) Close() {
	for _, e := range es {
		_ = e.Close()
	}
}
