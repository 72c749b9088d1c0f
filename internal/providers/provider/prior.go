package provider

import (
	"bytes"
	"context"
)

type priorCacheKey struct{}

// WithPriorCache returns ctx carrying the token cache of the entry a
// reauth renews, so Validate may reuse what a browser would keep across
// sign-ins (a device cookie) without reusing the session itself. It rides
// on the context rather than the Validate signature so that providers and
// their wrappers that have no use for it stay as they are.
func WithPriorCache(ctx context.Context, cache []byte) context.Context {
	if len(cache) == 0 {
		return ctx
	}
	return context.WithValue(ctx, priorCacheKey{}, bytes.Clone(cache))
}

// PriorCache is the cache WithPriorCache put in ctx, nil when there is
// none (an add, or a reauth whose old cache could not be read). Callers
// must not modify it.
func PriorCache(ctx context.Context) []byte {
	b, _ := ctx.Value(priorCacheKey{}).([]byte)
	return b
}
