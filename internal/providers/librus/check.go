package librus

import (
	"context"
	"errors"
	"fmt"
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
	s, err := p.renew(ctx, cache)
	if err != nil {
		return nil, err
	}
	return marshalRenewed(s)
}

func marshalRenewed(s *Session) ([]byte, error) {
	out, err := s.Marshal()
	if err != nil {
		return nil, fmt.Errorf("refresh: %v: %w", err, provider.ErrAuthExpired)
	}
	return out, nil
}

// Token renews the session as Check does and returns the Cookie header a
// script sends to synergia ("name=value; name=value", the cookies the jar
// would send to the gateway), valid until the new oauth_token expires, and
// the renewed cache. Librus has no token that outlives a renewal, so every
// call renews; minValid is met by the renewal itself.
func (p *Provider) Token(ctx context.Context, cache []byte, minValid time.Duration) (provider.Credential, []byte, error) {
	s, err := p.renew(ctx, cache)
	if err != nil {
		return provider.Credential{}, nil, err
	}
	out, err := marshalRenewed(s)
	if err != nil {
		return provider.Credential{}, nil, err
	}
	jar, err := newJar()
	if err != nil {
		return provider.Credential{}, nil, &provider.Error{Key: provider.KeyUnknown, Err: err}
	}
	jar.restore(s.Cookies)
	target := at(p.ep.syn, "/gateway/api/2.0/", "")
	var parts []string
	for _, c := range jar.Cookies(target) {
		parts = append(parts, c.Name+"="+c.Value)
	}
	if len(parts) == 0 {
		return provider.Credential{}, nil, fmt.Errorf("token: no cookie in the session is sent to synergia: %w", provider.ErrAuthExpired)
	}
	cred := provider.Credential{Kind: "cookie", Type: "Cookie", Value: strings.Join(parts, "; ")}
	for _, c := range s.Cookies {
		if c.Name == "oauth_token" && c.Expires != nil && (cred.ExpiresAt.IsZero() || c.Expires.Before(cred.ExpiresAt)) {
			cred.ExpiresAt = *c.Expires
		}
	}
	return cred, out, nil
}

// Identity is the UserIdentifier the stored session was issued for. One
// that is not plain text (a cache written before sign-ins refused such
// identifiers) is an error: it must not reach the entries index.
func (p *Provider) Identity(cache []byte) (string, error) {
	s, err := ParseSession(cache)
	if err != nil {
		return "", err
	}
	if provider.CleanText(s.UserIdentifier) != s.UserIdentifier {
		return "", errors.New("librus session: user_identifier is not plain text")
	}
	return s.UserIdentifier, nil
}

// renew runs the refresh of Check and returns the session with the
// answers' cookies applied.
func (p *Provider) renew(ctx context.Context, cache []byte) (*Session, error) {
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

	gateway := at(a.ep.syn, "/gateway/api/2.0/", "")
	before := a.jar.values(gateway, "oauth_token")
	r, err := a.checkGet("refresh", at(a.ep.syn, "/refreshToken", ""))
	if err != nil {
		return nil, err
	}
	// Renewed: the jar took a new, non-empty oauth_token the gateway
	// would get (a cookie the jar refused renews nothing).
	renewed := false
	for v := range a.jar.values(gateway, "oauth_token") {
		renewed = renewed || v != "" && !before[v]
	}
	switch {
	case r.OK() && renewed:
	case r.OK():
		// No new token says nothing by itself: ask the gateway.
		t, err := a.checkGet("token info", at(a.ep.syn, "/gateway/api/2.0/Auth/TokenInfo", ""))
		if err != nil {
			return nil, err
		}
		if _, err := parseGateway(t.Status, t.Body); err != nil {
			return nil, gatewayVerdict("token info", t, err)
		}
	default:
		_, err := parseGateway(r.Status, r.Body)
		return nil, gatewayVerdict("refresh", r, err)
	}
	// The stored cookies with the answers' Set-Cookie applied by the
	// jar's rules (a cookie a browser would refuse is not kept).
	s.Cookies = a.jar.snapshot()
	return s, nil
}

// checkGet is one request of a check: maintenance is cannot_connect, a
// redirect to the sign-in is expiry, any other redirect is unexpected.
func (a *attempt) checkGet(step string, u *url.URL) (*provider.Answer, error) {
	r, err := a.get(step, u, header("Accept", "application/json, */*"))
	if err != nil {
		return nil, err
	}
	if err := serviceDown(step, r); err != nil {
		return nil, err
	}
	if r.IsRedirect() {
		if next := r.Location(); next != nil && a.s.Allowed(next) && isSignIn(next) {
			return nil, fmt.Errorf("%s: redirected to the sign-in (%s): %w", step, r, provider.ErrAuthExpired)
		}
		return nil, provider.Fail(provider.KeyUnknown, "%s: unexpected redirect (%s)", step, r)
	}
	return r, nil
}

// isSignIn recognises the sign-in pages: synergia's /loguj pages
// (portalRodzina among them; the family portal's Synergia sign-in also
// lives under a /loguj path) and the API's /OAuth pages: a path with a
// "loguj" or "oauth" segment.
func isSignIn(u *url.URL) bool {
	for _, seg := range strings.Split(strings.ToLower(u.Path), "/") {
		if seg == "loguj" || seg == "oauth" {
			return true
		}
	}
	return false
}

// gatewayVerdict maps a failed check answer: expired when the gateway says
// so, otherwise a provider error that says nothing about expiry.
func gatewayVerdict(step string, r *provider.Answer, err error) error {
	var ge *gatewayError
	if errors.As(err, &ge) && ge.expired() {
		return fmt.Errorf("%s: %v: %w", step, ge, provider.ErrAuthExpired)
	}
	return provider.Fail(provider.KeyUnknown, "%s: unexpected %s", step, r)
}
