package librus

import (
	"context"
	"testing"
)

// BenchmarkSignIn is one full five-step sign-in against the emulator,
// fresh TLS connections included (each attempt has its own transport).
func BenchmarkSignIn(b *testing.B) {
	r := newRig(b)
	for b.Loop() {
		if _, err := r.p.Validate(context.Background(), demoInput(), nil); err != nil {
			b.Fatal(err)
		}
	}
}
