package librus

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

// Check proves a stored session still lives by GET /refreshToken with its
// cookies, as clients do every couple of hours. A new oauth_token means
// valid (the cache comes back with it); 401 or TokenIsExpired means the
// password is needed (an error wrapping provider.ErrAuthExpired); trouble on
// the wire or on the server says nothing about expiry and is a *provider.Error.
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

	u := at(a.ep.syn, "/refreshToken", "")
	r, err := a.get("refresh", u, nil)
	if err != nil {
		return nil, err
	}
	if err := serviceDown("refresh", r); err != nil {
		return nil, err
	}
	var set []Cookie
	var deleted []cookieKey
	renewed := false
	now := time.Now()
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		rec, live := cookieRecord(u, c, now)
		if !live {
			deleted = append(deleted, rec.key())
			continue
		}
		set = append(set, rec)
		if c.Name == "oauth_token" && c.Value != "" {
			renewed = true
		}
	}
	if r.redirect() {
		return nil, fmt.Errorf("refresh: redirected to sign-in (%s): %w", fmtStatus(r), provider.ErrAuthExpired)
	}
	if r.status != http.StatusOK || !renewed {
		if len(r.body) > 0 || r.status != http.StatusOK {
			_, gerr := parseGateway(r.status, r.body)
			var ge *gatewayError
			if errors.As(gerr, &ge) && ge.expired() {
				return nil, fmt.Errorf("refresh: %v: %w", ge, provider.ErrAuthExpired)
			}
			if r.status != http.StatusOK {
				return nil, provider.Fail(provider.KeyUnknown, "refresh: unexpected %s", fmtStatus(r))
			}
		}
		return nil, fmt.Errorf("refresh: no new oauth_token: %w", provider.ErrAuthExpired)
	}
	s.update(set, deleted)
	out, err := s.Marshal()
	if err != nil {
		return nil, fmt.Errorf("refresh: %v: %w", err, provider.ErrAuthExpired)
	}
	return out, nil
}
