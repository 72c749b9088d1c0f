package i18n

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestLoadLookupFormat(t *testing.T) {
	fsys := fstest.MapFS{
		"t/en.json": {Data: []byte(`{"config":{"step":{"reauth_confirm":{"title":"Reauth {name}"}},"error":{"x":"X"}}}`)},
		"t/pl.json": {Data: []byte(`{"config":{"step":{"reauth_confirm":{"title":"Ponownie {name}"}}}}`)},
	}
	c, err := Load(fsys, "t")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ lang, key, want string }{
		{"en", "config.step.reauth_confirm.title", "Reauth bob"},
		{"pl", "config.step.reauth_confirm.title", "Ponownie bob"},
		{"pl", "config.error.x", "X"},                          // falls back to English
		{"en", "config.error.missing", "config.error.missing"}, // gap shows as its key
	}
	for _, tc := range tests {
		if got := c.T(tc.lang, tc.key, map[string]string{"name": "bob"}); got != tc.want {
			t.Errorf("T(%s, %s) = %q, want %q", tc.lang, tc.key, got, tc.want)
		}
	}
	if c.Has("pl", "config.error.x") {
		t.Error("Has must not fall back")
	}
}

func TestLoadRejectsBadShapes(t *testing.T) {
	for name, doc := range map[string]string{
		"not json":    `{`,
		"number leaf": `{"config":{"error":{"x":1}}}`,
	} {
		if _, err := Load(fstest.MapFS{"en.json": {Data: []byte(doc)}}, "."); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := Load(fstest.MapFS{}, "."); err == nil {
		t.Error("empty dir: no error")
	}
}

func TestLang(t *testing.T) {
	avail := []string{"en", "pl"}
	tests := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"LANG": "pl_PL.UTF-8"}, "pl"},
		{map[string]string{"LC_ALL": "en_US.UTF-8", "LANG": "pl_PL.UTF-8"}, "en"},
		{map[string]string{"LANG": "de_DE.UTF-8"}, "en"},
		{map[string]string{"LANG": "C"}, "en"},
		{map[string]string{}, "en"},
	}
	for _, tc := range tests {
		if got := Lang(func(k string) string { return tc.env[k] }, avail); got != tc.want {
			t.Errorf("Lang(%v) = %s, want %s", tc.env, got, tc.want)
		}
	}
}

func TestPlaceholders(t *testing.T) {
	if got := Placeholders("a {name} b {x_1} {not valid}"); len(got) != 2 || got[0] != "name" || got[1] != "x_1" {
		t.Fatalf("Placeholders = %v", got)
	}
}

func TestGaps(t *testing.T) {
	c := &Catalog{}
	if err := c.Add("en", []byte(`{"a":"A {name}","b":"B","c":"C {x}"}`)); err != nil {
		t.Fatal(err)
	}
	if err := c.Add("pl", []byte(`{"a":"{name} A","c":"C","d":"D"}`)); err != nil {
		t.Fatal(err)
	}
	missing, stray, mismatched := c.Gaps("pl", "en")
	if strings.Join(missing, ",") != "b" || strings.Join(stray, ",") != "d" || strings.Join(mismatched, ",") != "c" {
		t.Fatalf("missing %v stray %v mismatched %v", missing, stray, mismatched)
	}
	if m, s, x := c.Gaps("en", "en"); len(m)+len(s)+len(x) != 0 {
		t.Fatalf("a language has gaps against itself: %v %v %v", m, s, x)
	}
}
