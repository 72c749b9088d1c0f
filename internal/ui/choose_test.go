package ui

import (
	"context"
	"errors"
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
	}
	for _, tt := range tests {
		t.Run(tt.lang+"/"+tt.input, func(t *testing.T) {
			scr := newScreen()
			got, err := Confirm(context.Background(), Options{In: strings.NewReader(tt.input), Out: scr, NoColor: true, Lang: tt.lang, Width: 80, Height: 24}, "Remove the entry?")
			if got != tt.want || !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("got %v, %v; want %v, %v", got, err, tt.want, tt.wantErr)
			}
			if tt.wantErr == nil && !strings.Contains(text(scr.Bytes(), 80, 24), "Remove the entry?") {
				t.Fatal("question and answer not left on screen")
			}
		})
	}
}
