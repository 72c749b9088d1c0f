package vterm

import (
	"os"
	"strings"
	"testing"
	"time"
)

// script exercises what the e2e suite relies on: a redraw that erases
// earlier text, typed keys, SIGWINCH on resize and the exit code.
const script = `
printf 'hello'; printf '\033[2J\033[Hworld\n'
w=no; trap 'w=yes' WINCH
read -r line
echo "got:$line"
read -r again
echo "size:$(stty size) winch:$w"
read -r again
exit 7
`

func TestTerm(t *testing.T) {
	term, err := Start("/bin/bash", []string{"-c", script}, append(os.Environ(), "TERM=xterm-256color"), 80, 24)
	if err != nil {
		t.Fatal(err)
	}
	defer term.Close()
	const wait = 10 * time.Second
	if err := term.WaitFor("world", wait); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(term.Screen(), "hello") {
		t.Fatalf("cleared text still on screen:\n%s", term.Screen())
	}
	if !strings.Contains(string(term.Raw()), "hello") {
		t.Fatal("raw log lost output that was later erased")
	}
	if err := term.Type("abc" + Enter); err != nil {
		t.Fatal(err)
	}
	if err := term.WaitFor("got:abc", wait); err != nil {
		t.Fatal(err)
	}
	if err := term.Resize(40, 20); err != nil {
		t.Fatal(err)
	}
	if err := term.Type("x" + Enter); err != nil {
		t.Fatal(err)
	}
	if err := term.WaitFor("size:20 40 winch:yes", wait); err != nil {
		t.Fatal(err)
	}
	if err := term.Type("x" + Enter); err != nil {
		t.Fatal(err)
	}
	code, err := term.Wait(wait)
	if err != nil {
		t.Fatal(err)
	}
	if code != 7 {
		t.Fatalf("exit code %d, want 7", code)
	}
	if err := term.WaitFor("never shown", wait); err == nil {
		t.Fatal("WaitFor after exit found text that was never drawn")
	}
}

// TestFilter: the sequences vt10x misreads are dropped, also when a read
// splits them, and everything else passes unchanged.
func TestFilter(t *testing.T) {
	in := "a\x1b[>1u\x1b[?u\x1b[>4;2m\x1b[?2026$pb\x1b[1mc\x1b[m\x1b[<1ud"
	for split := range len(in) + 1 {
		var f vtFilter
		got := string(f.feed([]byte(in[:split]))) + string(f.feed([]byte(in[split:])))
		if want := "a" + "b\x1b[1mc\x1b[m" + "d"; got != want {
			t.Fatalf("split at %d: %q, want %q", split, got, want)
		}
	}
}
