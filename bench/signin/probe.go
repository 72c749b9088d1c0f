package main

import (
	"crypto/tls"
	"net/http"
	"net/http/httptrace"
	"sync"
	"time"
)

// probe is the transport wrapper handed to the providers as
// provider.Options.Wrap: it injects latency client-side (a fixed delay
// before each request is forwarded, as a round trip to a distant server
// would add) and counts what crosses the transport: requests, new
// connections and TLS handshakes.
type probe struct {
	latency time.Duration
	// names labels hosts (host:port) in the request log.
	names map[string]string

	mu         sync.Mutex
	requests   []string
	conns      int
	handshakes int
}

func (p *probe) wrap(next http.RoundTripper) http.RoundTripper { return probeRT{p: p, next: next} }

// reset forgets the counts of the previous run.
func (p *probe) reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.requests, p.conns, p.handshakes = nil, 0, 0
}

// counts returns the requests (a copy), new connections and handshakes.
func (p *probe) counts() ([]string, int, int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.requests...), p.conns, p.handshakes
}

type probeRT struct {
	p    *probe
	next http.RoundTripper
}

func (rt probeRT) RoundTrip(req *http.Request) (*http.Response, error) {
	p := rt.p
	host := p.names[req.URL.Host]
	if host == "" {
		host = req.URL.Host
	}
	p.mu.Lock()
	// The path only: queries carry codes, csrf values and state.
	p.requests = append(p.requests, req.Method+" "+host+req.URL.Path)
	p.mu.Unlock()
	if p.latency > 0 {
		// The injected latency itself, not a synchronisation delay.
		t := time.NewTimer(p.latency)
		select {
		case <-t.C:
		case <-req.Context().Done():
			t.Stop()
			if req.Body != nil {
				_ = req.Body.Close()
			}
			return nil, req.Context().Err()
		}
	}
	trace := &httptrace.ClientTrace{
		GotConn: func(info httptrace.GotConnInfo) {
			if !info.Reused {
				p.mu.Lock()
				p.conns++
				p.mu.Unlock()
			}
		},
		TLSHandshakeDone: func(tls.ConnectionState, error) {
			p.mu.Lock()
			p.handshakes++
			p.mu.Unlock()
		},
	}
	req = req.WithContext(httptrace.WithClientTrace(req.Context(), trace))
	return rt.next.RoundTrip(req)
}
