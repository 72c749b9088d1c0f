package trace

import (
	"net/url"
	"strings"
	"sync"
)

const (
	// minLearn keeps short values ("ok", "Bearer", "1") from being redacted
	// all over the trace.
	minLearn = 8
	// maxLearn bounds memory and the cost of the final pass; the oldest
	// values go first, when their requests are long done.
	maxLearn = 512
)

// learner remembers values the structural redaction removed (codes, tokens,
// cookie and csrf values) so the same value is also removed where no rule
// would spot it: in an error message, a note, an echo in another body.
// Values of password-like fields are not kept: a password lives in a
// Tracer only between Secret and Forget. A nil *learner learns nothing,
// which is what the stateless exported functions use.
type learner struct {
	mu    sync.Mutex
	seen  map[string]bool
	order []string
	rep   *strings.Replacer // nil until something is learned
	dirty bool
}

func newLearner() *learner { return &learner{seen: map[string]bool{}} }

// passwordWords mark names whose values are never remembered.
var passwordWords = []string{"password", "passwd", "passphrase", "pwd"}

func isPasswordName(name string) bool {
	n := normName(name)
	if n == "pass" || n == "pin" {
		return true
	}
	for _, w := range passwordWords {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// add remembers v, unless it came from a password-like field named name.
func (l *learner) add(name, v string) {
	if l == nil || len(v) < minLearn || v == Redacted || isPasswordName(name) {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.seen[v] {
		return
	}
	l.seen[v] = true
	l.order = append(l.order, v)
	if len(l.order) > maxLearn {
		delete(l.seen, l.order[0])
		l.order = l.order[1:]
	}
	l.dirty = true
}

// addEscaped remembers a URL-encoded value in its encoded and plain forms.
func (l *learner) addEscaped(name, v string) {
	if l == nil {
		return
	}
	l.add(name, v)
	if dec, err := url.QueryUnescape(v); err == nil && dec != v {
		l.add(name, dec)
	}
}

// replace removes every remembered value (raw, URL- or JSON-escaped) from s
// in one pass, longest first.
func (l *learner) replace(s string) string {
	if l == nil {
		return s
	}
	l.mu.Lock()
	if l.dirty {
		var olds []string
		for _, v := range l.order {
			olds = append(olds, v, url.QueryEscape(v), jsonEscape(v, jsonStyle{html: true}))
		}
		olds = sortLongestFirst(olds)
		args := make([]string, 0, 2*len(olds))
		for _, o := range olds {
			args = append(args, o, Redacted)
		}
		l.rep = strings.NewReplacer(args...)
		l.dirty = false
	}
	rep := l.rep
	l.mu.Unlock()
	if rep == nil {
		return s
	}
	return rep.Replace(s)
}
