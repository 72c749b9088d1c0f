package trace

import (
	"slices"
	"strings"
	"testing"
)

func TestSecretVariants(t *testing.T) {
	tests := []struct {
		secret string
		want   []string
	}{
		{"plain", []string{"plain"}},
		{"p@ss w/", []string{"p@ss w/", "p%40ss+w%2F", "p%40ss%20w%2F", "p%40ss%20w%2f", "p%40ss+w%2f", `p@ss w\/`}},
		{`a"b`, []string{`a\"b`, `a\u0022b`, "a&#34;b", "a%22b"}},
		{"<ą>", []string{`\u003cą\u003e`, `<\u0105>`, `\u003C\u0105\u003E`, "&lt;ą&gt;"}},
		{"x+y", []string{`x\u002By`, "x%2By"}},
		{"😀", []string{`\ud83d\ude00`}},
		{"", nil},
	}
	for _, tt := range tests {
		got := secretVariants(tt.secret)
		for _, w := range tt.want {
			if !slices.Contains(got, w) {
				t.Errorf("secretVariants(%q) = %q, missing %q", tt.secret, got, w)
			}
		}
		for i := 1; i < len(got); i++ {
			if len(got[i]) > len(got[i-1]) {
				t.Errorf("secretVariants(%q) not longest first: %q", tt.secret, got)
			}
		}
	}
}

func TestScrub(t *testing.T) {
	tests := []struct {
		name, secret, in string
	}{
		{"plain", "hunter2", "a hunter2 b hunter2"},
		{"marker letters", "D]x", "D]xD]xx"},
		{"is marker piece", "RED", "[REDACTED] RED"},
		{"every marker char", "[REDACTED]*#~_", "x[REDACTED]*#~_[REDACTED]*#~_y"},
		{"overlapping", "aa", "aaaaa"},
		{"single char", "*", "a*b**c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vs := secretVariants(tt.secret)
			got := scrub(tt.in, vs)
			for _, v := range vs {
				if strings.Contains(got, v) {
					t.Errorf("scrub(%q) = %q still holds %q", tt.in, got, v)
				}
			}
			if got == tt.in {
				t.Errorf("scrub(%q) changed nothing", tt.in)
			}
		})
	}
}

func TestTrimPartial(t *testing.T) {
	vs := secretVariants("hunter2")
	tests := []struct{ in, want string }{
		{"abc hunt", "abc "},
		{"abc h", "abc "},
		{"abc hunter2", "abc hunter2"}, // whole ones are scrubbed later
		{"abc x", "abc x"},
	}
	for _, tt := range tests {
		if got := string(trimPartial([]byte(tt.in), vs)); got != tt.want {
			t.Errorf("trimPartial(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
