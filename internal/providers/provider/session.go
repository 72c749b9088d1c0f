package provider

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// Defaults of SessionConfig. See docs/http-safety.md for why each exists.
const (
	// DefaultMaxHops is how many redirects one walk follows.
	DefaultMaxHops = 10
	// DefaultMaxVisits is how often one walk may fetch the same URL: real
	// chains come back to a page (a login endpoint requested twice), so a
	// URL may be revisited twice; the hop cap is what stops real loops.
	DefaultMaxVisits = 3
	// DefaultMaxBody caps every answer read.
	DefaultMaxBody = 1 << 20
)

var (
	// ErrForeignHost marks a request refused because its URL is not https
	// or its host is not one the session was configured with.
	ErrForeignHost = errors.New("refused to send a request outside the configured https hosts")
	// ErrBodyTooLarge marks an answer larger than the session's body cap.
	ErrBodyTooLarge = errors.New("answer larger than the body cap")
	// ErrTooManyHops marks a walk that hit its redirect cap.
	ErrTooManyHops = errors.New("too many redirects")
	// ErrRevisited marks a walk that came back to one URL too often.
	ErrRevisited = errors.New("redirect loop")
)

// Cookies is the session's cookie hook: the standard jar's two methods
// seen from the request and the answer, so a provider can keep cookies
// its own way (for example replaying Set-Cookie values verbatim).
// JarCookies adapts an http.CookieJar.
type Cookies interface {
	// Apply adds the cookies to send with req.
	Apply(req *http.Request)
	// Merge takes the Set-Cookie headers of resp, the answer to a request
	// for u.
	Merge(u *url.URL, resp *http.Response)
}

// JarCookies adapts a standard cookie jar to the Cookies hook.
func JarCookies(jar http.CookieJar) Cookies { return jarCookies{jar} }

type jarCookies struct{ jar http.CookieJar }

func (j jarCookies) Apply(req *http.Request) {
	for _, c := range j.jar.Cookies(req.URL) {
		req.AddCookie(c)
	}
}

func (j jarCookies) Merge(u *url.URL, resp *http.Response) {
	if cs := resp.Cookies(); len(cs) > 0 {
		j.jar.SetCookies(u, cs)
	}
}

// SessionConfig is the policy of a Session. Zero values mean the defaults.
type SessionConfig struct {
	// Hosts are the only hosts a request may go to (a URL's host and port;
	// a missing port means 443, and names compare case-insensitively).
	Hosts []*url.URL
	// Domains additionally allow every host name under each (for example
	// "example.net" allows "api.example.net"), on port 443 only.
	Domains []string
	// MaxHops caps the redirects one walk follows (DefaultMaxHops).
	MaxHops int
	// MaxVisits caps how often one walk fetches the same URL
	// (DefaultMaxVisits).
	MaxVisits int
	// MaxBody caps every answer read, in bytes (DefaultMaxBody).
	MaxBody int64
	// UserAgent, when set, is sent with every request.
	UserAgent string
	// Cookies, when set, supplies and receives cookies.
	Cookies Cookies
}

// Session is one guarded HTTP conversation with a service: https only,
// nothing sent outside the configured hosts (whoever builds the request:
// a page, a redirect, a library such as MSAL), answers capped, redirects
// walked by hand, and network trouble mapped to cannot_connect or timeout,
// never to invalid_auth. One session serves one attempt; Close drops its
// connections.
type Session struct {
	cfg    SessionConfig
	client *http.Client
}

// NewSession builds a session on the options' transport (TLS roots, debug
// wrapper, timeout).
func NewSession(opts Options, cfg SessionConfig) *Session {
	if cfg.MaxHops <= 0 {
		cfg.MaxHops = DefaultMaxHops
	}
	if cfg.MaxVisits <= 0 {
		cfg.MaxVisits = DefaultMaxVisits
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	s := &Session{cfg: cfg}
	c := opts.Client(nil)
	c.Transport = &guard{s: s, next: c.Transport}
	s.client = c
	return s
}

// Client is the session's guarded client (no cookies, no redirects
// followed, bodies capped), for a library that makes its own requests.
func (s *Session) Client() *http.Client { return s.client }

// Close drops idle connections; the session must not be used afterwards.
func (s *Session) Close() { s.client.CloseIdleConnections() }

// Allowed reports whether the session may send a request to u (see
// SessionConfig.Allows).
func (s *Session) Allowed(u *url.URL) bool { return s.cfg.Allows(u) }

// Allows reports whether a request may go to u: https, no user info, and
// a configured host or a name under a configured domain on port 443.
func (cfg SessionConfig) Allows(u *url.URL) bool {
	if u == nil || u.Scheme != "https" || u.User != nil || u.Host == "" {
		return false
	}
	name, port := HostKey(u)
	for _, h := range cfg.Hosts {
		if hn, hp := HostKey(h); name == hn && port == hp {
			return true
		}
	}
	if port != "443" || net.ParseIP(name) != nil {
		return false
	}
	for _, d := range cfg.Domains {
		d = strings.Trim(strings.ToLower(d), ".")
		if d != "" && strings.HasSuffix(name, "."+d) {
			return true
		}
	}
	return false
}

// HostKey is a URL's lower-case host name and its port, 443 when none is
// written, so "host" and "host:443" compare equal.
func HostKey(u *url.URL) (name, port string) {
	name, port = strings.ToLower(u.Hostname()), u.Port()
	if port == "" {
		port = "443"
	}
	return name, port
}

// Redacted names a URL without its query and fragment, where codes, csrf
// values and state live.
func Redacted(u *url.URL) string {
	if u == nil {
		return "<no URL>"
	}
	return (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()
}

// Answer is a fully read, capped response.
type Answer struct {
	// URL is the URL asked for.
	URL    *url.URL
	Status int
	Header http.Header
	Body   []byte
}

// IsRedirect reports whether the answer is a redirect status.
func (a *Answer) IsRedirect() bool { return IsRedirect(a.Status) }

// IsRedirect reports whether status is one of the redirect codes.
func IsRedirect(status int) bool {
	switch status {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}

// OK reports a 2xx status.
func (a *Answer) OK() bool { return a.Status >= 200 && a.Status <= 299 }

// Location resolves the redirect target against the answer's URL; nil
// when the answer is not a redirect or names no usable target.
func (a *Answer) Location() *url.URL {
	if !a.IsRedirect() {
		return nil
	}
	loc := a.Header.Get("Location")
	if loc == "" {
		return nil
	}
	u, err := a.URL.Parse(loc)
	if err != nil {
		return nil
	}
	return u
}

// String is the status and the redacted URL, for causes.
func (a *Answer) String() string { return fmt.Sprintf("HTTP %d from %s", a.Status, Redacted(a.URL)) }

// ServerError maps a 5xx answer to cannot_connect (the service is down or
// broken, which says nothing about the credentials); nil otherwise.
func (a *Answer) ServerError(step string) error {
	if a.Status >= 500 {
		return Fail(KeyCannotConnect, "%s: %s", step, a)
	}
	return nil
}

// Do sends one request for the named step and reads the answer. It does
// not judge the status. Errors: ErrForeignHost (key unknown) before
// anything is sent; cannot_connect or timeout on the wire; the context's
// error when it was cancelled, even when an answer raced the cancellation.
func (s *Session) Do(ctx context.Context, step string, req *http.Request) (*Answer, error) {
	req = req.WithContext(ctx)
	if !s.Allowed(req.URL) {
		return nil, &Error{Key: KeyUnknown, Err: fmt.Errorf("%s: %w: %s", step, ErrForeignHost, Redacted(req.URL))}
	}
	if s.cfg.UserAgent != "" {
		req.Header.Set("User-Agent", s.cfg.UserAgent)
	}
	if s.cfg.Cookies != nil {
		s.cfg.Cookies.Apply(req)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, s.wireError(ctx, step, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, s.wireError(ctx, step, req.URL, err)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if s.cfg.Cookies != nil {
		s.cfg.Cookies.Merge(req.URL, resp)
	}
	return &Answer{URL: req.URL, Status: resp.StatusCode, Header: resp.Header, Body: body}, nil
}

func (s *Session) wireError(ctx context.Context, step string, u *url.URL, err error) error {
	if errors.Is(err, ErrBodyTooLarge) {
		return &Error{Key: KeyUnknown, Err: fmt.Errorf("%s: %s: %w (%d bytes)", step, Redacted(u), ErrBodyTooLarge, s.cfg.MaxBody)}
	}
	if errors.Is(err, ErrForeignHost) {
		return &Error{Key: KeyUnknown, Err: fmt.Errorf("%s: %w", step, ErrForeignHost)}
	}
	return NetError(ctx, step, err)
}

// Get is Do for a GET of u with the given headers.
func (s *Session) Get(ctx context.Context, step string, u *url.URL, header http.Header) (*Answer, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, Fail(KeyUnknown, "%s: build request: %v", step, err)
	}
	for k, v := range header {
		req.Header[k] = append([]string(nil), v...)
	}
	return s.Do(ctx, step, req)
}

// Walk is one redirect walk: GET Start, and while the answer redirects,
// GET its Location.
type Walk struct {
	// Step names the walk in causes and the trace.
	Step  string
	Start *url.URL
	// Header is sent with every hop.
	Header http.Header
	// Stop, when set, is asked about each answer first, before the 5xx
	// rule and before its Location is followed: done ends the walk with
	// that answer; an error ends it with that error. It sees redirects
	// too, so it can stop at an app's redirect URI or refuse an error page.
	Stop func(a *Answer) (done bool, err error)
	// KeepServerErrors lets a 5xx answer end the walk like any other
	// answer without a Location, for a caller that judges success by a
	// later request (a broken landing page after a completed grant).
	KeepServerErrors bool
	// MaxVisits overrides the session's cap for this walk (1: every URL
	// at most once, for a page a second GET would spoil).
	MaxVisits int
}

// Walk follows redirects by hand until an answer does not redirect, Stop
// says done, or a cap is hit. Every hop is vetted before anything is sent
// to it; a 5xx anywhere is cannot_connect unless KeepServerErrors. A redirect without a usable
// Location, too many hops or too many visits of one URL are errors with
// key unknown (wrapping ErrTooManyHops or ErrRevisited).
func (s *Session) Walk(ctx context.Context, w Walk) (*Answer, error) {
	maxVisits := w.MaxVisits
	if maxVisits <= 0 {
		maxVisits = s.cfg.MaxVisits
	}
	visits := map[string]int{}
	u := w.Start
	for hop := 0; ; hop++ {
		if !s.Allowed(u) {
			return nil, &Error{Key: KeyUnknown, Err: fmt.Errorf("%s: %w: %s", w.Step, ErrForeignHost, Redacted(u))}
		}
		key := u.String()
		if visits[key] >= maxVisits {
			return nil, &Error{Key: KeyUnknown, Err: fmt.Errorf("%s: %w: %s fetched %d times", w.Step, ErrRevisited, Redacted(u), visits[key])}
		}
		visits[key]++
		a, err := s.Get(ctx, w.Step, u, w.Header)
		if err != nil {
			return nil, err
		}
		if w.Stop != nil {
			done, err := w.Stop(a)
			if err != nil {
				return nil, err
			}
			if done {
				return a, nil
			}
		}
		if err := a.ServerError(w.Step); err != nil && !w.KeepServerErrors {
			return nil, err
		}
		if !a.IsRedirect() {
			return a, nil
		}
		next := a.Location()
		if next == nil {
			return nil, Fail(KeyUnknown, "%s: %s redirects without a usable Location", w.Step, a)
		}
		if hop >= s.cfg.MaxHops {
			return nil, &Error{Key: KeyUnknown, Err: fmt.Errorf("%s: %w (more than %d)", w.Step, ErrTooManyHops, s.cfg.MaxHops)}
		}
		u = next
	}
}

// guard is the last line of defence under every request of the session,
// a library's included: nothing leaves for a host outside the allow-list
// or over plain http, and no body is read past the cap.
type guard struct {
	s    *Session
	next http.RoundTripper
}

func (g *guard) RoundTrip(req *http.Request) (*http.Response, error) {
	if !g.s.Allowed(req.URL) {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, fmt.Errorf("%w: %s", ErrForeignHost, Redacted(req.URL))
	}
	resp, err := g.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	resp.Body = &cappedBody{rc: resp.Body, left: g.s.cfg.MaxBody}
	return resp, nil
}

// cappedBody fails the read once more than the cap arrives, instead of
// silently truncating (a cut JSON or page would mislead the parser).
type cappedBody struct {
	rc   io.ReadCloser
	left int64
}

func (c *cappedBody) Read(p []byte) (int, error) {
	if c.left <= 0 {
		// Probe one byte: exactly the cap is fine, more is not.
		var one [1]byte
		n, err := c.rc.Read(one[:])
		if n > 0 {
			return 0, ErrBodyTooLarge
		}
		return 0, err
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.rc.Read(p)
	c.left -= int64(n)
	return n, err
}

func (c *cappedBody) Close() error { return c.rc.Close() }
