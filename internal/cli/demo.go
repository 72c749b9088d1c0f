package cli

import (
	"fmt"
	"os"
	"time"

	"github.com/setupwizard/setupwizard/internal/loopback"
	fcemu "github.com/setupwizard/setupwizard/internal/providers/flameconnect/emulator"
	libemu "github.com/setupwizard/setupwizard/internal/providers/librus/emulator"
	"github.com/setupwizard/setupwizard/internal/store"
)

// startDemo starts both emulators on loopback, points the providers at them
// with a CA trusted for this run only, and uses a throwaway entries index.
// The OS keyring is used when it answers (and the demo's items are removed
// at the end); otherwise an in-memory keyring, and the user is told which.
func (a *app) startDemo() (func(), error) {
	ca, err := loopback.NewCA()
	if err != nil {
		return nil, err
	}
	fc, err := fcemu.Start(ca)
	if err != nil {
		return nil, fmt.Errorf("start the FlameConnect emulator: %w", err)
	}
	lb, err := libemu.Start(ca)
	if err != nil {
		fc.Close()
		return nil, fmt.Errorf("start the Librus emulator: %w", err)
	}
	dir, err := os.MkdirTemp("", "setupwizard-demo-")
	if err != nil {
		fc.Close()
		lb.Close()
		return nil, err
	}
	env := map[string]string{
		"SETUPWIZARD_FLAMECONNECT_AUTHORITY": fc.Authority(),
		"SETUPWIZARD_LIBRUS_API_URL":         lb.APIURL(),
		"SETUPWIZARD_LIBRUS_SYNERGIA_URL":    lb.SynergiaURL(),
	}
	a.provOpts.RootCAs = ca.Pool
	a.provOpts.Getenv = func(k string) string {
		if v, ok := env[k]; ok {
			return v
		}
		return a.getenv(k)
	}
	a.openStore = func() (*store.Store, error) { return a.track(store.Open(dir, a.storeOpts...)) }

	where := "the OS keyring (the demo's items are deleted when it ends)"
	short := "OS keyring"
	probe, err := a.track(store.Open(dir, append(append([]store.Option(nil), a.storeOpts...), store.WithTimeout(3*time.Second))...))
	if err == nil {
		err = probe.Probe("demo")
	}
	if err != nil {
		// This run's store only: go-keyring's global mock would race
		// with a probe call still in flight.
		a.storeOpts = append(a.storeOpts, store.WithKeyring(store.NewMemoryKeyring()))
		where = fmt.Sprintf("a throwaway in-memory keyring, because the OS keyring did not answer (%v)", err)
		short = "in-memory (the OS keyring did not answer)"
	}
	a.notice = fmt.Sprintf("Demo: both services are emulated on this machine. flameconnect: %s / %s; librus: %s / %s. Any other password shows invalid_auth. Token caches: %s.",
		fcemu.DemoEmail, fcemu.DemoPassword, libemu.DemoLogin, libemu.DemoPassword, short)
	fmt.Fprintf(a.io.ErrOut, "Demo mode: token caches go to %s.\n", where)

	return func() {
		if st, err := store.Open(dir, a.storeOpts...); err == nil {
			if es, err := st.Entries(); err == nil {
				for _, e := range es {
					_ = st.Remove(e.ID)
				}
			}
		}
		fc.Close()
		lb.Close()
		_ = os.RemoveAll(dir)
	}, nil
}
