package librus

import (
	"regexp"
	"testing"
	"time"
)

// TestXBaner: each character of the random number and of the Unix
// milliseconds moves up by 20 code points ('0'..'9' become 'D'..'M', '.'
// becomes 'B'), random part first, as the page's script and public clients
// compute the header.
func TestXBaner(t *testing.T) {
	now := time.UnixMilli(1764936000123)
	tests := []struct {
		random float64
		want   string
	}{
		{0.5, "DBI_EKJHMGJDDDEFG"},
		{0.123456789, "DBEFGHIJKLM_EKJHMGJDDDEFG"},
		{0, "D_EKJHMGJDDDEFG"},
	}
	for _, tc := range tests {
		if got := xBaner(tc.random, now); got != tc.want {
			t.Errorf("xBaner(%v, %d) = %q, want %q", tc.random, now.UnixMilli(), got, tc.want)
		}
	}
	shape := regexp.MustCompile(`^D(B[D-M]+)?_[D-M]{13}$`)
	for range 100 {
		if h := newXBaner(); !shape.MatchString(h) {
			t.Fatalf("newXBaner() = %q: not a shifted random number and millisecond time", h)
		}
	}
}
