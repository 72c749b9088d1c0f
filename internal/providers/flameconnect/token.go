package flameconnect

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"

	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

// Identity reads the signed-in account's identity from MSAL's cache: the
// local account id MSAL took from the ID token (oid, else sub), as
// Validate reports it. No request is made.
func (p *Provider) Identity(cache []byte) (string, error) {
	if len(bytes.TrimSpace(cache)) == 0 {
		return "", nil
	}
	doc, err := parseCache(cache)
	if err != nil {
		return "", fmt.Errorf("identity: %w", err)
	}
	acct, err := doc.account()
	if errors.Is(err, errNoAccount) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("identity: %w", err)
	}
	if acct.LocalAccountID == "" {
		return "", nil
	}
	if !identitySafe(acct.LocalAccountID) {
		return "", errors.New("identity: the cache's account id has characters no object id has")
	}
	return acct.LocalAccountID, nil
}

// Token returns an access token for the API scope valid for at least
// minValid: the cached one as it is (no request) when it is, else one from
// a silent refresh that redeems the refresh token, with the updated cache
// to store back. Errors are as Check's.
func (p *Provider) Token(ctx context.Context, cache []byte, minValid time.Duration) (provider.Credential, []byte, error) {
	if err := ctx.Err(); err != nil {
		return provider.Credential{}, nil, err
	}
	if len(bytes.TrimSpace(cache)) == 0 {
		return provider.Credential{}, nil, fmt.Errorf("%w: empty token cache", provider.ErrAuthExpired)
	}
	doc, err := parseCache(cache)
	if err != nil {
		return provider.Credential{}, nil, fmt.Errorf("%w: token cache unreadable: %w", provider.ErrAuthExpired, err)
	}
	acct, err := doc.account()
	if err != nil {
		return provider.Credential{}, nil, fmt.Errorf("%w: %w", provider.ErrAuthExpired, err)
	}
	if at, ok := doc.freshAccessToken(acct.HomeAccountID, time.Now(), minValid); ok {
		return bearer(at.Secret, at.ExpiresOn.Time), nil, nil
	}
	res, updated, err := p.refresh(ctx, cache)
	if err != nil {
		return provider.Credential{}, nil, err
	}
	if res.AccessToken == "" {
		return provider.Credential{}, nil, provider.Fail(provider.KeyServiceChanged, "refresh: the answer holds no access token")
	}
	return bearer(res.AccessToken, res.ExpiresOn), updated, nil
}

func bearer(token string, expires time.Time) provider.Credential {
	return provider.Credential{Kind: "token", Type: "Bearer", Value: token, ExpiresAt: expires.UTC()}
}

// refresh redeems the cache's refresh token with MSAL's silent flow and
// returns MSAL's result and the updated cache.
func (p *Provider) refresh(ctx context.Context, data []byte) (public.AuthResult, []byte, error) {
	// MSAL hands back a cached, unexpired access token without any request,
	// which proves nothing about the grant. Dropping the cached access
	// tokens makes it redeem the refresh token, with the very request it
	// normally sends (no extra claims parameter for the service to judge).
	stripped, err := withoutAccessTokens(data)
	if err != nil {
		return public.AuthResult{}, nil, fmt.Errorf("%w: token cache unreadable: %w", provider.ErrAuthExpired, err)
	}
	auth, err := parseAuthority(p.authority)
	if err != nil {
		return public.AuthResult{}, nil, &provider.Error{Key: provider.KeyUnknown, Err: err}
	}
	sess := newSession(p.opts, auth, nil)
	defer sess.Close()
	httpc := sess.Client()
	tokens := &memCache{data: stripped}
	app, err := newApp(auth, httpc, tokens)
	if err != nil {
		return public.AuthResult{}, nil, &provider.Error{Key: provider.KeyUnknown, Err: err}
	}
	accounts, err := app.Accounts(ctx)
	if err != nil {
		return public.AuthResult{}, nil, fmt.Errorf("%w: token cache unreadable: %s", provider.ErrAuthExpired, firstLine(err.Error()))
	}
	if len(accounts) == 0 {
		return public.AuthResult{}, nil, fmt.Errorf("%w: %w", provider.ErrAuthExpired, errNoAccount)
	}
	res, err := app.AcquireTokenSilent(ctx, scopes, public.WithSilentAccount(accounts[0]))
	if err != nil {
		return public.AuthResult{}, nil, checkError(ctx, err)
	}
	return res, tokens.bytes(), nil
}
