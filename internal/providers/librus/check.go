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

// RenewWindow is how long after a renewal the session is not renewed
// again: a check or --token within it uses the stored cookies with no
// request, provided the oauth_token stays valid for long enough. Librus
// may end the previous oauth_token when /refreshToken issues the next
// (whether it does is not known), so every renewal may kill a Cookie
// header another --token printed moments before; many scripts started at
// once then share one renewal instead of cascading.
const RenewWindow = 60 * time.Second

// CheckMinValid is how long the stored oauth_token must still live for
// Check to prove a session renewed within RenewWindow without renewing it.
const CheckMinValid = time.Minute

// Check proves a stored session still lives by GET /refreshToken with its
// cookies, as clients do every couple of hours. A 2xx with a new
// oauth_token means valid (the cache comes back with it); a 2xx without
// one is settled by TokenInfo with the same cookies. 401 or TokenIsExpired,
// or a redirect to the sign-in, means the password is needed (an error
// wrapping provider.ErrAuthExpired); trouble on the wire or on the server
// says nothing about expiry and is a *provider.Error.
//
// A session renewed less than RenewWindow ago, whose oauth_token lives
// CheckMinValid more, is proved by TokenInfo alone, which issues no new
// token and so ends no Cookie header a script holds; the cache comes back
// unchanged. Only a 2xx TokenInfo proves it: a refusal goes on to the
// renewal, whose answer alone decides expiry (the stored token may be one
// a renewal whose cache was never stored ended).
func (p *Provider) Check(ctx context.Context, cache []byte) ([]byte, error) {
	if s, err := ParseSession(cache); err == nil && s.recentlyRenewed(time.Now(), CheckMinValid) {
		err := p.prove(ctx, s)
		if err == nil {
			return cache, nil
		}
		if !errors.Is(err, provider.ErrAuthExpired) {
			return nil, err
		}
	}
	s, err := p.renew(ctx, cache)
	if err != nil {
		return nil, err
	}
	return marshalRenewed(s)
}

// prove asks TokenInfo whether the session's cookies, as stored, are
// accepted: nil if so, an error wrapping provider.ErrAuthExpired if the
// gateway refuses them, else a *provider.Error or the context's error.
func (p *Provider) prove(ctx context.Context, s *Session) error {
	if p.err != nil {
		return &provider.Error{Key: provider.KeyUnknown, Err: p.err}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	a, err := p.newAttempt(ctx)
	if err != nil {
		return err
	}
	defer a.close()
	a.jar.restore(s.Cookies)
	t, err := a.checkGet("token info", at(a.ep.syn, "/gateway/api/2.0/Auth/TokenInfo", ""))
	if err != nil {
		return err
	}
	if _, err := parseGateway(t.Status, t.Body); err != nil {
		return gatewayVerdict("token info", t, err)
	}
	return nil
}

// recentlyRenewed reports whether the session was renewed less than
// RenewWindow before now and its oauth_token stays valid for minValid
// more. A renewal time in the future (a clock set back) is not trusted.
func (s *Session) recentlyRenewed(now time.Time, minValid time.Duration) bool {
	if s.RenewedAt == nil || s.RenewedAt.After(now) || now.Sub(*s.RenewedAt) >= RenewWindow {
		return false
	}
	exp, ok := s.tokenExpiry()
	return ok && !exp.Before(now.Add(minValid))
}

// tokenExpiry is when the session's oauth_token cookie expires (the
// earliest, should there be several); false when none has an expiry.
func (s *Session) tokenExpiry() (time.Time, bool) {
	var exp time.Time
	for _, c := range s.Cookies {
		if c.Name == "oauth_token" && c.Value != "" && c.Expires != nil && (exp.IsZero() || c.Expires.Before(exp)) {
			exp = *c.Expires
		}
	}
	return exp, !exp.IsZero()
}

func marshalRenewed(s *Session) ([]byte, error) {
	out, err := s.Marshal()
	if err != nil {
		return nil, fmt.Errorf("refresh: %v: %w", err, provider.ErrAuthExpired)
	}
	return out, nil
}

// Token returns the Cookie header a script sends to synergia ("name=value;
// name=value", the cookies the jar would send to the gateway), valid until
// the session's oauth_token expires, and the cache to store back. A
// session renewed less than RenewWindow ago whose oauth_token stays valid
// for minValid more is used as stored, with no request and no updated
// cache (like a fresh access token); otherwise Token renews the session
// as Check does and returns the renewed cache.
func (p *Provider) Token(ctx context.Context, cache []byte, minValid time.Duration) (provider.Credential, []byte, error) {
	if s, err := ParseSession(cache); err == nil && s.recentlyRenewed(time.Now(), minValid) {
		if err := ctx.Err(); err != nil {
			return provider.Credential{}, nil, err
		}
		cred, err := p.cookieHeader(s)
		return cred, nil, err
	}
	s, err := p.renew(ctx, cache)
	if err != nil {
		return provider.Credential{}, nil, err
	}
	out, err := marshalRenewed(s)
	if err != nil {
		return provider.Credential{}, nil, err
	}
	cred, err := p.cookieHeader(s)
	if err != nil {
		return provider.Credential{}, nil, err
	}
	return cred, out, nil
}

// cookieHeader is the Cookie header value the session's jar sends to the
// synergia gateway, expiring with the oauth_token.
func (p *Provider) cookieHeader(s *Session) (provider.Credential, error) {
	jar, err := newJar()
	if err != nil {
		return provider.Credential{}, &provider.Error{Key: provider.KeyUnknown, Err: err}
	}
	jar.restore(s.Cookies)
	target := at(p.ep.syn, "/gateway/api/2.0/", "")
	var parts []string
	for _, c := range jar.Cookies(target) {
		parts = append(parts, c.Name+"="+c.Value)
	}
	if len(parts) == 0 {
		return provider.Credential{}, fmt.Errorf("token: no cookie in the session is sent to synergia: %w", provider.ErrAuthExpired)
	}
	cred := provider.Credential{Kind: "cookie", Type: "Cookie", Value: strings.Join(parts, "; ")}
	if exp, ok := s.tokenExpiry(); ok {
		cred.ExpiresAt = exp
	}
	return cred, nil
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
	now := time.Now().UTC().Truncate(time.Second)
	s.RenewedAt = &now
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
		if next := r.Location(); next != nil && (a.s.Allowed(next) && isSignIn(next) || isPortal(next)) {
			// Nothing is sent there: the sign-in, or the Konto LIBRUS
			// portal a linked account is sent to, means the session
			// is no good here.
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
