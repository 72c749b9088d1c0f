package librus

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

// Check proves a stored session still lives by GET /refreshToken with its
// cookies, as clients do every couple of hours. A 2xx with a new
// oauth_token means valid (the cache comes back with it); a 2xx without
// one is settled by TokenInfo with the same cookies. 401 or TokenIsExpired,
// or a redirect to the sign-in, means the password is needed (an error
// wrapping provider.ErrAuthExpired); trouble on the wire or on the server
// says nothing about expiry and is a *provider.Error.
func (p *Provider) Check(ctx context.Context, cache []byte) ([]byte, error) {
	s, err := ParseSession(cache)
	if err != nil {
		return nil, fmt.Errorf("%v: %w", err, provider.ErrAuthExpired)
	}
	if p.err != nil {
		return nil, &provider.Error{Key: provider.KeyUnknown, Err: p.err}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	a, err := p.newAttempt(ctx)
	if err != nil {
		return nil, err
	}
	defer a.close()
	a.jar.restore(s.Cookies)

	var ch cookieChanges
	r, err := a.checkGet("refresh", at(a.ep.syn, "/refreshToken", ""), &ch)
	if err != nil {
		return nil, err
	}
	switch {
	case success(r.status) && ch.renewed:
	case success(r.status):
		// No new token says nothing by itself: ask the gateway.
		t, err := a.checkGet("token info", at(a.ep.syn, "/gateway/api/2.0/Auth/TokenInfo", ""), &ch)
		if err != nil {
			return nil, err
		}
		if _, err := parseGateway(t.status, t.body); err != nil {
			return nil, gatewayVerdict("token info", t, err)
		}
	default:
		_, err := parseGateway(r.status, r.body)
		return nil, gatewayVerdict("refresh", r, err)
	}
	s.update(ch.set, ch.deleted)
	out, err := s.Marshal()
	if err != nil {
		return nil, fmt.Errorf("refresh: %v: %w", err, provider.ErrAuthExpired)
	}
	return out, nil
}

// cookieChanges collects the Set-Cookie headers of a check's answers.
type cookieChanges struct {
	set     []Cookie
	deleted []cookieKey
	renewed bool // a new, non-empty oauth_token arrived
}

func (ch *cookieChanges) add(r *answer) {
	now := time.Now()
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		rec, live := cookieRecord(r.url, c, now)
		if !live {
			ch.deleted = append(ch.deleted, rec.key())
			continue
		}
		ch.set = append(ch.set, rec)
		if c.Name == "oauth_token" && c.Value != "" {
			ch.renewed = true
		}
	}
}

// checkGet is one request of a check: maintenance is cannot_connect, a
// redirect to the sign-in is expiry, any other redirect is unexpected.
func (a *attempt) checkGet(step string, u *url.URL, ch *cookieChanges) (*answer, error) {
	r, err := a.get(step, u, map[string]string{"Accept": "application/json, */*"})
	if err != nil {
		return nil, err
	}
	if err := serviceDown(step, r); err != nil {
		return nil, err
	}
	ch.add(r)
	if r.redirect() {
		next, err := u.Parse(r.header.Get("Location"))
		if err == nil && a.ep.allowed(next) && isSignIn(next) {
			return nil, fmt.Errorf("%s: redirected to the sign-in (%s): %w", step, fmtStatus(r), provider.ErrAuthExpired)
		}
		return nil, provider.Fail(provider.KeyUnknown, "%s: unexpected redirect (%s)", step, fmtStatus(r))
	}
	return r, nil
}

// isSignIn recognises the sign-in pages: synergia's portalRodzina and the
// API's /OAuth pages.
func isSignIn(u *url.URL) bool {
	p := strings.ToLower(u.Path)
	return strings.Contains(p, "/loguj/portalrodzina") || strings.Contains(p, "/oauth/") || strings.HasSuffix(p, "/oauth")
}

// gatewayVerdict maps a failed check answer: expired when the gateway says
// so, otherwise a provider error that says nothing about expiry.
func gatewayVerdict(step string, r *answer, err error) error {
	var ge *gatewayError
	if errors.As(err, &ge) && ge.expired() {
		return fmt.Errorf("%s: %v: %w", step, ge, provider.ErrAuthExpired)
	}
	return provider.Fail(provider.KeyUnknown, "%s: unexpected %s", step, fmtStatus(r))
}
