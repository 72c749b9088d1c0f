package provider

import "testing"

// Expected values are python-slugify 8's output with default arguments.
func TestSlugify(t *testing.T) {
	tests := map[string]string{
		"User.Name+x@Example.COM": "user-name-x-example-com",
		"1234567u":                "1234567u",
		"  --a--b--  ":            "a-b",
		"Łukasz.Żółć@poczta.pl":   "lukasz-zolc-poczta-pl",
		"straße":                  "strasse",
		"O'Brien@x.ie":            "obrien-x-ie",
		"ﬁle":                     "file",
		"":                        "",
		"@@@":                     "",
	}
	for in, want := range tests {
		if got := Slugify(in); got != want {
			t.Errorf("Slugify(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzSlugify(f *testing.F) {
	f.Add("User.Name+x@Example.COM")
	f.Add("Łukasz")
	f.Fuzz(func(t *testing.T, s string) {
		out := Slugify(s)
		for i, r := range out {
			ok := (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') || (r == '-' && i > 0 && i < len(out)-1)
			if !ok {
				t.Fatalf("Slugify(%q) = %q: bad rune %q at %d", s, out, r, i)
			}
		}
		if Slugify(out) != out {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, out, Slugify(out))
		}
	})
}
