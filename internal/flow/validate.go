package flow

import (
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

// MaxFieldBytes caps every field; a pasted novel gets a per-field error,
// not a crash or a megabyte POST.
const MaxFieldBytes = 1024

// checkFields runs the schema's local rules and returns field -> error key.
// It also trims surrounding spaces from non-password fields, which a paste
// often brings along; passwords are taken byte for byte.
func checkFields(schema provider.Schema, in provider.Input) map[string]string {
	errs := map[string]string{}
	for _, f := range schema {
		v := in[f.Name]
		if f.Kind != provider.Password {
			v = strings.TrimSpace(v)
			in[f.Name] = v
		}
		switch {
		case v == "" && f.Required:
			errs[f.Name] = ErrRequired
		case len(v) > MaxFieldBytes:
			errs[f.Name] = ErrTooLong
		case !utf8.ValidString(v) || hasControl(v):
			errs[f.Name] = ErrInvalidCharacters
		case f.Kind == provider.Email && v != "" && !isEmail(v):
			errs[f.Name] = ErrInvalidEmail
		}
	}
	return errs
}

func hasControl(s string) bool {
	for _, r := range s {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || unicode.Is(unicode.Cf, r) {
			return true
		}
	}
	return false
}

// isEmail accepts a bare addr-spec with a dotted domain: what a person
// types, not the display-name forms net/mail also parses.
func isEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	return at > 0 && strings.Contains(s[at+1:], ".") && !strings.HasSuffix(s, ".")
}
