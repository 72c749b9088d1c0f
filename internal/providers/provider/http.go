package provider

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"net/url"
	"os"
	"time"
)

// DefaultTimeout is the per-request network timeout when none is set.
const DefaultTimeout = 30 * time.Second

// Options is what the command line hands every provider: network settings
// and where to find its service. Zero values mean the defaults.
type Options struct {
	// Timeout bounds each HTTP request (the whole exchange, body included).
	Timeout time.Duration
	// Wrap, when set, wraps the transport (the --debug trace).
	Wrap func(http.RoundTripper) http.RoundTripper
	// RootCAs, when set, replaces the system roots (--demo's emulator CA).
	// SSL_CERT_FILE is honoured by Go's system roots already.
	RootCAs *x509.CertPool
	// Getenv reads SETUPWIZARD_* overrides; nil means os.Getenv.
	Getenv func(string) string
}

// Env reads an environment variable through Getenv.
func (o Options) Env(name string) string {
	if o.Getenv != nil {
		return o.Getenv(name)
	}
	return os.Getenv(name)
}

// RequestTimeout is Timeout or DefaultTimeout.
func (o Options) RequestTimeout() time.Duration {
	if o.Timeout > 0 {
		return o.Timeout
	}
	return DefaultTimeout
}

// Transport builds a fresh transport (no connection sharing between
// attempts) that verifies TLS against RootCAs or the system roots.
func (o Options) Transport() http.RoundTripper {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.TLSClientConfig = &tls.Config{RootCAs: o.RootCAs, MinVersion: tls.VersionTLS12}
	t.Proxy = http.ProxyFromEnvironment
	var rt http.RoundTripper = t
	if o.Wrap != nil {
		rt = o.Wrap(rt)
	}
	return rt
}

// Client builds an HTTP client with the per-request timeout that never
// follows redirects by itself: providers walk redirect chains by hand so
// every hop's host can be checked before anything is sent to it.
func (o Options) Client(jar http.CookieJar) *http.Client {
	return &http.Client{
		Transport: o.Transport(),
		Jar:       jar,
		Timeout:   o.RequestTimeout(),
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// NetError maps a transport error to a config-flow error: a cancelled
// context passes through untouched (the user pressed esc or ctrl+c), a
// timeout becomes "timeout", anything else on the wire (DNS, refused, TLS,
// reset) becomes "cannot_connect" and never "invalid_auth".
func NetError(ctx context.Context, step string, err error) error {
	if err == nil {
		return nil
	}
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) || errors.Is(err, context.Canceled) {
		return ctx.Err()
	}
	if IsTimeout(err) {
		return &Error{Key: KeyTimeout, Err: redactURLErr(step, err)}
	}
	return &Error{Key: KeyCannotConnect, Err: redactURLErr(step, err)}
}

// IsTimeout reports whether err is a network or deadline timeout.
func IsTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// redactURLErr keeps the cause but drops the URL's query, where codes,
// csrf values and state live.
func redactURLErr(step string, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		u, perr := url.Parse(ue.URL)
		if perr == nil {
			u.RawQuery = ""
			u.User = nil
			return &stepError{step: step, err: &url.Error{Op: ue.Op, URL: u.String(), Err: ue.Err}}
		}
		return &stepError{step: step, err: ue.Err}
	}
	return &stepError{step: step, err: err}
}

type stepError struct {
	step string
	err  error
}

func (e *stepError) Error() string { return e.step + ": " + e.err.Error() }
func (e *stepError) Unwrap() error { return e.err }
