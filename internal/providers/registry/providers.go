package registry

import (
	"github.com/setupwizard/setupwizard/internal/loopback"
	"github.com/setupwizard/setupwizard/internal/providers/flameconnect"
	"github.com/setupwizard/setupwizard/internal/providers/librus"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

// The services this build offers, one registration each.
func init() {
	Register(Entry{
		Domain:        "flameconnect",
		New:           func(o provider.Options) provider.Provider { return flameconnect.New(o) },
		StartEmulator: func(ca *loopback.CA) (provider.Emulator, error) { return startFlameConnect(ca) },
	})
	Register(Entry{
		Domain:        "librus",
		New:           func(o provider.Options) provider.Provider { return librus.New(o) },
		StartEmulator: func(ca *loopback.CA) (provider.Emulator, error) { return startLibrus(ca) },
	})
}
