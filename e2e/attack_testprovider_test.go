//go:build testprovider

package e2e

import "github.com/setupwizard/setupwizard/internal/providers/example"

// In the -tags testprovider pass the crash and stall tests attack only the
// test-only service: the first pass attacked the others.
func init() { testOnlyDomain = example.Domain }
