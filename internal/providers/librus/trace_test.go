package librus

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/setupwizard/setupwizard/internal/providers/librus/emulator"
	"github.com/setupwizard/setupwizard/internal/trace"
)

// lockedBuffer is a trace sink safe for the transport's writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestTraceHoldsNoSecrets runs a sign-in through every grant variant
// (required actions, PerformLogin twice, the landing page), then Check and
// Token, under the --debug tracer with no secret registered: the trace
// must show the exchanges yet hold neither the password nor any cookie
// value, OAuth code or state the emulator handed out, nor the cookie
// header Token prints. The structural redaction alone must be enough.
func TestTraceHoldsNoSecrets(t *testing.T) {
	r := newRig(t)
	const password = "Trace-Pass-8Hq!"
	r.em.AddUser("7654321u", password, "Ewa", "Lis")
	var sink lockedBuffer
	tr := trace.New(&sink)
	opts := r.options(testTimeout)
	inner := opts.Wrap
	opts.Wrap = func(rt http.RoundTripper) http.RoundTripper { return tr.Wrap(inner(rt)) }
	r.em.SetShape(emulator.Shape{RequiredActions: emulator.RequiredActionsSkipJSON, PerformLoginTwice: true, GatewayAfterLanding: true, Landing: "/uczen/index"})
	p := New(opts)

	acc, err := p.Validate(context.Background(), map[string]string{FieldUsername: "7654321u", FieldPassword: password}, nil)
	if err != nil {
		t.Fatalf("Validate: %v", err)
	}
	checked, err := p.Check(context.Background(), acc.Cache)
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	cred, renewed, err := p.Token(context.Background(), checked, 5*time.Minute)
	if err != nil {
		t.Fatalf("Token: %v", err)
	}
	if err := tr.Err(); err != nil {
		t.Fatal(err)
	}

	secrets := []string{password, url.QueryEscape(password), cred.Value}
	for _, cache := range [][]byte{acc.Cache, checked, renewed} {
		if cache == nil {
			continue // Token right after Check uses the stored session
		}
		s, err := ParseSession(cache)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range s.Cookies {
			secrets = append(secrets, c.Value)
		}
	}
	for _, q := range r.em.Log() {
		v, _ := url.ParseQuery(q.RawQuery)
		secrets = append(secrets, v.Get("code"), v.Get("state"))
		for _, sc := range q.SetCookie {
			nv, _, _ := strings.Cut(sc, ";")
			_, val, _ := strings.Cut(nv, "=")
			secrets = append(secrets, val)
		}
	}
	got := sink.String()
	for _, want := range []string{"POST", "/OAuth/Authorization/2FA", "/uczen/index", "/refreshToken", "/gateway/api/2.0/Auth/TokenInfo", "Set-Cookie"} {
		if !strings.Contains(got, want) {
			t.Fatalf("trace lacks %q: the test would prove nothing", want)
		}
	}
	n := 0
	for _, s := range secrets {
		if len(s) < 8 {
			continue
		}
		n++
		if strings.Contains(got, s) {
			t.Errorf("trace holds a secret of %d bytes (starts %q)", len(s), s[:4])
		}
	}
	if n < 10 {
		t.Fatalf("only %d secrets checked", n)
	}
}
