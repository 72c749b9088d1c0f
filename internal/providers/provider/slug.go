package provider

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// translit covers letters that do not decompose into ASCII + marks, as
// python-slugify's text-unidecode does for them.
var translit = map[rune]string{
	'ł': "l", 'Ł': "L", 'ø': "o", 'Ø': "O", 'ß': "ss", 'æ': "ae", 'Æ': "AE",
	'œ': "oe", 'Œ': "OE", 'đ': "d", 'Đ': "D", 'ð': "d", 'Ð': "D", 'þ': "th",
	'Þ': "TH", 'ı': "i", 'ħ': "h", 'Ħ': "H",
}

// Slugify makes a unique id the way python-slugify does with its defaults:
// transliterate to ASCII, lowercase, turn every run of other characters into
// one "-", trim dashes. "User.Name+x@Example.COM" -> "user-name-x-example-com".
// Quotes are dropped rather than turned into separators, as slugify does.
func Slugify(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFKD.String(s) {
		if unicode.Is(unicode.Mn, r) || r == '\'' || r == '"' {
			continue
		}
		if t, ok := translit[r]; ok {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			for _, c := range strings.ToLower(t) {
				b.WriteRune(c)
			}
			dash = false
			continue
		}
		r = unicode.ToLower(r)
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
			continue
		}
		dash = true
	}
	return b.String()
}
