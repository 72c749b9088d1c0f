package librus

import (
	"context"
	"errors"
	"time"

	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

// errNotYet marks the parts of the provider contract still being built.
var errNotYet = errors.New("not implemented yet")

// Identity is a stub until identities are read from caches.
func (p *Provider) Identity(cache []byte) (string, error) { return "", nil }

// Token is a stub until --token lands.
func (p *Provider) Token(ctx context.Context, cache []byte, minValid time.Duration) (provider.Credential, []byte, error) {
	return provider.Credential{}, nil, errNotYet
}
