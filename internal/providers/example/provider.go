// Package example is a test-only service: the smallest provider that
// satisfies the contract (a login form, a token grant, a silent refresh,
// --token), with an emulator of its own. It proves that a service is one
// registration: built with -tags testprovider, the registry offers it and
// the command line, the demo and the end-to-end suites run over it without
// naming it anywhere else.
package example

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

// Domain is the provider's id.
const Domain = "example"

// EnvURL points the provider at its service.
const EnvURL = "SETUPWIZARD_EXAMPLE_URL"

//go:embed translations/*.json
var translations embed.FS

// Provider signs in with a login and password and keeps a token pair.
type Provider struct{ opts provider.Options }

// New builds the provider; it does no I/O.
func New(opts provider.Options) *Provider { return &Provider{opts: opts} }

// cache is what the keyring keeps.
type cache struct {
	UserID       string    `json:"user_id"`
	AccessToken  string    `json:"access_token"`
	RefreshToken string    `json:"refresh_token"`
	ExpiresAt    time.Time `json:"expires_at"`
}

// grant is the service's token answer.
type grant struct {
	UserID       string `json:"user_id"`
	Name         string `json:"name"`
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	ExpiresIn    int    `json:"expires_in"`
}

// Domain implements provider.Provider.
func (p *Provider) Domain() string { return Domain }

// Schema implements provider.Provider.
func (p *Provider) Schema() provider.Schema {
	return provider.Schema{
		{Name: "email", Kind: provider.Email, Required: true},
		{Name: "password", Kind: provider.Password, Required: true},
	}
}

// Translations implements provider.Provider.
func (p *Provider) Translations() fs.FS { return provider.Translations(translations, "translations") }

// ErrorKeys implements provider.Provider: besides the shared keys (the
// engine supplies them), an answer of a shape it does not know.
func (p *Provider) ErrorKeys() []string { return []string{provider.KeyServiceChanged} }

// ProgressKeys implements provider.Provider.
func (p *Provider) ProgressKeys() []string { return []string{"signing_in"} }

func (p *Provider) session() (*provider.Session, *url.URL, error) {
	base, err := url.Parse(p.opts.Env(EnvURL))
	if err != nil || base.Scheme != "https" || base.Host == "" {
		return nil, nil, provider.Fail(provider.KeyCannotConnect, "%s is not an https URL", EnvURL)
	}
	return provider.NewSession(p.opts, provider.SessionConfig{Hosts: []*url.URL{base}}), base, nil
}

// post sends a form to the service's token endpoint.
func (p *Provider) post(ctx context.Context, step string, form url.Values) (grant, int, error) {
	s, base, err := p.session()
	if err != nil {
		return grant{}, 0, err
	}
	defer s.Close()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base.JoinPath("/token").String(), strings.NewReader(form.Encode()))
	if err != nil {
		return grant{}, 0, provider.Fail(provider.KeyUnknown, "%s: %w", step, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	ans, err := s.Do(ctx, step, req)
	if err != nil {
		return grant{}, 0, err
	}
	if err := ans.ServerError(step); err != nil {
		return grant{}, ans.Status, err
	}
	if !ans.OK() {
		return grant{}, ans.Status, nil
	}
	var g grant
	if err := json.Unmarshal(ans.Body, &g); err != nil || g.AccessToken == "" {
		// A success of another shape: the service changed, not the person.
		return grant{}, ans.Status, provider.Fail(provider.KeyServiceChanged, "%s: answer of an unknown shape", step)
	}
	return g, ans.Status, nil
}

func (g grant) cache() cache {
	return cache{UserID: g.UserID, AccessToken: g.AccessToken, RefreshToken: g.RefreshToken,
		ExpiresAt: time.Now().Add(time.Duration(g.ExpiresIn) * time.Second).UTC()}
}

// Validate implements provider.Provider.
func (p *Provider) Validate(ctx context.Context, in provider.Input, progress provider.ProgressFunc) (*provider.Account, error) {
	if progress != nil {
		progress(provider.Progress{Step: 1, Total: 1, Key: "signing_in"})
	}
	g, status, err := p.post(ctx, "sign in", url.Values{"grant_type": {"password"}, "username": {in["email"]}, "password": {in["password"]}})
	if err != nil {
		return nil, err
	}
	if status != http.StatusOK {
		return nil, &provider.Error{Key: provider.KeyInvalidAuth, Err: fmt.Errorf("sign in: HTTP %d", status)}
	}
	c, err := json.Marshal(g.cache())
	if err != nil {
		return nil, err
	}
	title := provider.CleanText(g.Name)
	if title == "" {
		title = in["email"]
	}
	return &provider.Account{UniqueID: provider.Slugify(in["email"]), Title: title, Login: in["email"],
		Identity: provider.CleanText(g.UserID), Cache: c}, nil
}

// refresh redeems the refresh token.
func (p *Provider) refresh(ctx context.Context, raw []byte) (cache, []byte, error) {
	var c cache
	if err := json.Unmarshal(raw, &c); err != nil || c.RefreshToken == "" {
		return cache{}, nil, fmt.Errorf("unreadable cache: %w", provider.ErrAuthExpired)
	}
	g, status, err := p.post(ctx, "refresh", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {c.RefreshToken}})
	if err != nil {
		return cache{}, nil, err
	}
	if status == http.StatusBadRequest || status == http.StatusUnauthorized {
		return cache{}, nil, fmt.Errorf("refresh: HTTP %d: %w", status, provider.ErrAuthExpired)
	}
	if status != http.StatusOK {
		return cache{}, nil, provider.Fail(provider.KeyUnknown, "refresh: HTTP %d", status)
	}
	nc := g.cache()
	out, err := json.Marshal(nc)
	return nc, out, err
}

// Check implements provider.Provider.
func (p *Provider) Check(ctx context.Context, raw []byte) ([]byte, error) {
	_, out, err := p.refresh(ctx, raw)
	return out, err
}

// Identity implements provider.Provider.
func (p *Provider) Identity(raw []byte) (string, error) {
	var c cache
	if err := json.Unmarshal(raw, &c); err != nil {
		return "", err
	}
	return c.UserID, nil
}

// Token implements provider.Provider.
func (p *Provider) Token(ctx context.Context, raw []byte, minValid time.Duration) (provider.Credential, []byte, error) {
	var c cache
	if err := json.Unmarshal(raw, &c); err != nil {
		return provider.Credential{}, nil, errors.Join(provider.ErrAuthExpired, err)
	}
	var updated []byte
	if c.AccessToken == "" || time.Until(c.ExpiresAt) < minValid {
		nc, out, err := p.refresh(ctx, raw)
		if err != nil {
			return provider.Credential{}, nil, err
		}
		c, updated = nc, out
	}
	return provider.Credential{Kind: "token", Type: "Bearer", Value: c.AccessToken, ExpiresAt: c.ExpiresAt}, updated, nil
}
