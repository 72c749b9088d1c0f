// Package flameconnect signs into FlameConnect (Dimplex/Faber fireplaces)
// the way its Home Assistant integration does: MSAL Go's auth-code flow
// against the Azure AD B2C tenant, with the credentials submitted to the
// B2C page by hand (no browser), PKCE and state checked. Only MSAL's token
// cache is kept; Check proves it still works with a real refresh.
package flameconnect

import (
	"embed"
	"io/fs"

	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

// Public FlameConnect client constants (from the official app).
const (
	// Domain is the provider id, as in Home Assistant.
	Domain = "flameconnect"
	// ClientID is the public FlameConnect mobile client.
	ClientID = "1af761dc-085a-411f-9cb9-53e5e2115bd2"
	// DefaultAuthority is the live B2C authority (tenant and mixed-case policy).
	DefaultAuthority = "https://gdhvb2cflameconnect.b2clogin.com/gdhvb2cflameconnect.onmicrosoft.com/B2C_1A_FirePhoneSignUpOrSignInWithPhoneOrEmail"
	// APIScope is the FlameConnect cloud API scope.
	APIScope = "https://gdhvb2cflameconnect.onmicrosoft.com/Mobile/read"
	// RedirectURI is the app's registered redirect, msal{ClientID}://auth.
	RedirectURI = "msal" + ClientID + "://auth"
	// EnvAuthority overrides DefaultAuthority (another tenant, a proxy, tests).
	EnvAuthority = "SETUPWIZARD_FLAMECONNECT_AUTHORITY"
)

// Form field names (config.step.<id>.data.<name>).
const (
	FieldEmail    = "email"
	FieldPassword = "password"
)

// Error keys beyond the shared ones, each a distinct thing the user can act on.
const (
	// KeyActionRequired: B2C wants another step (MFA, consent, new password).
	KeyActionRequired = "action_required"
	// KeyBlocked: SelfAsserted answered 403 (bot protection).
	KeyBlocked = "blocked"
	// KeySessionExpired: B2C expired or rejected the sign-in transaction or
	// its CSRF token (400, or a page instead of JSON, on SelfAsserted).
	KeySessionExpired = "session_expired"
	// KeyCaptchaNeeded: the sign-in page carries a CAPTCHA and SelfAsserted
	// refused the submission without its answer (docs/flameconnect.md).
	KeyCaptchaNeeded = "captcha_needed"
	// KeyAccountLocked: B2C locked the account for a while after failed
	// attempts (AADB2C90114): wait, then try again.
	KeyAccountLocked = "account_locked"
	// KeyAccountBlocked: B2C locked the account until support unlocks it
	// (AADB2C90111): contact Flame Connect support.
	KeyAccountBlocked = "account_blocked"
	// KeyTooManyAttempts: B2C throttles the sign-in (AADB2C90244,
	// AADB2C90157): wait, then try again.
	KeyTooManyAttempts = "too_many_attempts"
	// KeyPasswordReset: the account's password must be reset first
	// (AADB2C90118).
	KeyPasswordReset = "password_reset"
	// KeyInteractionRequired: the app redirect says interaction_required
	// (or consent_required) with no code setupwizard knows: sign in once
	// in the Flame Connect app.
	KeyInteractionRequired = "interaction_required"
	// KeyLoginRequired: the app redirect says login_required with no code
	// setupwizard knows: sign in once in the Flame Connect app.
	KeyLoginRequired = "login_required"
)

// Progress keys (config.progress.<key>), in order.
const (
	ProgressOpeningPage      = "opening_page"
	ProgressCheckingPassword = "checking_password"
	ProgressConfirming       = "confirming"
	ProgressGettingTokens    = "getting_tokens"
)

// scopes asks for a refresh token (offline_access) besides the API scope.
var scopes = []string{"openid", "offline_access", APIScope}

//go:embed translations/*.json
var translationFiles embed.FS

// Provider is the FlameConnect service. It holds only configuration: every
// Validate or Check builds its own HTTP client and MSAL client.
type Provider struct {
	opts      provider.Options
	authority string
}

var _ provider.Provider = (*Provider)(nil)

// New reads the authority override and returns at once: no network.
func New(opts provider.Options) *Provider {
	auth := opts.Env(EnvAuthority)
	if auth == "" {
		auth = DefaultAuthority
	}
	return &Provider{opts: opts, authority: auth}
}

// Domain is "flameconnect".
func (p *Provider) Domain() string { return Domain }

// Schema is the e-mail and password form of the user and reauth_confirm steps.
func (p *Provider) Schema() provider.Schema {
	return provider.Schema{
		{Name: FieldEmail, Kind: provider.Email, Required: true},
		{Name: FieldPassword, Kind: provider.Password, Required: true},
	}
}

// ErrorKeys lists the keys Validate can return beyond
// provider.SharedErrorKeys, which the engine adds itself.
func (p *Provider) ErrorKeys() []string {
	return []string{KeyActionRequired, KeyBlocked, KeySessionExpired, KeyCaptchaNeeded, provider.KeyServiceChanged,
		KeyAccountLocked, KeyAccountBlocked, KeyTooManyAttempts, KeyPasswordReset, KeyInteractionRequired, KeyLoginRequired}
}

// ProgressKeys lists the steps Validate reports, in order.
func (p *Provider) ProgressKeys() []string {
	return []string{ProgressOpeningPage, ProgressCheckingPassword, ProgressConfirming, ProgressGettingTokens}
}

// Translations holds en.json (and pl.json) in the strings.json layout.
func (p *Provider) Translations() fs.FS {
	sub, err := fs.Sub(translationFiles, "translations")
	if err != nil {
		panic("flameconnect: embedded translations: " + err.Error()) // cannot happen: the directory is embedded
	}
	return sub
}
