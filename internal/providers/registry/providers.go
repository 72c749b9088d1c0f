package registry

import (
	"github.com/setupwizard/setupwizard/internal/providers/flameconnect"
	fcemu "github.com/setupwizard/setupwizard/internal/providers/flameconnect/emulator"
	"github.com/setupwizard/setupwizard/internal/providers/librus"
	libemu "github.com/setupwizard/setupwizard/internal/providers/librus/emulator"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

// The services this build offers, one registration each.
func init() {
	Register(Entry{
		Domain:        "flameconnect",
		New:           func(o provider.Options) provider.Provider { return flameconnect.New(o) },
		StartEmulator: fcemu.StartEmulator,
	})
	Register(Entry{
		Domain:        "librus",
		New:           func(o provider.Options) provider.Provider { return librus.New(o) },
		StartEmulator: libemu.StartEmulator,
	})
}
