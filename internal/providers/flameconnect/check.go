package flameconnect

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

// Check proves the token cache still grants access by redeeming its refresh
// token. It returns the updated cache, provider.ErrAuthExpired when the
// grant is gone (invalid_grant, interaction_required, an empty or unreadable
// cache), or a *provider.Error / ctx.Err() when the answer says nothing
// about expiry (network trouble, service down).
func (p *Provider) Check(ctx context.Context, data []byte) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fmt.Errorf("%w: empty token cache", provider.ErrAuthExpired)
	}
	_, updated, err := p.refresh(ctx, data)
	if err != nil {
		return nil, err
	}
	return updated, nil
}

// checkError tells expiry (the password is needed again) from trouble that
// says nothing about the grant.
func checkError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	te, isTokenErr := asTokenError(err)
	if isTokenErr && te.status >= 400 && te.status < 500 {
		switch {
		case te.code == "invalid_grant", te.code == "interaction_required", te.code == "login_required", te.code == "consent_required":
			return fmt.Errorf("%w: %w", provider.ErrAuthExpired, te)
		case expiredGrantCodes[te.b2c]:
			// The grant expired, was revoked or lost its account, whatever
			// OAuth error B2C put beside the code.
			return fmt.Errorf("%w: %w", provider.ErrAuthExpired, te)
		}
	}
	// MSAL's untyped answer when the cache holds no refresh token.
	if strings.Contains(err.Error(), "no token found") {
		return fmt.Errorf("%w: no refresh token in the cache", provider.ErrAuthExpired)
	}
	return mapMSALError(ctx, "refresh", err, te, isTokenErr)
}

// withoutAccessTokens empties the AccessToken section of MSAL's cache JSON,
// keeping every other section as it is.
func withoutAccessTokens(data []byte) ([]byte, error) {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, errors.New("not MSAL cache JSON")
	}
	if _, ok := doc["RefreshToken"]; !ok {
		return nil, errors.New("no RefreshToken section")
	}
	doc["AccessToken"] = json.RawMessage(`{}`)
	return json.Marshal(doc)
}
