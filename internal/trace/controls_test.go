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
