package ui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

// Both prompts read real key bytes from In, as from a terminal.
func TestPickEntry(t *testing.T) {
	items := []string{"Test Service  user@example.com", "Test Service  other@example.com  auth_expired"}
	tests := []struct {
		input   string
		want    int
		wantErr error
		summary string
	}{
		{"\r", 0, nil, "Choose an account: Test Service  user@example.com"},
		{"j\r", 1, nil, "Choose an account: Test Service  other@example.com  auth_expired"},
		{"\x1b[B\r", 1, nil, ""},       // down arrow
		{"jj\r", 0, nil, ""},           // wraps around
		{"\x1b[B\x1b[A\r", 0, nil, ""}, // down, up
		{"\x03", -1, ErrCancelled, "✗ Cancelled."},
	}
	for _, tt := range tests {
		t.Run(strings.ReplaceAll(tt.input, "\x1b", "ESC"), func(t *testing.T) {
			scr := newScreen()
			got, err := PickEntry(context.Background(), Options{In: strings.NewReader(tt.input), Out: scr, NoColor: true, Width: 80, Height: 24}, items)
			if got != tt.want || !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("got %d, %v; want %d, %v", got, err, tt.want, tt.wantErr)
			}
			if final := text(scr.Bytes(), 80, 24); !strings.Contains(final, tt.summary) {
				t.Fatalf("summary %q missing:\n%s", tt.summary, final)
			}
		})
	}
	if _, err := PickEntry(context.Background(), Options{}, nil); err == nil {
		t.Fatal("no error for an empty list")
	}
}

// TestPickAccount: the question is on the picker, urgent accounts come
// first with the cursor on them, the answer is the index the caller gave,
// and one clean line (no note, no padding) is left behind.
func TestPickAccount(t *testing.T) {
	tests := []struct {
		lang, input string
		want        int
		summary     string
	}{
		{"en", "\r", 1, "Which account do you want to sign in again? Librus Synergia · jan.kowalski\n"},
		{"en", "j\r", 0, "Which account do you want to sign in again? Flame Connect · anna@example.com\n"},
		{"en", "jj\r", 2, "Which account do you want to sign in again? Test Service · user@example.com\n"},
		{"pl", "\r", 1, "Które konto zalogować ponownie? Librus Synergia · jan.kowalski\n"},
		{"pl", "\x03", -1, "✗ Anulowano.\n"},
	}
	for _, tt := range tests {
		t.Run(tt.lang+"/"+strings.ReplaceAll(tt.input, "\x1b", "ESC"), func(t *testing.T) {
			scr := newScreen()
			got, err := PickAccount(context.Background(), Options{In: strings.NewReader(tt.input), Out: scr, NoColor: true, Lang: tt.lang, Width: 80, Height: 24}, reauthPick(tt.lang))
			if got != tt.want || (tt.want < 0) != errors.Is(err, ErrCancelled) {
				t.Fatalf("got %d, %v; want %d", got, err, tt.want)
			}
			if final := text(scr.Bytes(), 80, 24); final != tt.summary {
				t.Fatalf("left on screen:\n%q\nwant\n%q", final, tt.summary)
			}
		})
	}
}

// TestPickAccountStart: after esc came back from an account's form, the
// cursor starts on that account.
func TestPickAccountStart(t *testing.T) {
	p := reauthPick("en")
	p.Start = 3 // Test Service, listed last
	got, err := PickAccount(context.Background(), Options{In: strings.NewReader("\r"), Out: newScreen(), NoColor: true, Width: 80, Height: 24}, p)
	if err != nil || got != 2 {
		t.Fatalf("got %d, %v; want 2", got, err)
	}
}

func TestConfirm(t *testing.T) {
	tests := []struct {
		lang, input string
		want        bool
		wantErr     error
	}{
		{"en", "y", true, nil},
		{"en", "Y", true, nil},
		{"en", "n", false, nil},
		{"en", "\r", false, nil},
		{"en", "xy", true, nil}, // other keys are ignored
		{"pl", "t", true, nil},
		{"en", "\x03", false, ErrCancelled},
		{"en", "\x1b", false, nil}, // esc declines, as n does
		{"pl", "n", false, nil},
		{"pl", "\x1b", false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.lang+"/"+tt.input, func(t *testing.T) {
			scr := newScreen()
			got, err := Confirm(context.Background(), Options{In: strings.NewReader(tt.input), Out: scr, NoColor: true, Lang: tt.lang, Width: 80, Height: 24}, "Remove the entry?")
			if got != tt.want || !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("got %v, %v; want %v, %v", got, err, tt.want, tt.wantErr)
			}
			// Inline: one line, the question with its answer, is left.
			final := text(scr.Bytes(), 80, 24)
			if strings.Count(final, "\n") != 1 || !strings.HasPrefix(final, "Remove the entry? ") {
				t.Fatalf("left on screen:\n%q", final)
			}
			if bytes.Contains(scr.Bytes(), []byte("\x1b[?1049h")) {
				t.Fatal("the confirmation used the alternate screen")
			}
		})
	}
}

// TestConfirmWrapped: a question wrapped onto several lines is left once,
// with its answer, below the output before it (Bubble Tea erases the last
// line of an inline program's last frame; printing the question again
// from there showed its first lines twice).
func TestConfirmWrapped(t *testing.T) {
	const above = "output above"
	question := "Remove this Librus Synergia account and its saved sign-in: Anna Kowalska?"
	tests := []struct {
		lang, input, answer string
		width               int
	}{
		{"en", "n", "no", 80},
		{"en", "y", "yes", 40},
		{"en", "\x1b", "no", 40},
		{"en", "\x03", "✗ Cancelled.", 40},
		{"pl", "t", "tak", 30},
		{"pl", "\r", "nie", 80},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%d/%q", tt.lang, tt.width, tt.input), func(t *testing.T) {
			scr := newScreen()
			_, _ = io.WriteString(scr, above+"\n")
			_, _ = Confirm(context.Background(), Options{In: strings.NewReader(tt.input), Out: scr, NoColor: true, Lang: tt.lang, Width: tt.width, Height: 12}, question)
			final := text(scr.Bytes(), tt.width, 12)
			flat := strings.Join(strings.Fields(final), " ")
			if n := strings.Count(flat, "Anna Kowalska?"); n != 1 {
				t.Fatalf("the question is left %d times, want once:\n%s", n, final)
			}
			if !strings.HasPrefix(final, above+"\n") || !strings.HasSuffix(flat, " "+tt.answer) {
				t.Fatalf("want the output above, then the question ending in %q:\n%s", tt.answer, final)
			}
		})
	}
}

// TestPickMenu: a menu (Pick.Menu) is drawn below the output already on
// the terminal, not on the alternate screen, and leaves only the choice
// behind it; esc is the menu's normal end (ErrBack, nothing left), ctrl+c
// a cancel.
func TestPickMenu(t *testing.T) {
	const above = "✓ the last step's output"
	menu := Pick{Question: "What next?", Menu: true, Accounts: []Account{{Label: "Check the sign-in"}, {Label: "List accounts"}, {Label: "Quit"}}}
	tests := []struct {
		input   string
		want    int
		wantErr error
		left    string
	}{
		{"j\r", 1, nil, above + "\n> List accounts\n"},
		{"\r", 0, nil, above + "\n> Check the sign-in\n"},
		{"\x1b", -1, ErrBack, above + "\n"},
		{"\x03", -1, ErrCancelled, above + "\n✗ Cancelled.\n"},
	}
	for _, tt := range tests {
		for _, h := range []int{24, 6} {
			t.Run(fmt.Sprintf("%q/%d", tt.input, h), func(t *testing.T) {
				scr := newScreen()
				_, _ = io.WriteString(scr, above+"\n")
				got, err := PickAccount(context.Background(), Options{In: strings.NewReader(tt.input), Out: scr, NoColor: true, Width: 40, Height: h}, menu)
				if got != tt.want || !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
					t.Fatalf("got %d, %v; want %d, %v", got, err, tt.want, tt.wantErr)
				}
				// A short terminal scrolls the output above out of sight
				// while the menu is up; what is left ends the screen.
				final := text(scr.Bytes(), 40, h)
				if (h == 24 && final != tt.left) || !strings.HasSuffix(final, strings.TrimPrefix(tt.left, above+"\n")) {
					t.Fatalf("left on screen:\n%q\nwant\n%q", final, tt.left)
				}
				if bytes.Contains(scr.Bytes(), []byte("\x1b[?1049h")) {
					t.Fatal("the menu used the alternate screen")
				}
			})
		}
	}
}
