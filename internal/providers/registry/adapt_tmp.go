package registry

// Temporary adapters until the emulators implement provider.Emulator
// themselves (branches lib and fc); deleted on that merge.

import (
	"errors"
	"time"

	"github.com/setupwizard/setupwizard/internal/loopback"
	fcemu "github.com/setupwizard/setupwizard/internal/providers/flameconnect/emulator"
	libemu "github.com/setupwizard/setupwizard/internal/providers/librus/emulator"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

type fcAdapter struct{ *fcemu.Emulator }

func startFlameConnect(ca *loopback.CA) (provider.Emulator, error) {
	e, err := fcemu.Start(ca)
	if err != nil {
		return nil, err
	}
	return fcAdapter{e}, nil
}

func (a fcAdapter) Env() map[string]string {
	return map[string]string{"SETUPWIZARD_FLAMECONNECT_AUTHORITY": a.Authority()}
}
func (a fcAdapter) Demo() (string, string)   { return fcemu.DemoEmail, fcemu.DemoPassword }
func (a fcAdapter) AddAccount(l, p string)   { a.AddUser(l, p) }
func (a fcAdapter) Expire()                  { a.Revoke(fcemu.DemoEmail) }
func (a fcAdapter) SetLatency(time.Duration) {}
func (a fcAdapter) Requests() int            { return len(a.Emulator.Requests()) }
func (a fcAdapter) CheckCredential(provider.Credential) error {
	return errors.New("not yet")
}
func (a fcAdapter) SetHang(on bool) {
	if on {
		a.SetFault(fcemu.FaultSlow)
	} else {
		a.SetFault(fcemu.FaultNone)
	}
}

type libAdapter struct{ *libemu.Emulator }

func startLibrus(ca *loopback.CA) (provider.Emulator, error) {
	e, err := libemu.Start(ca)
	if err != nil {
		return nil, err
	}
	return libAdapter{e}, nil
}

func (a libAdapter) Env() map[string]string {
	return map[string]string{"SETUPWIZARD_LIBRUS_API_URL": a.APIURL(), "SETUPWIZARD_LIBRUS_SYNERGIA_URL": a.SynergiaURL()}
}
func (a libAdapter) Demo() (string, string)   { return libemu.DemoLogin, libemu.DemoPassword }
func (a libAdapter) AddAccount(l, p string)   { a.AddUser(l, p, "Jan", "Nowak") }
func (a libAdapter) Expire()                  { a.ExpireSessions() }
func (a libAdapter) SetLatency(time.Duration) {}
func (a libAdapter) Requests() int            { return len(a.Emulator.Requests()) }
func (a libAdapter) CheckCredential(provider.Credential) error {
	return errors.New("not yet")
}
func (a libAdapter) SetHang(on bool) {
	if on {
		a.SetFault(libemu.FaultSlow)
	} else {
		a.SetFault(libemu.FaultNone)
	}
}
