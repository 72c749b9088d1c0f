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
	if got := PriorCache(WithPriorCache(ctx, "a", nil)); got != nil {
		t.Fatalf("an empty cache was carried: %q", got)
	}
	cache := []byte(`{"version":1}`)
	with := WithPriorCache(ctx, "1234567u", cache)
	cache[0] = 'X'
	if got := string(PriorCache(with)); got != `{"version":1}` {
		t.Fatalf("PriorCache = %q: want the cache as it was handed over", got)
	}
	for _, tc := range []struct {
		uid  string
		want string
	}{{"1234567u", `{"version":1}`}, {"7654321u", ""}, {"", ""}} {
		if got := string(PriorCacheFor(with, tc.uid)); got != tc.want {
			t.Errorf("PriorCacheFor(%q) = %q, want %q", tc.uid, got, tc.want)
		}
	}
	if got := PriorCacheFor(WithPriorCache(ctx, "", []byte("x")), ""); got != nil {
		t.Errorf("PriorCacheFor with no unique id on either side = %q, want nil", got)
	}
}
