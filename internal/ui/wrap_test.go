package ui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// TestWrapKeepsHyphenatedWords: the full-screen wizard breaks lines at
// spaces only, so an id or password with a hyphen and a word such as
// "e-mail" stay whole; only a word wider than the line is cut, and no line
// is ever wider than the width.
func TestWrapKeepsHyphenatedWords(t *testing.T) {
	for _, c := range []struct {
		in    string
		width int
		want  string
	}{
		{"To nie jest adres e-mail Konta LIBRUS", 20, "To nie jest adres\ne-mail Konta LIBRUS"},
		{"Demo: demo@example.com / demo-password", 30, "Demo: demo@example.com /\ndemo-password"},
		{"refuses this kind of sign-in. Sign in", 30, "refuses this kind of sign-in.\nSign in"},
		{"a 0123456789abcdef end", 10, "a\n0123456789\nabcdef\nend"},
	} {
		got := wrap(c.in, c.width)
		if got != c.want {
			t.Errorf("wrap(%q, %d) =\n%q\nwant\n%q", c.in, c.width, got, c.want)
		}
		for _, l := range strings.Split(got, "\n") {
			if ansi.StringWidth(l) > c.width {
				t.Errorf("wrap(%q, %d): line %q is wider than the width", c.in, c.width, l)
			}
		}
	}
}
