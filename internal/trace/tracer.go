package trace

import (
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// MaxBody is how much of each body a trace shows; the rest still reaches
// the caller, untouched.
const MaxBody = 64 << 10

// Tracer writes the redacted HTTP trace. Its methods are safe for concurrent
// use, and a nil *Tracer does nothing, so callers need no nil checks.
type Tracer struct {
	mu       sync.Mutex
	w        io.Writer
	start    time.Time
	seq      int
	secrets  map[string]int // value -> registrations still open
	variants []string       // spellings of every open secret; replaced, never mutated
	learned  *learner
	err      error
}

// New starts a trace on w with a header line; offsets in the trace count
// from here.
func New(w io.Writer) *Tracer {
	t := &Tracer{w: w, start: time.Now(), secrets: map[string]int{}, learned: newLearner()}
	t.write(fmt.Sprintf("# setupwizard HTTP trace, started %s; secrets are redacted\n", t.start.Format(time.RFC3339)))
	return t
}

// Wrap returns rt wrapped so every exchange is traced; with a nil Tracer it
// returns rt itself. It has the shape of provider.Options.Wrap.
func (t *Tracer) Wrap(rt http.RoundTripper) http.RoundTripper {
	if t == nil {
		return rt
	}
	if rt == nil {
		rt = http.DefaultTransport
	}
	return &transport{t: t, next: rt}
}

// Note writes a free-form line (a flow's outcome, an error's cause),
// redacted like everything else.
func (t *Tracer) Note(format string, args ...any) {
	if t == nil {
		return
	}
	r := t.redactor()
	msg := r.text(fmt.Sprintf(format, args...))
	t.write(r.final(fmt.Sprintf("--- %s note: %s\n\n", t.offset(), msg)))
}

// Secret registers an exact value (the password of the validation about to
// run) to be replaced wherever and however escaped it appears. Every Secret
// needs a matching Forget; registrations of one value nest.
func (t *Tracer) Secret(s string) {
	if t == nil || s == "" {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.secrets[s]++
	t.rebuild()
}

// Forget ends one registration of s, so the tracer holds the value no
// longer than the validation that needed it.
func (t *Tracer) Forget(s string) {
	if t == nil || s == "" {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.secrets[s] <= 1 {
		delete(t.secrets, s)
	} else {
		t.secrets[s]--
	}
	t.rebuild()
}

// Redact applies the trace's redaction, registered secrets included, to s:
// for text the caller prints itself (an error cause on stderr).
func (t *Tracer) Redact(s string) string {
	if t == nil {
		return RedactText(s)
	}
	r := t.redactor()
	return r.final(r.text(s))
}

// Err is the first error writing the trace, so the command can tell the
// user their --debug file is incomplete.
func (t *Tracer) Err() error {
	if t == nil {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.err
}

// rebuild recomputes variants; t.mu is held.
func (t *Tracer) rebuild() {
	var vs []string
	for s := range t.secrets {
		vs = append(vs, secretVariants(s)...)
	}
	t.variants = sortLongestFirst(vs)
}

func (t *Tracer) redactor() redactor {
	t.mu.Lock()
	defer t.mu.Unlock()
	return redactor{variants: t.variants, l: t.learned}
}

func (t *Tracer) offset() string {
	return fmt.Sprintf("+%.3fs", time.Since(t.start).Seconds())
}

// write emits one whole record in a single Write, so concurrent records
// never interleave.
func (t *Tracer) write(s string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, err := io.WriteString(t.w, escapeControls(s)); err != nil && t.err == nil {
		t.err = fmt.Errorf("write debug trace: %w", err)
	}
}

// nextSeq numbers exchanges in the order they finish.
func (t *Tracer) nextSeq() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.seq++
	return t.seq
}
