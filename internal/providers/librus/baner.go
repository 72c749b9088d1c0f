package librus

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// banerShift is how far the sign-in page's script moves each character of
// the x-baner header (docs/librus.md).
const banerShift = 20

// xBaner is the x-baner header value the sign-in page's script sends with
// the login POST, as current public clients compute it: a random number
// in [0, 1) and the time in Unix milliseconds, each written as JavaScript
// writes numbers and shifted character by character, joined by "_". Its
// effect is not known; clients that work send it, and it may feed Librus's
// bot or CAPTCHA scoring (docs/librus.md).
func xBaner(random float64, now time.Time) string {
	return banerShifted(jsNumber(random)) + "_" + banerShifted(strconv.FormatInt(now.UnixMilli(), 10))
}

// newXBaner is xBaner for this moment with a fresh random number. The
// number is not a secret (the page's script uses Math.random), so the
// non-cryptographic generator is right.
func newXBaner() string { return xBaner(rand.Float64(), time.Now()) }

// jsNumber writes a number in [0, 1) as JavaScript's String(Math.random())
// does for all but the tiniest values: the shortest decimal that reads back
// as the same float64, "0." and its digits ("0" for zero).
func jsNumber(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// banerShifted moves every character of s up by banerShift code points.
func banerShifted(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		b.WriteRune(r + banerShift)
	}
	return b.String()
}
