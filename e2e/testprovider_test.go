//go:build testprovider

package e2e

// With -tags testprovider the binary registers the test-only service too.
func init() { buildTags = "testprovider" }
