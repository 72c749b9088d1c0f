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
		// A quoted command stays on one line when it fits one.
		{"dodaj konto poleceniem 'setupwizard' albo wypróbuj offline: 'setupwizard --demo'", 40, "dodaj konto poleceniem 'setupwizard'\nalbo wypróbuj offline:\n'setupwizard --demo'"},
		{"Uruchom 'go run ./cmd/setupwizard --help', aby zobaczyć opis użycia.", 40, "Uruchom\n'go run ./cmd/setupwizard --help', aby\nzobaczyć opis użycia."},
		{"Run 'a very long command that cannot fit' now", 20, "Run 'a very long\ncommand that cannot\nfit' now"},
		{"it's 'open and never closed", 12, "it's 'open\nand never\nclosed"},
	} {
		if got := Wrap(c.in, c.width); got != c.want {
			t.Errorf("Wrap(%q, %d) =\n%q\nwant\n%q", c.in, c.width, got, c.want)
		}
	}
}
