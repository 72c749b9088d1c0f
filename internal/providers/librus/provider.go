// Package librus signs into Librus Synergia (the Polish school e-register)
// with the five-step flow described in docs/librus.md and keeps only the
// session cookies: Synergia has no refresh token, so the cookies are the
// grant.
package librus

import (
	"embed"
	"io/fs"

	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

// Domain is the provider's id, as in Home Assistant.
const Domain = "librus"

// Form field names (config.step.<id>.data.<name>).
const (
	FieldUsername = "username"
	FieldPassword = "password"
)

// Error keys beyond the shared ones.
const (
	// KeyCaptchaNeeded: the service wants a CAPTCHA solved in a browser first.
	KeyCaptchaNeeded = "captcha_needed"
	// KeyAccountActionRequired: the account needs something done first:
	// it has expired at the school, or Librus asks for a required action
	// that cannot be skipped (sign in once in a browser).
	KeyAccountActionRequired = "account_action_required"
	// KeyEmailNotLogin: the user typed the LIBRUS portal e-mail, not a Synergia login.
	KeyEmailNotLogin = "email_not_login"
	// KeyAccountLinked: Librus accepted the password, but the account is
	// linked to Konto LIBRUS and its gateway refuses this kind of sign-in.
	KeyAccountLinked = "account_linked"
)

// Progress keys, in step order.
const (
	ProgressInit      = "init"
	ProgressLogin     = "login"
	ProgressGrant     = "grant"
	ProgressTokenInfo = "token_info"
	ProgressUserInfo  = "user_info"
)

var progressKeys = []string{ProgressInit, ProgressLogin, ProgressGrant, ProgressTokenInfo, ProgressUserInfo}

//go:embed translations/*.json
var translations embed.FS

// Provider is the librus service. It keeps only its options, so one value
// serves any number of sequential attempts with nothing carried over.
type Provider struct {
	opts provider.Options
	ep   endpoints
	err  error // a bad host override, reported by Validate and Check
}

var _ provider.Provider = (*Provider)(nil)

// New reads the host overrides; it does no network I/O.
func New(opts provider.Options) *Provider {
	ep, err := loadEndpoints(opts)
	return &Provider{opts: opts, ep: ep, err: err}
}

// Domain implements provider.Provider.
func (p *Provider) Domain() string { return Domain }

// Schema is the Synergia login and its password.
func (p *Provider) Schema() provider.Schema {
	return provider.Schema{
		{Name: FieldUsername, Kind: provider.Text, Required: true},
		{Name: FieldPassword, Kind: provider.Password, Required: true},
	}
}

// Translations holds en.json and pl.json at its root.
func (p *Provider) Translations() fs.FS { return provider.Translations(translations, "translations") }

// ErrorKeys lists the keys of librus's own that Validate can return; the
// shared ones (provider.SharedErrorKeys) come from the engine.
func (p *Provider) ErrorKeys() []string {
	return []string{KeyCaptchaNeeded, KeyAccountActionRequired, KeyEmailNotLogin, KeyAccountLinked, provider.KeyServiceChanged}
}

// ProgressKeys lists the five steps' keys in order.
func (p *Provider) ProgressKeys() []string { return append([]string(nil), progressKeys...) }
