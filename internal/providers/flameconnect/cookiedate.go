package flameconnect

import (
	"net/http"
	"time"
)

// netscapeCookieDate is the Expires form B2C and many servers write
// ("Sat, 11-Jan-2014 00:00:00 GMT"): RFC 1123 with dashes and a
// four-digit year, the one common form http.ParseTime does not read.
const netscapeCookieDate = "Mon, 02-Jan-2006 15:04:05 MST"

// parseCookieDate reads a cookie's Expires: the three HTTP date forms
// http.ParseTime knows (RFC 1123, RFC 850, asctime) and the Netscape form.
// A date it cannot read is ignored, as browsers ignore it.
func parseCookieDate(s string) (time.Time, bool) {
	if t, err := http.ParseTime(s); err == nil {
		return t.UTC(), true
	}
	if t, err := time.Parse(netscapeCookieDate, s); err == nil {
		return t.UTC(), true
	}
	return time.Time{}, false
}
