package flameconnect

import (
	"os"
	"path/filepath"
	"testing"
)

// trimSpacesInPassword is read from every shape SETTINGS takes: JSON, a
// script object with bare keys and a function inside, a quoted value.
// Only an explicit false turns trimming off.
func TestTrimSpacesInPasswordFromPages(t *testing.T) {
	tests := []struct {
		file string
		trim bool
	}{
		{"single_line.html", true},              // "trimSpacesInPassword":true
		{"captured_script_settings.html", true}, // true, in a SETTINGS that is not JSON
		{"../captured/page_large.html", true},   // the captured real page
		{"trim_absent.html", true},              // not said: trim
		{"script_object.html", true},            // not said, a script object
		{"brace_in_function.html", true},        // not said, an object cut short by a brace
		{"trim_false.html", false},              // JSON false
		{"trim_false_script.html", false},       // a bare key, a function in the object
		{"trim_string_false.html", false},       // "False", as some writers quote it
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			page, err := os.ReadFile(filepath.Join("testdata", "pages", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			s, err := parseSettings(page)
			if err != nil {
				t.Fatal(err)
			}
			if s.TrimSpaces != tc.trim {
				t.Fatalf("TrimSpaces = %v, want %v", s.TrimSpaces, tc.trim)
			}
		})
	}
}

func TestTrimFlag(t *testing.T) {
	tests := []struct {
		raw  string
		want bool
	}{
		{"", true}, {"true", true}, {"false", false}, {`"false"`, false}, {`"False"`, false},
		{" false ", false}, {"null", true}, {"0", true}, {`"yes"`, true}, {"FALSE", false},
	}
	for _, tc := range tests {
		if got := trimFlag([]byte(tc.raw)); got != tc.want {
			t.Errorf("trimFlag(%q) = %v, want %v", tc.raw, got, tc.want)
		}
	}
}

// jsTrim removes what JavaScript's trim removes, no more: U+0085 (NEL) is
// not JavaScript white space, U+FEFF is.
func TestJSTrim(t *testing.T) {
	tests := []struct{ in, want string }{
		{"pw ", "pw"},
		{"  pw\t\n", "pw"},
		{"\u00a0pw\u3000", "pw"},
		{"\ufeffpw\u2028", "pw"},
		{"p w", "p w"},
		{"\u0085pw\u0085", "\u0085pw\u0085"},
		{"\u200bpw", "\u200bpw"}, // zero-width space is not white space
		{"   ", ""},
		{"", ""},
	}
	for _, tc := range tests {
		if got := jsTrim(tc.in); got != tc.want {
			t.Errorf("jsTrim(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
