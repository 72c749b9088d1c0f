package provider

import (
	"bytes"
	"context"
)

type priorCacheKey struct{}

// prior is what a reauth hands its validation: the entry's unique id and
// its token cache.
type prior struct {
	uniqueID string
	cache    []byte
}

// WithPriorCache returns ctx carrying the token cache of the entry a
// reauth renews, with the entry's unique id, so Validate may reuse what a
// browser would keep across sign-ins (a device cookie) without reusing the
// session itself. It rides on the context rather than the Validate
// signature so that providers and their wrappers that have no use for it
// stay as they are.
func WithPriorCache(ctx context.Context, uniqueID string, cache []byte) context.Context {
	if len(cache) == 0 {
		return ctx
	}
	return context.WithValue(ctx, priorCacheKey{}, prior{uniqueID: uniqueID, cache: bytes.Clone(cache)})
}

// PriorCache is the cache WithPriorCache put in ctx, nil when there is
// none (an add, or a reauth whose old cache could not be read). Callers
// must not modify it.
func PriorCache(ctx context.Context) []byte {
	p, _ := ctx.Value(priorCacheKey{}).(prior)
	return p.cache
}

// PriorCacheFor is PriorCache when the entry being renewed has unique id
// uniqueID (the unique id the typed login makes), else nil: what one
// account's sign-ins kept must not be sent with another account's login
// (a reauth typed with another login ends in wrong_account anyway).
func PriorCacheFor(ctx context.Context, uniqueID string) []byte {
	p, _ := ctx.Value(priorCacheKey{}).(prior)
	if uniqueID == "" || p.uniqueID != uniqueID {
		return nil
	}
	return p.cache
}
