package prompt

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/setupwizard/setupwizard/internal/flow"
	"github.com/setupwizard/setupwizard/internal/flow/flowtest"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

// TestEscAtLinePrompts: esc (then Enter) at a line prompt does what esc
// does on the full-screen wizard, and the escape byte is never printed
// back (a terminal would read "ESC ]" as the start of a sequence).
func TestEscAtLinePrompts(t *testing.T) {
	tests := []struct {
		name      string
		input     string
		two, back bool
		wantErr   error
		wantOut   []string
	}{
		{name: "first question cancels", input: "\x1b\n", wantErr: ErrCancelled, wantOut: []string{"✗ Cancelled.\n"}},
		{name: "first question with a caller step goes back", input: "\x1b\n", back: true, wantErr: ErrBack},
		{name: "an arrow key is esc too", input: "\x1b[A\n", wantErr: ErrCancelled},
		{name: "password goes back to the login, typed login kept", input: "user@example.com\n\x1b\n\npw\n",
			wantOut: []string{"Email [user@example.com]: ", "✓ Added"}},
		{name: "form goes back to the service choice", input: "1\n\x1b\n2\nuser@example.com\npw\n", two: true,
			wantOut: []string{"Choose a service\n", "✓ Added your Test Service account"}},
		{name: "service choice cancels", input: "\x1b\n", two: true, wantErr: ErrCancelled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps := []provider.Provider{scripted{flowtest.New()}}
			if tt.two {
				ps = append(ps, otherProvider{scripted{flowtest.New()}})
			}
			out := &lockedBuffer{}
			res, err := RunFlow(context.Background(), Options{In: strings.NewReader(tt.input), Out: out, Back: tt.back}, ps, addFlow(memStore(t)))
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
			} else if err != nil || res.Type != flow.ResultCreateEntry {
				t.Fatalf("%v %v\n%s", res.Type, err, out)
			}
			got := out.String()
			if strings.ContainsRune(got, '\x1b') {
				t.Fatalf("escape byte printed: %q", got)
			}
			for _, w := range tt.wantOut {
				if !strings.Contains(got, w) {
					t.Fatalf("output lacks %q:\n%s", w, got)
				}
			}
		})
	}
}

// TestPickSaysWhatItAccepts: an answer that names no item gets a line
// saying what is accepted; a name (any letter case) is accepted as well
// as a number.
func TestPickSaysWhatItAccepts(t *testing.T) {
	tests := []struct {
		lang, input string
		want        int
		wantOut     string
	}{
		{"en", "librus\n2\n", 1, "✗ Type a number from 1 to 2, or a name as listed.\n"},
		{"en", "8\n1\n", 0, "✗ Type a number from 1 to 2, or a name as listed.\n"},
		{"pl", "8\n1\n", 0, "✗ Wpisz liczbę od 1 do 2 albo nazwę z listy.\n"},
		{"en", "SECOND ONE\n", 1, ""},
		{"en", "  first one \n", 0, ""},
	}
	for _, tt := range tests {
		var out strings.Builder
		got, err := PickEntry(context.Background(), Options{In: strings.NewReader(tt.input), Out: &out, Lang: tt.lang}, []string{"First one", "Second one"})
		if err != nil || got != tt.want {
			t.Errorf("%q: %d, %v; want %d", tt.input, got, err, tt.want)
		}
		if tt.wantOut != "" && !strings.Contains(out.String(), tt.wantOut) {
			t.Errorf("%q: output lacks %q:\n%s", tt.input, tt.wantOut, out.String())
		}
	}
	// An account is chosen by its name alone too.
	got, err := PickAccount(context.Background(), Options{In: strings.NewReader("ANNA@example.com\n"), Out: &strings.Builder{}},
		Pick{Accounts: []Account{{Label: "Flame Connect · demo@example.com"}, {Label: "Flame Connect · anna@example.com"}}})
	if err != nil || got != 1 {
		t.Fatalf("by the account's name: %d, %v", got, err)
	}
	// A service is chosen by its domain too, in any letter case.
	var out strings.Builder
	res, err := RunFlow(context.Background(), Options{In: strings.NewReader("OTHERPROV\nuser@example.com\npw\n"), Out: &out},
		[]provider.Provider{scripted{flowtest.New()}, otherProvider{scripted{flowtest.New()}}}, addFlow(memStore(t)))
	if err != nil || res.Entry.Domain != "otherprov" {
		t.Fatalf("%+v %v\n%s", res.Entry, err, out.String())
	}
}

// TestEscAtConfirmAndMenu: esc at a yes/no question is "no" (the caller
// says the same as for a typed no); esc at a menu ends it.
func TestEscAtConfirmAndMenu(t *testing.T) {
	yes, err := Confirm(context.Background(), Options{In: strings.NewReader("\x1b\n"), Out: &strings.Builder{}}, "Remove?")
	if yes || err != nil {
		t.Fatalf("Confirm esc = %v, %v", yes, err)
	}
	menu := Pick{Menu: true, Accounts: []Account{{Label: "Check"}, {Label: "Quit"}}}
	if _, err := PickAccount(context.Background(), Options{In: strings.NewReader("\x1b\n"), Out: &strings.Builder{}}, menu); !errors.Is(err, ErrBack) {
		t.Fatalf("menu esc: %v", err)
	}
	if _, err := PickAccount(context.Background(), Options{In: strings.NewReader("\x1b\n"), Out: &strings.Builder{}}, Pick{Accounts: menu.Accounts}); !errors.Is(err, ErrCancelled) {
		t.Fatalf("picker esc: %v", err)
	}
}

// TestProseWrapsAtWords: at a fixed width every printed line fits and no
// word of the wording is cut in two (the terminal would cut it).
func TestProseWrapsAtWords(t *testing.T) {
	for _, width := range []int{24, 40} {
		out := &lockedBuffer{}
		res, err := RunFlow(context.Background(), Options{In: strings.NewReader("user@example.com\nhunter2\n"), Out: out, Width: width, Notice: "Demo, offline (keyring: memory only). Sign in with: demo@example.com / demo-password"},
			[]provider.Provider{scripted{flowtest.New()}}, addFlow(memStore(t)))
		if err != nil || res.Type != flow.ResultCreateEntry {
			t.Fatalf("%v %v", res.Type, err)
		}
		got := out.String()
		for _, line := range strings.Split(got, "\n") {
			// A prompt line holds the typed answer's start too (input is
			// not echoed here), so it is judged without it.
			if n := len([]rune(line)); n > width && !strings.Contains(line, "demo-password") {
				t.Errorf("width %d: line of %d: %q", width, n, line)
			}
		}
		flat := strings.Join(strings.Fields(got), " ")
		for _, w := range []string{"Sign in with your Test Service account.", "✓ Added your Test Service account: user@example.com", "(keyring: memory only)"} {
			if !strings.Contains(flat, w) {
				t.Errorf("width %d: %q cut:\n%s", width, w, got)
			}
		}
	}
}

// TestPickItemsHang: a numbered choice too wide for the line continues
// under its text, not under its number, so each number still starts an
// item of its own.
func TestPickItemsHang(t *testing.T) {
	out := &strings.Builder{}
	menu := Pick{Menu: true, Accounts: []Account{{Label: "Niech logowanie wygaśnie, potem je sprawdź (--status)"}, {Label: "Zakończ"}}}
	if _, err := PickAccount(context.Background(), Options{In: strings.NewReader("2\n"), Out: out, Width: 40}, menu); err != nil {
		t.Fatal(err)
	}
	if want := "  1) Niech logowanie wygaśnie, potem je\n     sprawdź (--status)\n  2) Zakończ\n"; !strings.Contains(out.String(), want) {
		t.Errorf("got\n%s\nwant it to hold\n%s", out.String(), want)
	}
}
