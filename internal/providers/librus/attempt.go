package librus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

// userAgent is a desktop browser's, as current clients send.
const userAgent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"

// attempt is one sign-in or check: its own jar and guarded session,
// thrown away with everything they hold when the attempt ends. The HTTP
// safety rules (hosts, https, caps, error mapping) are the session's; see
// docs/http-safety.md.
type attempt struct {
	ctx context.Context
	ep  endpoints
	jar *recordingJar
	s   *provider.Session
	// landing is where the grant walk ended, for causes.
	landing *provider.Answer
	// pastCode is set once a walk of the sign-in reached the synergia
	// host (or a URL carrying a code off the API host): the code has been
	// issued, and a required-actions skip posted from then on would spoil
	// the session.
	pastCode bool
	// viaPortal is set when a walk of the sign-in went to (or was sent
	// to) the Konto LIBRUS portal, as the grant of an account linked to
	// Konto LIBRUS does (docs/librus.md).
	viaPortal bool
	// left is a Location the grant was sent to but the walk did not
	// follow (see leaves), for causes.
	left *url.URL
}

func (p *Provider) newAttempt(ctx context.Context) (*attempt, error) {
	jar, err := newJar()
	if err != nil {
		return nil, &provider.Error{Key: provider.KeyUnknown, Err: err}
	}
	cfg := p.ep.sessionConfig()
	cfg.UserAgent = userAgent
	cfg.Cookies = provider.JarCookies(jar)
	return &attempt{ctx: ctx, ep: p.ep, jar: jar, s: provider.NewSession(p.opts, cfg)}, nil
}

func (a *attempt) close() { a.s.Close() }

func (a *attempt) get(step string, u *url.URL, header http.Header) (*provider.Answer, error) {
	return a.s.Get(a.ctx, step, u, header)
}

// serviceDown maps the answers that mean "Librus is down or will not
// talk to us", never "wrong password": maintenance, any other 5xx, or a
// block page.
func serviceDown(step string, r *provider.Answer) error {
	if err := maintenance(step, r); err != nil {
		return err
	}
	if err := r.ServerError(step); err != nil {
		return err
	}
	return blocked(step, r)
}

// blocked recognises a refusal of the client's network: Librus is known
// to block VPN and hosting address ranges at times (docs/librus.md). A
// 403 or 429 answered with a page rather than JSON says nothing about the
// credentials or the shape of the sign-in, so it is cannot_connect, not
// service_changed. JSON 403s (rejections, gateway envelopes) are the
// caller's to read.
func blocked(step string, r *provider.Answer) error {
	if (r.Status == http.StatusForbidden || r.Status == http.StatusTooManyRequests) && !json.Valid(r.Body) {
		return provider.Fail(provider.KeyCannotConnect, "%s: %s with a page, not JSON: Librus may be blocking this network (VPN, hosting provider) or rate-limiting", step, r)
	}
	return nil
}

// maintenance recognises Librus's maintenance answers: a 503, or a
// redirect to the przerwa_techniczna page.
func maintenance(step string, r *provider.Answer) error {
	if r.Status == http.StatusServiceUnavailable {
		return provider.Fail(provider.KeyCannotConnect, "%s: %s is in maintenance (HTTP 503)%s",
			step, provider.Redacted(r.URL), maintenanceNote(r.Body))
	}
	if r.IsRedirect() && isMaintenance(r.Header.Get("Location")) {
		return provider.Fail(provider.KeyCannotConnect, "%s: %s redirects to przerwa_techniczna (maintenance)", step, provider.Redacted(r.URL))
	}
	return nil
}

// isMaintenance recognises the przerwa_techniczna ("technical break") page.
func isMaintenance(location string) bool {
	if location == "" {
		return false
	}
	if u, err := url.Parse(location); err == nil {
		return strings.HasSuffix(strings.TrimRight(u.Path, "/"), "przerwa_techniczna")
	}
	return strings.HasSuffix(strings.TrimRight(location, "/"), "przerwa_techniczna")
}

// walk GETs start and follows redirects through the session (every hop
// vetted, the hop cap as loop guard). Maintenance anywhere is
// cannot_connect and an OAuth error in any hop ends the walk; maxVisits
// 1 keeps a page that must be fetched once from being fetched again.
func (a *attempt) walk(step string, start *url.URL, header http.Header, maxVisits int) (*provider.Answer, error) {
	return a.walkWith(provider.Walk{Step: step, Start: start, Header: header, MaxVisits: maxVisits}, false)
}

// walkWith is walk with the session's other walk settings. A sign-in
// walk (signIn) also notes whether the code was issued and whether the
// Konto LIBRUS portal was on the way, and ends, without following it, at
// a redirect the session may not follow (see leaves); when Start itself is
// such a place, it returns no answer and no error.
func (a *attempt) walkWith(w provider.Walk, signIn bool) (*provider.Answer, error) {
	step := w.Step
	if err := oauthError(step, w.Start); err != nil {
		return nil, err
	}
	if signIn && a.leaves(w.Start) {
		// Sent straight where the walk does not go: no answer at all.
		a.left = w.Start
		return nil, nil
	}
	return a.s.Walk(a.ctx, provider.Walk{
		Step: step, Start: w.Start, Header: w.Header, MaxVisits: w.MaxVisits, KeepServerErrors: w.KeepServerErrors,
		Stop: func(r *provider.Answer) (bool, error) {
			if signIn {
				a.observe(r.URL)
			}
			if err := maintenance(step, r); err != nil {
				return false, err
			}
			next := r.Location()
			if next == nil {
				return false, nil
			}
			if err := oauthError(step, next); err != nil {
				return false, err
			}
			if signIn && a.leaves(next) {
				a.left = next
				return true, nil
			}
			return false, nil
		},
	})
}

// observe notes what a sign-in walk's hop at u says about the sign-in.
func (a *attempt) observe(u *url.URL) {
	// An authorization page is before the code even when a proxy serves
	// both hosts under one name.
	if !authorizationHop(a.ep.api, u) && (a.onSynergia(u) || u.Query().Has("code") && !a.onAPI(u)) {
		a.pastCode = true
	}
	if isPortal(u) {
		a.viaPortal = true
	}
}

// leaves reports whether a sign-in walk ends at a redirect to next
// instead of following it: next is a host the session may not reach (the
// configured hosts are not Librus's own) and either the code was already
// issued or next is the Konto LIBRUS portal, where the grant of a linked
// account goes on (docs/librus.md). The session then has what it will
// get, and TokenInfo judges it. Before the code, any other host stays an
// error (ErrForeignHost).
func (a *attempt) leaves(next *url.URL) bool {
	if a.s.Allowed(next) {
		return false
	}
	if isPortal(next) {
		a.viaPortal = true
		return true
	}
	return a.pastCode
}

// portalHost is the Konto LIBRUS family portal's host.
const portalHost = "portal.librus.pl"

// isPortal reports whether u is on the Konto LIBRUS portal, over https.
func isPortal(u *url.URL) bool {
	return u != nil && u.Scheme == "https" && strings.EqualFold(u.Hostname(), portalHost)
}

// errOAuth marks a walk ended by an OAuth error in a hop's URL.
var errOAuth = errors.New("sign-in ended with an OAuth error")

// oauthError ends a walk that lands on an OAuth error, such as
// portalRodzina?error=invalid_request after a spoiled session.
func oauthError(step string, u *url.URL) error {
	if e := u.Query().Get("error"); e != "" {
		return &provider.Error{Key: provider.KeyUnknown, Err: fmt.Errorf("%s: %w %q at %s", step, errOAuth, provider.CleanText(e), provider.Redacted(u))}
	}
	return nil
}

// header builds a request header from name, value pairs.
func header(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return h
}
