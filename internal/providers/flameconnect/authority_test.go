package flameconnect

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

func TestParseAuthority(t *testing.T) {
	good := []struct{ in, host, prefix, tenant, policy string }{
		{DefaultAuthority, "gdhvb2cflameconnect.b2clogin.com", "", fcTenant, fcPolicy},
		{"https://127.0.0.1:8443/t.onmicrosoft.com/B2C_1A_X/", "127.0.0.1:8443", "", "t.onmicrosoft.com", "B2C_1A_X"},
		{"https://HOST.example/t/p", "HOST.example", "", "t", "p"},
		// A proxy prefix: MSAL Go v1.10.1 reads {authority}/v2.0/.well-known/... at any depth.
		{"https://proxy.example/b2c/eu/t/p/", "proxy.example", "/b2c/eu", "t", "p"},
	}
	for _, tc := range good {
		a, err := parseAuthority(tc.in)
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		if a.host != tc.host || a.prefix != tc.prefix || a.tenant != tc.tenant || a.policy != tc.policy ||
			a.raw != "https://"+strings.SplitN(tc.in, "/", 4)[2]+tc.prefix+"/"+tc.tenant+"/"+tc.policy {
			t.Errorf("%q: %+v", tc.in, a)
		}
	}
	for _, bad := range []string{"", "http://h/t/p", "https:///t/p", "https://h/t", "https://u:p@h/t/p", "https://h/t/p?x=1",
		"https://h/t/p?", "https://h/t/p#f", "https://h/../p", "ftp://h/t/p", "https://h/a%2Fb/p", "https://h/t//p", "https://h/1/2/3/4/5/6/7/t/p"} {
		_, err := parseAuthority(bad)
		if err == nil {
			t.Errorf("%q: accepted", bad)
			continue
		}
		if !errors.Is(err, errAuthorityShape) || !strings.Contains(err.Error(), "https://host[:port][/proxy-prefix]/tenant/policy") {
			t.Errorf("%q: error %q does not say which shape is expected", bad, err)
		}
	}
}

// The session built for an authority lets requests go to its https host
// only (any spelling of it), whoever builds them.
func TestSessionAllowsOnlyTheAuthority(t *testing.T) {
	sess := newSession(provider.Options{}, testAuthority(t), nil)
	for raw, want := range map[string]bool{
		"https://login.example:8443/x":   true,
		"https://LOGIN.example:8443/x":   true,
		"https://login.example/x":        false,
		"http://login.example:8443/x":    false,
		"https://evil.example:8443/x":    false,
		"https://u@login.example:8443/x": false,
	} {
		u, _ := url.Parse(raw)
		if got := sess.Allowed(u); got != want {
			t.Errorf("Allowed(%s) = %v, want %v", raw, got, want)
		}
	}
}

type stubTransport struct {
	calls int
	body  string
}

func (s *stubTransport) RoundTrip(*http.Request) (*http.Response, error) {
	s.calls++
	return &http.Response{StatusCode: 200, Body: io.NopCloser(strings.NewReader(s.body)), Header: http.Header{}}, nil
}

// MSAL's requests go through the session's client: a foreign host is
// refused before the wire, and bodies are capped at maxBody.
func TestSessionClientRefusesOtherHostsAndCapsBodies(t *testing.T) {
	next := &stubTransport{body: strings.Repeat("x", maxBody+1)}
	opts := provider.Options{Wrap: func(http.RoundTripper) http.RoundTripper { return next }}
	c := newSession(opts, testAuthority(t), nil).Client()
	req, _ := http.NewRequest("POST", "https://evil.example/steal", strings.NewReader("password=x"))
	if _, err := c.Do(req); !errors.Is(err, provider.ErrForeignHost) {
		t.Fatalf("foreign host: %v", err)
	}
	if next.calls != 0 {
		t.Fatal("the session let a foreign request through")
	}
	req, _ = http.NewRequest("GET", "https://login.example:8443/big", nil)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(resp.Body); !errors.Is(err, provider.ErrBodyTooLarge) {
		t.Fatalf("oversized body: %v", err)
	}
	next.body = strings.Repeat("x", maxBody)
	resp, _ = c.Do(req)
	if b, err := io.ReadAll(resp.Body); err != nil || len(b) != maxBody {
		t.Fatalf("a body of exactly the cap: %d bytes, %v", len(b), err)
	}
}
