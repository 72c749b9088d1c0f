package librus

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/setupwizard/setupwizard/internal/loopback"
	"github.com/setupwizard/setupwizard/internal/providers/librus/emulator"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

// testTimeout is the per-request timeout in tests: long enough for a
// loaded CI machine, short enough that the slow fault ends quickly.
const testTimeout = 10 * time.Second

type rig struct {
	ca *loopback.CA
	em *emulator.Emulator
	p  *Provider
	// env holds the host overrides; nil means the emulator's URLs.
	env map[string]string
	// names maps public host:port names onto the emulator's listeners;
	// nil means the URLs are the listeners' own.
	names map[string]string
}

// newRig starts an emulator and a Provider pointed at it through the
// documented environment variables.
func newRig(t testing.TB) *rig {
	t.Helper()
	ca, err := loopback.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	em, err := emulator.Start(ca)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = em.Close() })
	r := &rig{ca: ca, em: em}
	r.p = New(r.options(testTimeout))
	return r
}

func (r *rig) options(timeout time.Duration) provider.Options {
	env := r.env
	if env == nil {
		env = map[string]string{EnvAPIURL: r.em.APIURL(), EnvSynergiaURL: r.em.SynergiaURL()}
	}
	allowed := map[string]bool{r.em.APIAddr(): true, r.em.SynergiaAddr(): true}
	wrap := func(rt http.RoundTripper) http.RoundTripper { return guard{rt, allowed} }
	if r.names != nil {
		wrap = func(http.RoundTripper) http.RoundTripper { return namedTransport(r.ca, r.names) }
	}
	return provider.Options{
		Timeout: timeout,
		RootCAs: r.ca.Pool,
		Getenv:  func(k string) string { return env[k] },
		Wrap:    wrap,
	}
}

// reshape switches the emulator to a shape and rebuilds the Provider, which
// reads the (possibly prefixed) URLs when it is made.
func (r *rig) reshape(s emulator.Shape) {
	r.em.SetShape(s)
	r.p = New(r.options(testTimeout))
}

// errNoNetwork is what tests get instead of the real network.
var errNoNetwork = errors.New("test: no network beyond the emulator")

// guard keeps tests off the real network: a request to anything but the
// emulator's listeners fails on the wire, as it would offline.
type guard struct {
	rt      http.RoundTripper
	allowed map[string]bool
}

func (g guard) RoundTrip(req *http.Request) (*http.Response, error) {
	if !g.allowed[req.URL.Host] {
		return nil, errNoNetwork
	}
	return g.rt.RoundTrip(req)
}

// namedTransport dials public names (host:port) to the emulator's listeners
// and nothing else, like an /etc/hosts entry, and verifies TLS against the
// emulator's CA for the leaf's "localhost" name. The TLS stack is the real
// one; only name resolution is replaced.
func namedTransport(ca *loopback.CA, names map[string]string) http.RoundTripper {
	var d net.Dialer
	return &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: ca.Pool, ServerName: "localhost", MinVersion: tls.VersionTLS12},
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			to, ok := names[addr]
			if !ok {
				return nil, errNoNetwork
			}
			return d.DialContext(ctx, network, to)
		},
		ForceAttemptHTTP2: true,
	}
}

// newNamedRig serves the emulator under public names: api and syn are
// host names reached on port 443, env the overrides the Provider reads
// (nil entries mean the defaults).
func newNamedRig(t testing.TB, api, syn string, env map[string]string, s emulator.Shape) *rig {
	t.Helper()
	r := newRig(t)
	r.env = env
	if r.env == nil {
		r.env = map[string]string{}
	}
	r.names = map[string]string{api + ":443": r.em.APIAddr(), syn + ":443": r.em.SynergiaAddr()}
	if s.APIURL == "" {
		s.APIURL = "https://" + api
	}
	if s.SynergiaURL == "" {
		s.SynergiaURL = "https://" + syn
	}
	r.reshape(s)
	return r
}

func demoInput() provider.Input {
	return provider.Input{FieldUsername: emulator.DemoLogin, FieldPassword: emulator.DemoPassword}
}

func (r *rig) validate(t testing.TB, in provider.Input) (*provider.Account, error) {
	t.Helper()
	return r.p.Validate(context.Background(), in, nil)
}

// errKey is the config-flow key of err ("" when it is not a *provider.Error).
func errKey(err error) string {
	var pe *provider.Error
	if errors.As(err, &pe) {
		return pe.Key
	}
	return ""
}

func providersDefaults() provider.Options { return providersOptions(nil) }

func providersOptions(env map[string]string) provider.Options {
	return provider.Options{Getenv: func(k string) string { return env[k] }}
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
