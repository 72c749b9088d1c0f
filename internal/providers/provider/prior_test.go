package provider

import (
	"context"
	"testing"
)

func TestPriorCache(t *testing.T) {
	ctx := context.Background()
	if got := PriorCache(ctx); got != nil {
		t.Fatalf("PriorCache of a bare context = %q", got)
	}
	if got := PriorCache(WithPriorCache(ctx, nil)); got != nil {
		t.Fatalf("an empty cache was carried: %q", got)
	}
	cache := []byte(`{"version":1}`)
	with := WithPriorCache(ctx, cache)
	cache[0] = 'X'
	if got := string(PriorCache(with)); got != `{"version":1}` {
		t.Fatalf("PriorCache = %q: want the cache as it was handed over", got)
	}
}
