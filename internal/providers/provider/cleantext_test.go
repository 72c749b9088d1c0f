package provider

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCleanText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "Jan Kowalski", "Jan Kowalski"},
		{"polish letters", "Łukasz Żółć", "Łukasz Żółć"},
		{"trim and collapse", "  Jan \t\n Kowalski\r\n", "Jan Kowalski"},
		{"osc title with BEL and clear screen", "Jan\x1b]0;pwned\x07\x1b[2JKowalski", "JanKowalski"},
		{"osc with ST", "a\x1b]8;;https://evil\x1b\\link\x1b]8;;\x1b\\b", "alinkb"},
		{"csi colour", "\x1b[1;31mred\x1b[0m", "red"},
		{"csi private", "\x1b[?1049hx", "x"},
		{"two-byte escape", "a\x1bcb", "ab"},
		{"escape before non-ascii", "a\x1bł", "ał"},
		{"lone escape at the end", "abc\x1b", "abc"},
		{"unterminated osc eats the rest", "abc\x1b]0;title", "abc"},
		{"dcs string", "a\x1bPq#0;2;0;0;0\x1b\\b", "ab"},
		{"c1 csi", "a\u009b31mb", "ab"},
		{"c1 osc to st", "a\u009d0;t\u009cb", "ab"},
		{"c0 and c1 controls", "a\x00\x08\x7fb\u0085c\u0090", "ab c"},
		{"bidi override", "abc\u202egnp.exe", "abcgnp.exe"},
		{"bidi isolates and marks", "\u2066a\u2069\u200eb\u200f\u061c\ufeffc", "abc"},
		{"zero-width joiner kept", "👩\u200d💻", "👩\u200d💻"},
		{"invalid utf-8 dropped", "a\xffb", "ab"},
		{"only controls", "\x1b[2J\x07", ""},
		{"line separators", "a\u2028b\u2029c", "a b c"},
	}
	for _, tc := range tests {
		if got := CleanText(tc.in); got != tc.want {
			t.Errorf("%s: CleanText(%q) = %q, want %q", tc.name, tc.in, got, tc.want)
		}
	}
}

func TestCleanTextCap(t *testing.T) {
	long := strings.Repeat("ż", MaxTextLen+50)
	got := CleanText(long)
	if want := strings.Repeat("ż", MaxTextLen) + "..."; got != want {
		t.Fatalf("cap: got %d runes", utf8.RuneCountInString(got))
	}
	exact := strings.Repeat("a", MaxTextLen)
	if got := CleanText(exact); got != exact {
		t.Fatalf("exactly the cap was cut: %q", got)
	}
	spaced := strings.Repeat("a", MaxTextLen-1) + " b"
	if got := CleanText(spaced); got != strings.Repeat("a", MaxTextLen-1)+"..." {
		t.Fatalf("a space at the cap: %q", got)
	}
}

func FuzzCleanText(f *testing.F) {
	for _, s := range []string{"Jan Kowalski", "a\x1b]0;x\x07b", "\x1b[2J", "\u202eabc", "a\u009b1mb", "\x1bP\x1b\x1b\\", "  x  "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := CleanText(s)
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 out of %q", s)
		}
		if n := utf8.RuneCountInString(out); n > MaxTextLen+3 {
			t.Fatalf("%d runes out of %q", n, s)
		}
		if out != strings.TrimSpace(out) || strings.Contains(out, "  ") {
			t.Fatalf("untrimmed %q out of %q", out, s)
		}
		for _, r := range out {
			if r < 0x20 || (r >= 0x7f && r <= 0x9f) || invisible(r) || r == 0x2028 || r == 0x2029 {
				t.Fatalf("%U left in %q out of %q", r, out, s)
			}
		}
		if !strings.HasSuffix(out, "...") && CleanText(out) != out {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, out, CleanText(out))
		}
	})
}
