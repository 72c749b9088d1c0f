package trace

import (
	"bytes"
	"strings"
	"testing"
)

// A server-supplied name with escape sequences reaches the trace escaped.
func TestTraceEscapesControls(t *testing.T) {
	var buf bytes.Buffer
	tr := New(&buf)
	tr.Note("name %s", "Anna\x1b]0;pwned\x07\x1b[2J\u202eKowalska\nnext\tline")
	out := buf.String()
	for _, bad := range []string{"\x1b", "\x07", "\u202e"} {
		if strings.Contains(out, bad) {
			t.Fatalf("trace holds %q: %q", bad, out)
		}
	}
	if !strings.Contains(out, `\u001b]0;pwned\u0007`) || !strings.Contains(out, "next\tline") {
		t.Fatalf("trace %q", out)
	}
}

// A lone carriage return would let what follows it overwrite the line on a
// terminal; the CR of a CRLF (HTTP bodies) stays as it is.
func TestTraceEscapesLoneCarriageReturn(t *testing.T) {
	cases := []struct{ in, want string }{
		{"Anna\rhttps://evil.example/", `Anna\u000dhttps://evil.example/`},
		{"line one\r\nline two", "line one\r\nline two"},
		{"mid\rdle", `mid\u000ddle`},
		{"\r\r\n", "\\u000d\r\n"},
	}
	for _, c := range cases {
		var buf bytes.Buffer
		New(&buf).Note("%s", c.in)
		if !strings.Contains(buf.String(), c.want) {
			t.Errorf("trace of %q is %q, want it to hold %q", c.in, buf.String(), c.want)
		}
	}
}
