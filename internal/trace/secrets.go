package trace

import (
	"fmt"
	"html"
	"net/url"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"
)

// markers replace registered secrets. The first one whose use leaves no
// occurrence behind wins: a secret made of "[REDACTED]"'s own letters could
// otherwise reappear across the marker's edge.
var markers = []string{Redacted, "***", "###", "~~~", "___"}

// secretVariants lists the spellings of s a trace may carry: raw, URL-query
// and path escaped (either hex case, '+' or %20 for spaces), HTML-escaped,
// and JSON-escaped the ways Go, .NET and PHP servers write it, and those of
// spellings.go (base64, URL-encoded twice, Latin-1, HTML entities, JSON
// \u-escaped throughout). Longest first (see sortLongestFirst).
func secretVariants(s string) []string {
	if s == "" {
		return nil
	}
	set := map[string]bool{}
	add := func(v string) {
		if v != "" {
			set[v] = true
		}
	}
	q := url.QueryEscape(s)
	add(s)
	add(q)
	add(lowerHex(q))
	add(strings.ReplaceAll(q, "+", "%20"))
	add(lowerHex(strings.ReplaceAll(q, "+", "%20")))
	add(url.PathEscape(s))
	add(encodeURIComponent(s))
	add(html.EscapeString(s))
	for _, o := range []jsonStyle{
		{html: true},               // Go encoding/json
		{},                         // Go without HTML escaping, most others
		{ascii: true},              // PHP json_encode, Python json.dumps
		{ascii: true, slash: true}, // PHP default
		{slash: true},
		{ascii: true, upper: true, html: true, dotnet: true}, // System.Text.Json
	} {
		add(jsonEscape(s, o))
	}
	for _, more := range [][]string{base64Spellings(s), doubleURLSpellings(s), latin1Spellings(s), htmlSpellings(s), jsonAllSpellings(s)} {
		for _, v := range more {
			add(v)
		}
	}
	out := make([]string, 0, len(set))
	for v := range set {
		out = append(out, v)
	}
	return sortLongestFirst(out)
}

// sortLongestFirst orders spellings so a longer one is replaced before a
// shorter one inside it could break it up; duplicates are dropped.
func sortLongestFirst(vs []string) []string {
	sort.Slice(vs, func(i, j int) bool {
		if len(vs[i]) != len(vs[j]) {
			return len(vs[i]) > len(vs[j])
		}
		return vs[i] < vs[j]
	})
	return slices.Compact(vs)
}

// lowerHex turns the hex digits of every %XX escape to lower case.
func lowerHex(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	b := []byte(s)
	for i := 0; i+2 < len(b); i++ {
		if b[i] == '%' && isUpperHex(b[i+1]) && isUpperHex(b[i+2]) {
			b[i+1], b[i+2] = lowerByte(b[i+1]), lowerByte(b[i+2])
			i += 2
		}
	}
	return string(b)
}

func isUpperHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'A' && c <= 'F' }

func lowerByte(c byte) byte {
	if c >= 'A' && c <= 'F' {
		return c + ('a' - 'A')
	}
	return c
}

// encodeURIComponent is JavaScript's: it leaves A-Z a-z 0-9 - _ . ! ~ * ' ( ).
func encodeURIComponent(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || strings.IndexByte("-_.!~*'()", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// jsonStyle is one JSON encoder's escaping habits.
type jsonStyle struct {
	html   bool // < > & as \u003c
	ascii  bool // non-ASCII as \uXXXX
	slash  bool // / as \/
	upper  bool // upper-case hex digits
	dotnet bool // also ' + ` as \uXXXX
}

func jsonEscape(s string, o jsonStyle) string {
	hexf := "\\u%04x"
	if o.upper {
		hexf = "\\u%04X"
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '"' && o.dotnet:
			fmt.Fprintf(&b, hexf, r)
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20:
			fmt.Fprintf(&b, hexf, r)
		case o.html && (r == '<' || r == '>' || r == '&'):
			fmt.Fprintf(&b, hexf, r)
		case o.dotnet && (r == '\'' || r == '+' || r == '`'):
			fmt.Fprintf(&b, hexf, r)
		case o.slash && r == '/':
			b.WriteString(`\/`)
		case r == 0x2028 || r == 0x2029:
			fmt.Fprintf(&b, hexf, r)
		case o.ascii && r > 0x7e && r < 0x10000:
			fmt.Fprintf(&b, hexf, r)
		case o.ascii && r >= 0x10000:
			r -= 0x10000
			fmt.Fprintf(&b, hexf+hexf, 0xd800+(r>>10), 0xdc00+(r&0x3ff))
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// scrub replaces every occurrence of every variant and guarantees none is
// left: it tries each marker and, should every marker recreate a secret,
// deletes occurrences until none remains (each pass shortens the text, so
// that ends).
func scrub(s string, variants []string) string {
	found := false
	for _, v := range variants {
		if strings.Contains(s, v) {
			found = true
			break
		}
	}
	if !found {
		return s
	}
	for _, m := range markers {
		out := s
		for _, v := range variants {
			out = strings.ReplaceAll(out, v, m)
		}
		if !containsAny(out, variants) {
			return out
		}
	}
	out := s
	for containsAny(out, variants) {
		for _, v := range variants {
			out = strings.ReplaceAll(out, v, "")
		}
	}
	return out
}

func containsAny(s string, variants []string) bool {
	for _, v := range variants {
		if strings.Contains(s, v) {
			return true
		}
	}
	return false
}

// trimPartial drops a tail of a cut-off body that could be the start of a
// secret, so a password split by the display cap does not half-survive.
func trimPartial(b []byte, variants []string) []byte {
	cut := len(b)
	for _, v := range variants {
		for k := min(len(v)-1, len(b)); k > 0; k-- {
			if string(b[len(b)-k:]) == v[:k] {
				cut = min(cut, len(b)-k)
				break
			}
		}
	}
	return b[:cut]
}

// trimRune drops an incomplete UTF-8 sequence left at the end by a cut.
func trimRune(b []byte) []byte {
	for i := 1; i <= utf8.UTFMax && i <= len(b); i++ {
		if utf8.RuneStart(b[len(b)-i]) {
			if !utf8.FullRune(b[len(b)-i:]) {
				return b[:len(b)-i]
			}
			break
		}
	}
	return b
}
