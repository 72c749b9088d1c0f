package librus

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/setupwizard/setupwizard/internal/loopback"
	"github.com/setupwizard/setupwizard/internal/providers/librus/emulator"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

// testTimeout is the per-request timeout in tests: long enough for a
// loaded CI machine, short enough that the slow fault ends quickly.
const testTimeout = 10 * time.Second

type rig struct {
	ca *loopback.CA
	em *emulator.Emulator
	p  *Provider
}

// newRig starts an emulator and a Provider pointed at it through the
// documented environment variables.
func newRig(t testing.TB) *rig {
	t.Helper()
	ca, err := loopback.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	em, err := emulator.Start(ca)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = em.Close() })
	r := &rig{ca: ca, em: em}
	r.p = New(r.options(testTimeout))
	return r
}

func (r *rig) options(timeout time.Duration) provider.Options {
	env := map[string]string{EnvAPIURL: r.em.APIURL(), EnvSynergiaURL: r.em.SynergiaURL()}
	return provider.Options{
		Timeout: timeout,
		RootCAs: r.ca.Pool,
		Getenv:  func(k string) string { return env[k] },
	}
}

func demoInput() provider.Input {
	return provider.Input{FieldUsername: emulator.DemoLogin, FieldPassword: emulator.DemoPassword}
}

func (r *rig) validate(t testing.TB, in provider.Input) (*provider.Account, error) {
	t.Helper()
	return r.p.Validate(context.Background(), in, nil)
}

// errKey is the config-flow key of err ("" when it is not a *provider.Error).
func errKey(err error) string {
	var pe *provider.Error
	if errors.As(err, &pe) {
		return pe.Key
	}
	return ""
}

func providersDefaults() provider.Options {
	return provider.Options{Getenv: func(string) string { return "" }}
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
