package provider_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/setupwizard/setupwizard/internal/loopback"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

// testServer is one loopback TLS server that counts its requests.
type testServer struct {
	*loopback.Server
	hits atomic.Int64
	u    *url.URL
}

func serve(t *testing.T, ca *loopback.CA, host string, h http.HandlerFunc) *testServer {
	t.Helper()
	ts := &testServer{}
	srv, err := ca.Serve(host, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ts.hits.Add(1)
		h(w, r)
	}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	ts.Server = srv
	ts.u, _ = url.Parse(srv.URL)
	return ts
}

func newCA(t *testing.T) *loopback.CA {
	t.Helper()
	ca, err := loopback.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	return ca
}

func session(ca *loopback.CA, cfg provider.SessionConfig) *provider.Session {
	return provider.NewSession(provider.Options{RootCAs: ca.Pool, Timeout: 5 * time.Second}, cfg)
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func wantKey(t *testing.T, err error, key string, cause error) {
	t.Helper()
	var pe *provider.Error
	if !errors.As(err, &pe) || pe.Key != key {
		t.Fatalf("error %v: want key %s", err, key)
	}
	if cause != nil && !errors.Is(err, cause) {
		t.Fatalf("error %v: want cause %v", err, cause)
	}
}

func TestSessionAllowed(t *testing.T) {
	s := provider.NewSession(provider.Options{}, provider.SessionConfig{
		Hosts:   []*url.URL{mustURL(t, "https://API.example.com"), mustURL(t, "https://127.0.0.1:8443")},
		Domains: []string{"librus.pl"},
	})
	tests := []struct {
		url  string
		want bool
	}{
		{"https://api.example.com/x", true},
		{"https://api.example.com:443/x", true},
		{"https://api.example.com:444/x", false},
		{"http://api.example.com/x", false},
		{"https://user:pw@api.example.com/x", false},
		{"https://127.0.0.1:8443/", true},
		{"https://127.0.0.1:8444/", false},
		{"https://synergia.librus.pl/", true},
		{"https://SYNERGIA.Librus.PL/", true},
		{"https://librus.pl.evil.com/", false},
		{"https://evillibrus.pl/", false},
		{"https://api.librus.pl:8443/", false},
		{"https://other.example.com/", false},
		{"ftp://api.example.com/", false},
	}
	for _, tc := range tests {
		if got := s.Allowed(mustURL(t, tc.url)); got != tc.want {
			t.Errorf("Allowed(%s) = %v, want %v", tc.url, got, tc.want)
		}
	}
}

// Nothing leaves the configured hosts: not by a redirect, not by a direct
// request, not through the client handed to a library, not over http.
func TestSessionNothingLeavesConfiguredHosts(t *testing.T) {
	ca := newCA(t)
	foreign := serve(t, ca, "127.0.0.2", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("secret-stealer"))
	})
	home := serve(t, ca, "127.0.0.1", func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/to-foreign":
			http.Redirect(w, r, foreign.URL+"/steal?code=x", http.StatusFound)
		case "/to-http":
			http.Redirect(w, r, "http://"+r.Host+"/plain", http.StatusFound)
		default:
			_, _ = w.Write([]byte("ok"))
		}
	})
	s := session(ca, provider.SessionConfig{Hosts: []*url.URL{home.u}})
	defer s.Close()
	ctx := context.Background()

	for _, path := range []string{"/to-foreign", "/to-http"} {
		_, err := s.Walk(ctx, provider.Walk{Step: "walk", Start: mustURL(t, home.URL+path)})
		wantKey(t, err, provider.KeyUnknown, provider.ErrForeignHost)
		if strings.Contains(err.Error(), "code=x") {
			t.Errorf("cause %v shows the query", err)
		}
	}
	if _, err := s.Get(ctx, "direct", mustURL(t, foreign.URL+"/"), nil); !errors.Is(err, provider.ErrForeignHost) {
		t.Errorf("direct request: %v, want ErrForeignHost", err)
	}
	req, _ := http.NewRequest(http.MethodPost, foreign.URL+"/token", strings.NewReader("password=x"))
	if resp, err := s.Client().Do(req); err == nil {
		_ = resp.Body.Close()
		t.Error("library client reached a foreign host")
	} else if !errors.Is(err, provider.ErrForeignHost) {
		t.Errorf("library client: %v, want ErrForeignHost", err)
	}
	if n := foreign.hits.Load(); n != 0 {
		t.Fatalf("foreign host got %d requests", n)
	}
	if a, err := s.Get(ctx, "home", mustURL(t, home.URL+"/"), nil); err != nil || string(a.Body) != "ok" {
		t.Fatalf("home: %v %v", a, err)
	}
}

func TestSessionWalk(t *testing.T) {
	ca := newCA(t)
	srv := serve(t, ca, "127.0.0.1", func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		switch {
		// A chain that requests PerformLogin twice, as a real client's does.
		case p == "/2fa":
			http.Redirect(w, r, "/perform", http.StatusFound)
		case p == "/perform":
			if c, err := r.Cookie("seen"); err == nil && c.Value == "1" {
				http.SetCookie(w, &http.Cookie{Name: "seen", Value: "2", Path: "/"})
				http.Redirect(w, r, "/grant", http.StatusFound)
				return
			}
			http.SetCookie(w, &http.Cookie{Name: "seen", Value: "1", Path: "/"})
			http.Redirect(w, r, "/perform", http.StatusFound)
		case p == "/grant":
			http.Redirect(w, r, "/end", http.StatusSeeOther)
		case p == "/end":
			_, _ = w.Write([]byte("end"))
		// A real loop through ever new URLs: only the hop cap stops it.
		case p == "/loop":
			n, _ := strconv.Atoi(r.URL.Query().Get("n"))
			http.Redirect(w, r, "/loop?n="+strconv.Itoa(n+1), http.StatusFound)
		// A loop on one URL: stopped by the visit cap.
		case p == "/self":
			http.Redirect(w, r, "/self", http.StatusFound)
		case p == "/down":
			http.Redirect(w, r, "/500", http.StatusFound)
		case p == "/500":
			w.WriteHeader(http.StatusBadGateway)
		case p == "/noloc":
			w.WriteHeader(http.StatusFound)
		case p == "/app":
			http.Redirect(w, r, "msal1234://auth?code=x", http.StatusFound)
		}
	})
	ctx := context.Background()
	newSession := func() *provider.Session {
		jar, _ := cookiejar.New(nil)
		return session(ca, provider.SessionConfig{Hosts: []*url.URL{srv.u}, Cookies: provider.JarCookies(jar)})
	}

	tests := []struct {
		name  string
		start string
		stop  func(*provider.Answer) (bool, error)
		visit int
		key   string
		cause error
		hits  int64
		body  string
	}{
		{name: "revisit tolerated", start: "/2fa", hits: 5, body: "end"},
		{name: "revisit refused when a page may be fetched once", start: "/2fa", visit: 1, key: provider.KeyUnknown, cause: provider.ErrRevisited, hits: 2},
		{name: "real loop stopped by the cap", start: "/loop", key: provider.KeyUnknown, cause: provider.ErrTooManyHops, hits: provider.DefaultMaxHops + 1},
		{name: "same URL forever", start: "/self", key: provider.KeyUnknown, cause: provider.ErrRevisited, hits: provider.DefaultMaxVisits},
		{name: "5xx in the chain", start: "/down", key: provider.KeyCannotConnect, hits: 2},
		{name: "redirect without Location", start: "/noloc", key: provider.KeyUnknown, hits: 1},
		{name: "stop at the app redirect", start: "/app", hits: 1,
			stop: func(a *provider.Answer) (bool, error) {
				return strings.HasPrefix(a.Header.Get("Location"), "msal"), nil
			}},
		{name: "stop refuses", start: "/2fa", hits: 1, key: "custom",
			stop: func(a *provider.Answer) (bool, error) { return false, &provider.Error{Key: "custom"} }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv.hits.Store(0)
			s := newSession()
			defer s.Close()
			a, err := s.Walk(ctx, provider.Walk{Step: "walk", Start: mustURL(t, srv.URL+tc.start), Stop: tc.stop, MaxVisits: tc.visit})
			if tc.key != "" {
				wantKey(t, err, tc.key, tc.cause)
			} else if err != nil {
				t.Fatal(err)
			} else if tc.body != "" && string(a.Body) != tc.body {
				t.Errorf("body %q, want %q", a.Body, tc.body)
			}
			if got := srv.hits.Load(); got != tc.hits {
				t.Errorf("%d requests, want %d", got, tc.hits)
			}
		})
	}
}

func TestSessionBodyCap(t *testing.T) {
	ca := newCA(t)
	const limit = 1000
	srv := serve(t, ca, "127.0.0.1", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		_, _ = w.Write([]byte(strings.Repeat("x", n)))
	})
	s := session(ca, provider.SessionConfig{Hosts: []*url.URL{srv.u}, MaxBody: limit})
	defer s.Close()
	a, err := s.Get(context.Background(), "fits", mustURL(t, srv.URL+"/?n=1000"), nil)
	if err != nil || len(a.Body) != limit {
		t.Fatalf("exactly the cap: %v, %d bytes", err, len(a.Body))
	}
	_, err = s.Get(context.Background(), "big", mustURL(t, srv.URL+"/?n=1001"), nil)
	wantKey(t, err, provider.KeyUnknown, provider.ErrBodyTooLarge)
	resp, err := s.Client().Get(srv.URL + "/?n=5000")
	if err == nil {
		_, err = io.ReadAll(resp.Body)
		_ = resp.Body.Close()
	}
	if !errors.Is(err, provider.ErrBodyTooLarge) {
		t.Fatalf("library client: %v, want ErrBodyTooLarge", err)
	}
}

// Network trouble is cannot_connect or timeout, never invalid_auth, and a
// cancellation is the context's own error.
func TestSessionNetworkErrors(t *testing.T) {
	ca := newCA(t)
	release := make(chan struct{})
	hang := serve(t, ca, "127.0.0.1", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	gone := serve(t, ca, "127.0.0.1", func(http.ResponseWriter, *http.Request) {})
	_ = gone.Close()

	cfg := provider.SessionConfig{Hosts: []*url.URL{hang.u, gone.u}}
	s := provider.NewSession(provider.Options{RootCAs: ca.Pool, Timeout: 100 * time.Millisecond}, cfg)
	defer s.Close()
	_, err := s.Get(context.Background(), "hang", mustURL(t, hang.URL+"/"), nil)
	wantKey(t, err, provider.KeyTimeout, nil)
	_, err = s.Get(context.Background(), "gone", mustURL(t, gone.URL+"/"), nil)
	wantKey(t, err, provider.KeyCannotConnect, nil)

	// The handshake fails at once on the unknown CA; a long timeout keeps a
	// loaded machine (loading the system roots under -race) from turning
	// that into a timeout.
	untrusted := provider.NewSession(provider.Options{Timeout: time.Minute}, cfg)
	defer untrusted.Close()
	_, err = untrusted.Get(context.Background(), "tls", mustURL(t, hang.URL+"/"), nil)
	wantKey(t, err, provider.KeyCannotConnect, nil)

	arrived := make(chan struct{})
	waiting := serve(t, ca, "127.0.0.1", func(w http.ResponseWriter, r *http.Request) {
		close(arrived)
		<-r.Context().Done()
	})
	slow := provider.NewSession(provider.Options{RootCAs: ca.Pool, Timeout: time.Minute}, provider.SessionConfig{Hosts: []*url.URL{waiting.u}})
	defer slow.Close()
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-arrived
		cancel()
	}()
	_, err = slow.Get(ctx, "cancel", mustURL(t, waiting.URL+"/"), nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v, want context.Canceled", err)
	}
	var pe *provider.Error
	if errors.As(err, &pe) {
		t.Fatalf("cancelled became key %s", pe.Key)
	}
}
