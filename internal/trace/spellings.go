package trace

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// More spellings of a registered secret, beyond the plain escapes of
// secretVariants: the ones a server echoing a password back (in an error
// page, a debug header, a redirect) is known to produce. docs/http-safety.md
// ("What the trace removes") lists them all; a property test checks each.

// base64Spellings is the secret's UTF-8 bytes in standard and URL-safe
// base64, padded and raw, and each of those query-escaped as it appears
// inside a URL. A Basic Authorization value is base64 of login:password:
// the caller registers that pair as a secret of its own (Tracer.Secret).
func base64Spellings(s string) []string {
	var out []string
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		b := enc.EncodeToString([]byte(s))
		q := url.QueryEscape(b)
		out = append(out, b, q, lowerHex(q))
	}
	return out
}

// urlOnce is every single URL encoding secretVariants knows.
func urlOnce(s string) []string {
	q := url.QueryEscape(s)
	sp := strings.ReplaceAll(q, "+", "%20")
	return []string{q, lowerHex(q), sp, lowerHex(sp), url.PathEscape(s), encodeURIComponent(s)}
}

// doubleURLSpellings is the secret URL-encoded twice (a value put into a
// URL that is itself a query parameter, such as a redirect_uri), in each
// first encoding, either hex case and '+' or %20 for spaces.
func doubleURLSpellings(s string) []string {
	var out []string
	for _, once := range urlOnce(s) {
		for _, twice := range urlOnce(once) {
			if twice != once {
				out = append(out, twice)
			}
		}
	}
	return out
}

// latin1Spellings is the secret percent-encoded in ISO-8859-1 (old PHP and
// Java servers, HTML forms of pages without a charset), when every
// character of it has a Latin-1 byte and one is not ASCII (otherwise it is
// the UTF-8 spelling already).
func latin1Spellings(s string) []string {
	b := make([]byte, 0, len(s))
	ascii := true
	for _, r := range s {
		if r > 0xff {
			return nil
		}
		if r > 0x7f {
			ascii = false
		}
		b = append(b, byte(r))
	}
	if ascii {
		return nil
	}
	// url.QueryEscape works on bytes, so a Latin-1 byte string comes out
	// percent-encoded as Latin-1.
	return urlOnce(string(b))
}

// htmlStyle is one HTML escaper's habits: which characters it turns into
// entities and how it writes them.
type htmlStyle struct {
	all      bool              // every character, not only the special ones
	nonASCII bool              // also every non-ASCII character
	named    map[rune]string   // named entities used where one exists
	num      func(rune) string // the numeric form of any other
}

func decEntity(r rune) string { return "&#" + strconv.Itoa(int(r)) + ";" }
func hexEntity(r rune) string { return "&#x" + strconv.FormatInt(int64(r), 16) + ";" }
func hexEntityUp(r rune) string {
	return "&#x" + strings.ToUpper(strconv.FormatInt(int64(r), 16)) + ";"
}
func hexEntityX(r rune) string { return "&#X" + strings.ToUpper(strconv.FormatInt(int64(r), 16)) + ";" }

var (
	htmlNamedGo  = map[rune]string{'<': "&lt;", '>': "&gt;", '&': "&amp;", '"': "&#34;", '\'': "&#39;"}
	htmlNamedPHP = map[rune]string{'<': "&lt;", '>': "&gt;", '&': "&amp;", '"': "&quot;", '\'': "&#039;"}
	htmlNamed5   = map[rune]string{'<': "&lt;", '>': "&gt;", '&': "&amp;", '"': "&quot;", '\'': "&apos;"}
	htmlNamedPy  = map[rune]string{'<': "&lt;", '>': "&gt;", '&': "&amp;", '"': "&quot;", '\'': "&#x27;"}
)

// htmlSpellings is the secret as HTML entities: the special characters
// named (as Go, PHP, HTML5 and Python write them) or numbered, non-ASCII
// characters numbered (ASCII-only pages), and every character numbered in
// decimal or hex (either case), as obfuscating servers do.
func htmlSpellings(s string) []string {
	var styles []htmlStyle
	for _, named := range []map[rune]string{htmlNamedGo, htmlNamedPHP, htmlNamed5, htmlNamedPy, nil} {
		for _, num := range []func(rune) string{decEntity, hexEntity, hexEntityUp} {
			styles = append(styles, htmlStyle{named: named, num: num}, htmlStyle{nonASCII: true, named: named, num: num})
		}
	}
	for _, num := range []func(rune) string{decEntity, hexEntity, hexEntityUp, hexEntityX} {
		styles = append(styles, htmlStyle{all: true, num: num})
	}
	out := make([]string, 0, len(styles))
	for _, st := range styles {
		out = append(out, st.escape(s))
	}
	return out
}

func (st htmlStyle) escape(s string) string {
	var b strings.Builder
	for _, r := range s {
		special := r == '<' || r == '>' || r == '&' || r == '"' || r == '\''
		switch {
		case st.all:
			b.WriteString(st.num(r))
		case special && st.named[r] != "":
			b.WriteString(st.named[r])
		case special || st.nonASCII && r > 0x7f:
			b.WriteString(st.num(r))
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// jsonAllSpellings is the secret as JSON with every character \u-escaped
// (in either hex case; a character beyond the BMP as a surrogate pair), as
// obfuscating servers and some logging layers write it.
func jsonAllSpellings(s string) []string {
	var lo, up strings.Builder
	for _, r := range s {
		units := []rune{r}
		if r >= 0x10000 {
			r -= 0x10000
			units = []rune{0xd800 + (r >> 10), 0xdc00 + (r & 0x3ff)}
		}
		for _, u := range units {
			fmt.Fprintf(&lo, "\\u%04x", u)
			fmt.Fprintf(&up, "\\u%04X", u)
		}
	}
	return []string{lo.String(), up.String()}
}
