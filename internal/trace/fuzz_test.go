package trace

import (
	"html"
	"net/url"
	"strings"
	"testing"
)

// encodings are the ways FuzzRedactBody embeds the secret in a body; each
// names the spelling that must not survive.
var encodings = []func(string) string{
	func(s string) string { return s },
	url.QueryEscape,
	url.PathEscape,
	html.EscapeString,
	func(s string) string { return jsonEscape(s, jsonStyle{html: true}) },
	func(s string) string { return jsonEscape(s, jsonStyle{ascii: true, slash: true}) },
	func(s string) string {
		return jsonEscape(s, jsonStyle{ascii: true, upper: true, html: true, dotnet: true})
	},
}

// FuzzRedactBody checks that a registered secret never survives body
// redaction, whatever surrounds it, however it is escaped, and whether or
// not the body was cut at the display cap. Seeds: testdata/fuzz/FuzzRedactBody.
func FuzzRedactBody(f *testing.F) {
	f.Add("application/x-www-form-urlencoded", "email=a%40b.c&password=", "hunter2", "&x=1", uint8(1), false)
	f.Fuzz(func(t *testing.T, contentType, before, secret, after string, enc uint8, cut bool) {
		if secret == "" {
			return
		}
		spelled := encodings[int(enc)%len(encodings)](secret)
		body := before + spelled + after
		if cut {
			// The display cap fell inside the secret.
			body = before + spelled[:len(spelled)/2+1]
		}
		tr := New(discard{})
		tr.Secret(secret)
		out := tr.redactor().body(contentType, []byte(body), cut)
		if !cut {
			for _, v := range []string{secret, spelled} {
				if strings.Contains(out, v) {
					t.Fatalf("%q survived in %q (body %q)", v, out, body)
				}
			}
			return
		}
		if start := spelled[:len(spelled)/2+1]; len(start) >= 4 && strings.Contains(out, start) && !strings.Contains(before, start) {
			t.Fatalf("the cut secret's start %q survived in %q (body %q)", start, out, body)
		}
	})
}

// FuzzRedactText checks that RedactText and RedactURL never panic and that
// a JWT or a sensitive parameter value embedded anywhere never survives.
func FuzzRedactText(f *testing.F) {
	f.Add("see ", " now")
	f.Add(`{"a":"`, `"}`)
	f.Add("https://h/p?x=", "&y=2")
	const jwt = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4eHgifQ.c2lnbmF0dXJl"
	const code = "Zq8Kcode4242"
	f.Fuzz(func(t *testing.T, before, after string) {
		for _, in := range []string{before + jwt + after, before + "?code=" + code + "&" + after} {
			for name, got := range map[string]string{"RedactText": RedactText(in), "RedactURL": RedactURL(in)} {
				if strings.Contains(got, jwt) || strings.Contains(got, "eyJzdWIiOiJ4eHgifQ") {
					t.Fatalf("%s(%q) = %q keeps the JWT", name, in, got)
				}
				if strings.Contains(got, "code="+code) {
					t.Fatalf("%s(%q) = %q keeps the code", name, in, got)
				}
			}
		}
	})
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
