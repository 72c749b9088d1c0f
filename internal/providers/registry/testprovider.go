//go:build testprovider

package registry

import (
	"github.com/setupwizard/setupwizard/internal/providers/example"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

// A test-only third service (go test -tags testprovider): it proves that a
// service is this one registration, with nothing else naming it.
func init() {
	Register(Entry{
		Domain:        example.Domain,
		New:           func(o provider.Options) provider.Provider { return example.New(o) },
		StartEmulator: example.StartEmulator,
	})
}
