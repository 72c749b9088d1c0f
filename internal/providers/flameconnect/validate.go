package flameconnect

import (
	"context"
	"errors"
	"fmt"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"

	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

// Validate signs in with the e-mail and password: MSAL builds the
// authorize URL (reading the OIDC metadata once), the credentials go to the
// B2C page, and MSAL redeems the code with the PKCE verifier. It returns the
// account with MSAL's token cache, a *provider.Error, or ctx.Err().
func (p *Provider) Validate(ctx context.Context, in provider.Input, progress provider.ProgressFunc) (*provider.Account, error) {
	// The page's e-mail box is an <input type="email">, whose value
	// browsers strip of surrounding white space, and its script trims it
	// again: the e-mail is always trimmed, and the unique id and title are
	// made from the very string that is posted.
	email := jsTrim(in[FieldEmail])
	password := in[FieldPassword]
	if email == "" || password == "" {
		return nil, &provider.Error{Key: provider.KeyInvalidAuth, Err: errors.New("e-mail and password are required")}
	}
	if progress == nil {
		progress = func(provider.Progress) {}
	}
	report := func(step int, key string) {
		progress(provider.Progress{Step: step, Total: 4, Key: key})
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	auth, err := parseAuthority(p.authority)
	if err != nil {
		return nil, &provider.Error{Key: provider.KeyUnknown, Err: err}
	}
	cookies := newCookieStore()
	sess := newSession(p.opts, auth, cookies)
	defer sess.Close()
	httpc := sess.Client()
	tokens := &memCache{}
	app, err := newApp(auth, httpc, tokens)
	if err != nil {
		return nil, &provider.Error{Key: provider.KeyUnknown, Err: err}
	}

	report(1, ProgressOpeningPage)
	pk, err := newPKCE()
	if err != nil {
		return nil, &provider.Error{Key: provider.KeyUnknown, Err: err}
	}
	raw, err := app.AuthCodeURL(ctx, ClientID, RedirectURI, scopes)
	if err != nil {
		return nil, msalError(ctx, "openid metadata", err)
	}
	authURL, err := pk.addTo(raw)
	if err != nil {
		return nil, &provider.Error{Key: provider.KeyUnknown, Err: err}
	}
	if !sess.Allowed(authURL) {
		// The metadata points the sign-in elsewhere: nothing goes there.
		return nil, provider.Fail(provider.KeyUnknown, "authorize endpoint: %w: %s", provider.ErrForeignHost, provider.Redacted(authURL))
	}
	b2c := &b2cSession{http: sess, auth: auth, cookies: cookies}
	page, err := b2c.openPage(ctx, authURL, pk.state)
	if err != nil {
		return nil, b2c.withCookieNote(err)
	}
	settings, err := parseSettings(page.body)
	if err != nil {
		// A page without SETTINGS, csrf or transId is not a B2C sign-in page
		// as this client knows it: the service changed, not the password.
		return nil, b2c.withCookieNote(&provider.Error{Key: provider.KeyServiceChanged, Err: fmt.Errorf("sign-in page: %w", err)})
	}

	if settings.TrimSpaces {
		// trimSpacesInPassword (true, or not said): the page's script trims
		// the password before posting, so the service only ever receives
		// it trimmed (docs/flameconnect.md).
		password = jsTrim(password)
		if password == "" {
			return nil, provider.Fail(provider.KeyInvalidAuth, "sign-in page: the password is only white space, which the page trims away")
		}
	}

	report(2, ProgressCheckingPassword)
	if err := b2c.submit(ctx, page, settings, email, password); err != nil {
		return nil, b2c.withCookieNote(err)
	}

	report(3, ProgressConfirming)
	code, err := b2c.confirm(ctx, page, settings, pk.state)
	if err != nil {
		return nil, b2c.withCookieNote(err)
	}

	report(4, ProgressGettingTokens)
	res, err := app.AcquireTokenByAuthCode(ctx, code, RedirectURI, scopes, public.WithChallenge(pk.verifier))
	if err != nil {
		return nil, msalError(ctx, "token", err)
	}
	// MSAL names the account by the ID token's oid, else its sub: the
	// identity a reauth must match. It goes into the index, so only an id
	// made of plain characters is accepted.
	identity := res.IDToken.LocalAccountID()
	if !identitySafe(identity) {
		return nil, provider.Fail(provider.KeyServiceChanged, "token: the ID token names no usable account (oid or sub)")
	}
	data := tokens.bytes()
	if len(data) == 0 {
		return nil, provider.Fail(provider.KeyUnknown, "token: MSAL kept no token cache")
	}
	return &provider.Account{
		UniqueID: provider.Slugify(email),
		Title:    provider.CleanText(email),
		Login:    email,
		Identity: identity,
		Cache:    data,
	}, nil
}
