package cli

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/zalando/go-keyring"

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
	a.openStore = func() (*store.Store, error) { return store.Open(dir, a.storeOpts...) }

	where := "the OS keyring (the demo's items are deleted when it ends)"
	if err := probeKeyring(3 * time.Second); err != nil {
		keyring.MockInit()
		where = fmt.Sprintf("a throwaway in-memory keyring, because the OS keyring did not answer (%v)", err)
	}
	fmt.Fprintf(a.io.ErrOut, `Demo mode: both services are emulated on this machine; nothing leaves it.
  flameconnect: e-mail %s, password %s
  librus:       login %s, password %s
  Any other password shows the invalid_auth error. Token caches go to %s.

`, fcemu.DemoEmail, fcemu.DemoPassword, libemu.DemoLogin, libemu.DemoPassword, where)

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

// probeKeyring writes, reads and deletes one item, bounded in time: a
// keyring that would open an unanswered prompt must not hang the demo.
func probeKeyring(timeout time.Duration) error {
	done := make(chan error, 1)
	go func() {
		const svc, user = "setupwizard:demo-probe", "probe"
		if err := keyring.Set(svc, user, "ok"); err != nil {
			done <- err
			return
		}
		_, err := keyring.Get(svc, user)
		_ = keyring.Delete(svc, user)
		done <- err
	}()
	select {
	case err := <-done:
		return err
	case <-time.After(timeout):
		return errors.New("no answer within " + timeout.String())
	}
}
