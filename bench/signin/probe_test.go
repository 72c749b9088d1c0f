package main

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/setupwizard/setupwizard/internal/loopback"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

// TestProbeCounts checks the wrapper against a real TLS server on loopback:
// every request is counted and labelled without its query, one keep-alive
// connection carries them all, and the injected latency is at least added.
func TestProbeCounts(t *testing.T) {
	ca, err := loopback.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	srv, err := ca.Serve("127.0.0.1", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "ok")
	}))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	p := &probe{latency: 5 * time.Millisecond, names: map[string]string{u.Host: "srv"}}
	c := provider.Options{RootCAs: ca.Pool, Wrap: p.wrap}.Client(nil)
	defer c.CloseIdleConnections()
	start := time.Now()
	for _, path := range []string{"/a?code=secret", "/b", "/a"} {
		resp, err := c.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
	}
	if d := time.Since(start); d < 15*time.Millisecond {
		t.Errorf("3 requests at 5ms injected latency took %v, want at least 15ms", d)
	}
	reqs, conns, hs := p.counts()
	want := []string{"GET srv/a", "GET srv/b", "GET srv/a"}
	if len(reqs) != len(want) {
		t.Fatalf("requests = %q, want %q", reqs, want)
	}
	for i := range want {
		if reqs[i] != want[i] {
			t.Errorf("request %d = %q, want %q", i, reqs[i], want[i])
		}
	}
	if conns != 1 || hs != 1 {
		t.Errorf("connections %d, handshakes %d; want 1 and 1 (keep-alive)", conns, hs)
	}
	p.reset()
	if reqs, conns, hs := p.counts(); len(reqs)+conns+hs != 0 {
		t.Errorf("after reset: %d requests, %d connections, %d handshakes", len(reqs), conns, hs)
	}
}

// TestProbeLatencyHonoursCancel: a cancelled request stops waiting at once
// and never reaches the next transport.
func TestProbeLatencyHonoursCancel(t *testing.T) {
	reached := false
	next := roundTripFunc(func(*http.Request) (*http.Response, error) {
		reached = true
		return nil, errors.New("must not be called")
	})
	rt := (&probe{latency: time.Hour}).wrap(next)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "https://127.0.0.1/", nil)
	if _, err := rt.RoundTrip(req); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if reached {
		t.Error("the cancelled request reached the next transport")
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
