package cli

import (
	"context"
	"strings"
	"testing"
)

// TestTyposGetASuggestion: an unknown flag or a stray word near a flag's
// name says which flag was probably meant (exit 2); "help" is --help.
func TestTyposGetASuggestion(t *testing.T) {
	tests := []struct {
		lang string
		args []string
		code int
		want string // on stderr, or stdout for help
	}{
		{"en", []string{"--reuath"}, ExitUsage, "unknown flag: --reuath; did you mean --reauth?"},
		{"en", []string{"--stauts"}, ExitUsage, "did you mean --status?"},
		{"en", []string{"--lst"}, ExitUsage, "did you mean --list?"},
		{"en", []string{"--stat"}, ExitUsage, "did you mean --status?"},
		{"en", []string{"--password-stdn"}, ExitUsage, "did you mean --password-stdin?"},
		{"pl", []string{"--reuath"}, ExitUsage, "nieznana opcja: --reuath; czy chodziło o --reauth?"},
		{"en", []string{"--xyzzy"}, ExitUsage, "unknown flag: --xyzzy\n"},
		{"en", []string{"list"}, ExitUsage, "unexpected argument \"list\"; did you mean --list?"},
		{"en", []string{"frobnicate"}, ExitUsage, "unexpected argument \"frobnicate\"\n"},
		{"en", []string{"help"}, ExitOK, "Options:"},
		{"en", []string{"HELP"}, ExitOK, "Options:"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " ")+"/"+tt.lang, func(t *testing.T) {
			var out, errOut strings.Builder
			lang := map[string]string{"en": "C", "pl": "pl_PL.UTF-8"}[tt.lang]
			code := Main(context.Background(), tt.args, &IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut},
				func(k string) string {
					if k == "LANG" {
						return lang
					}
					return ""
				})
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tt.code, errOut.String())
			}
			if got := out.String() + errOut.String(); !strings.Contains(got, tt.want) {
				t.Fatalf("output lacks %q:\n%s", tt.want, got)
			}
		})
	}
}

func TestEditDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{{"reuath", "reauth", 1}, {"reauth", "reauth", 0}, {"lst", "list", 1}, {"", "abc", 3}, {"stauts", "status", 1}, {"abc", "xyz", 3}} {
		if got := editDistance(c.a, c.b); got != c.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}
