package registry_test

import (
	"testing"

	"github.com/setupwizard/setupwizard/internal/flow"
	"github.com/setupwizard/setupwizard/internal/loopback"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
	"github.com/setupwizard/setupwizard/internal/providers/registry"
)

// Home Assistant's rule, for every registered provider: every key it can
// return has a string in every language it ships, and no string uses a
// placeholder its step does not provide.
func TestEveryProviderHasCompleteStrings(t *testing.T) {
	for _, p := range registry.New(provider.Options{}) {
		t.Run(p.Domain(), func(t *testing.T) {
			for _, err := range flow.CheckStrings(p) {
				t.Error(err)
			}
		})
	}
}

func TestFind(t *testing.T) {
	ps := registry.New(provider.Options{})
	for _, d := range []string{"flameconnect", "librus"} {
		if p, ok := registry.Find(ps, d); !ok || p.Domain() != d {
			t.Errorf("Find(%s) = %v, %v", d, p, ok)
		}
	}
	if _, ok := registry.Find(ps, "nope"); ok {
		t.Error("Find(nope) succeeded")
	}
}

// TestStartEmulators: every registered service gets a running emulator
// that reports held requests, and Env points every provider at one.
func TestStartEmulators(t *testing.T) {
	ca, err := loopback.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	emus, err := registry.StartEmulators(ca)
	if err != nil {
		t.Fatal(err)
	}
	defer emus.Close()
	env := emus.Env()
	for _, d := range registry.Domains() {
		e, ok := emus[d]
		if !ok {
			t.Fatalf("no emulator for %s", d)
		}
		if len(e.Env()) == 0 {
			t.Errorf("%s: the emulator names no override", d)
		}
		for k, v := range e.Env() {
			if env[k] != v {
				t.Errorf("Env()[%s] = %q, want %s's %q", k, env[k], d, v)
			}
		}
	}
	if len(emus) != len(registry.Domains()) {
		t.Errorf("%d emulators for %d services", len(emus), len(registry.Domains()))
	}
}
