package trace

import (
	"net/http"
	"strings"
)

// redactor is the structural redaction plus one snapshot of the registered
// secrets and the tracer's learner. Secrets are scrubbed before the
// structural pass (so it cannot split one and leave a piece) and last of all
// (a JSON re-write may unescape one, a marker may complete one).
type redactor struct {
	variants []string
	l        *learner
}

func (r redactor) pre(s string) string { return scrub(s, r.variants) }

// final is the last pass over a whole rendered record.
func (r redactor) final(s string) string { return scrub(r.l.replace(s), r.variants) }

func (r redactor) text(s string) string { return r.final(r.l.text(r.pre(s))) }

func (r redactor) url(s string) string { return r.final(r.l.url(r.pre(s))) }

func (r redactor) header(h http.Header) http.Header {
	c := make(http.Header, len(h))
	for k, vs := range h {
		pre := make([]string, len(vs))
		for i, v := range vs {
			pre[i] = r.pre(v)
		}
		c[k] = pre
	}
	out := r.l.header(c)
	for k, vs := range out {
		for i, v := range vs {
			vs[i] = r.final(v)
		}
		out[k] = vs
	}
	return out
}

// body redacts a captured body; cut says the capture stopped at MaxBody, so
// its tail may hold the start of a secret or of an unterminated value.
func (r redactor) body(contentType string, b []byte, cut bool) string {
	if cut {
		b = trimPartial(b, r.variants)
	}
	s := r.pre(string(b))
	if cut {
		// A cut JSON document does not parse; RedactText copes with
		// unterminated values.
		return r.final(r.l.text(s))
	}
	return r.final(string(r.l.body(contentType, []byte(s))))
}

// lines prefixes every line of s, so a body cannot fake a record header.
func lines(prefix, s string) string {
	s = strings.TrimSuffix(s, "\n")
	return prefix + strings.ReplaceAll(s, "\n", "\n"+prefix) + "\n"
}
