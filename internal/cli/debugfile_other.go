//go:build !unix

package cli

const (
	openNonblock = 0
	openNoFollow = 0
)
