package frontend

import "testing"

func TestWrap(t *testing.T) {
	for _, c := range []struct {
		in    string
		width int
		want  string
	}{
		{"short", 40, "short"},
		{"a long line of words", 0, "a long line of words"},
		{"  Flame Connect: demo@example.com / demo-password", 40, "  Flame Connect: demo@example.com /\n  demo-password"},
		{"To nie jest adres e-mail Konta LIBRUS", 24, "To nie jest adres e-mail\nKonta LIBRUS"},
		{"first\nsecond line here", 8, "first\nsecond\nline\nhere"},
		{"averyveryverylongword end", 10, "averyveryverylongword\nend"},
		{"Koniec demonstracji; nic z niej nie zostało zapisane.", 40, "Koniec demonstracji; nic z niej nie\nzostało zapisane."},
	} {
		if got := Wrap(c.in, c.width); got != c.want {
			t.Errorf("Wrap(%q, %d) =\n%q\nwant\n%q", c.in, c.width, got, c.want)
		}
	}
}
