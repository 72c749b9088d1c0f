package flameconnect

import (
	"strings"
	"time"
)

// parseCookieDate is RFC 6265 5.1.1's cookie-date algorithm, the one
// browsers use for Expires: it reads "Thu, 01 Jan 1970 00:00:00 GMT",
// the Netscape form "Thu, 01-Jan-1970 00:00:00 GMT", two-digit years and
// other orders alike. Every date is UTC.
func parseCookieDate(s string) (time.Time, bool) {
	var (
		foundTime, foundDay, foundMonth, foundYear bool
		hour, minute, second, day, year            int
		month                                      time.Month
	)
	for _, tok := range strings.FieldsFunc(s, isCookieDateDelimiter) {
		switch {
		case !foundTime && parseHMS(tok, &hour, &minute, &second):
			foundTime = true
		case !foundDay && leadingDigits(tok, 1, 2, &day):
			foundDay = true
		case !foundMonth && parseMonth(tok, &month):
			foundMonth = true
		case !foundYear && leadingDigits(tok, 2, 4, &year):
			foundYear = true
		}
	}
	if !foundTime || !foundDay || !foundMonth || !foundYear {
		return time.Time{}, false
	}
	switch {
	case year >= 70 && year <= 99:
		year += 1900
	case year >= 0 && year <= 69:
		year += 2000
	}
	if day < 1 || day > 31 || year < 1601 || hour > 23 || minute > 59 || second > 59 {
		return time.Time{}, false
	}
	t := time.Date(year, month, day, hour, minute, second, 0, time.UTC)
	if t.Day() != day { // 31 Feb and the like
		return time.Time{}, false
	}
	return t, true
}

// isCookieDateDelimiter: %x09 / %x20-2F / %x3B-40 / %x5B-60 / %x7B-7E.
func isCookieDateDelimiter(r rune) bool {
	return r == 0x09 || r >= 0x20 && r <= 0x2f || r >= 0x3b && r <= 0x40 ||
		r >= 0x5b && r <= 0x60 || r >= 0x7b && r <= 0x7e
}

// leadingDigits reads min..max digits at the start of tok, which must not
// be followed by another digit.
func leadingDigits(tok string, min, max int, out *int) bool {
	n, v := 0, 0
	for n < len(tok) && tok[n] >= '0' && tok[n] <= '9' {
		if n == max {
			return false
		}
		v = v*10 + int(tok[n]-'0')
		n++
	}
	if n < min {
		return false
	}
	*out = v
	return true
}

// parseHMS reads hms-time: 1*2DIGIT ":" 1*2DIGIT ":" 1*2DIGIT, then anything
// that does not start with a digit.
func parseHMS(tok string, h, m, s *int) bool {
	fields := strings.SplitN(tok, ":", 3)
	if len(fields) != 3 {
		return false
	}
	var v [3]int
	for i, f := range fields {
		if i < 2 {
			if f == "" || len(f) > 2 || !leadingDigits(f, len(f), 2, &v[i]) {
				return false
			}
			continue
		}
		if !leadingDigits(f, 1, 2, &v[i]) {
			return false
		}
	}
	*h, *m, *s = v[0], v[1], v[2]
	return true
}

var cookieMonths = [...]string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}

func parseMonth(tok string, out *time.Month) bool {
	if len(tok) < 3 {
		return false
	}
	p := strings.ToLower(tok[:3])
	for i, m := range cookieMonths {
		if p == m {
			*out = time.Month(i + 1)
			return true
		}
	}
	return false
}
