package flameconnect

import (
	"fmt"

	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

// b2cErrorCodes is the one place that says what an AADB2C error code
// means to the person signing in: SelfAsserted's JSON (`errorCode`) and the
// app's redirect (`error_description`) are both read through it, so a code
// means the same wherever B2C puts it. Each key names something the
// person can act on; docs/flameconnect.md ("B2C error codes") lists the
// codes with Microsoft's meaning of each.
var b2cErrorCodes = map[string]string{
	// Wrong password or unknown user.
	"AADB2C90052": provider.KeyInvalidAuth,
	"AADB2C90053": provider.KeyInvalidAuth,
	"AADB2C90054": provider.KeyInvalidAuth,
	"AADB2C90225": provider.KeyInvalidAuth,
	// Locked for a while after failed attempts: wait.
	"AADB2C90114": KeyAccountLocked,
	// Locked until support unlocks it.
	"AADB2C90111": KeyAccountBlocked,
	// Too many requests / retries of the self-asserted step: wait.
	"AADB2C90244": KeyTooManyAttempts,
	"AADB2C90157": KeyTooManyAttempts,
	// The service (or its identity provider) is unavailable: try later.
	"AADB2C90035": provider.KeyCannotConnect,
	"AADB2C90289": provider.KeyCannotConnect,
	// The transaction's state or its cookies were lost: start over.
	"AADB2C90046": KeySessionExpired,
	"AADB2C90255": KeySessionExpired,
	"AADB2C90211": KeySessionExpired,
	"AADB2C90212": KeySessionExpired,
	// The account's password has to be reset first.
	"AADB2C90118": KeyPasswordReset,
}

// expiredGrantCodes are the token endpoint's codes for a refresh grant
// that is gone for good (expired, revoked, or its account deleted): only a
// new sign-in mends them, whatever OAuth error they come with.
var expiredGrantCodes = map[string]bool{
	"AADB2C90080": true, // the provided grant has expired
	"AADB2C90129": true, // the provided grant has been revoked
	"AADB2C90128": true, // the account associated with the grant no longer exists
}

// oauthErrorKeys is what an app redirect's OAuth `error` means when its
// description carries no code of b2cErrorCodes. `access_denied` and the
// request errors are not here: without a code they are real surprises.
var oauthErrorKeys = map[string]string{
	"interaction_required": KeyInteractionRequired,
	"consent_required":     KeyInteractionRequired,
	"login_required":       KeyLoginRequired,
	"server_error":         provider.KeyCannotConnect,
	// RFC 6749 §4.1.2.1: the server is overloaded or in maintenance.
	"temporarily_unavailable": provider.KeyCannotConnect,
}

// b2cErrorKey is the key for an AADB2C code ("" and false when the table
// does not know it).
func b2cErrorKey(code string) (string, bool) {
	key, ok := b2cErrorCodes[code]
	return key, ok
}

// redirectError is an app redirect that carries `error` instead of a code.
// It keeps only the OAuth error (when plain) and the AADB2C code of the
// description: no other server text reaches a cause.
type redirectError struct {
	oauth      string // "" when unreadable
	unreadable bool
	b2c        string // AADB2Cnnnnn from error_description, "" when none
}

func (e *redirectError) Error() string {
	oauth := e.oauth
	if e.unreadable || oauth == "" {
		oauth = "(unreadable error code)"
	}
	if e.b2c != "" {
		return fmt.Sprintf("sign-in failed: %s (%s)", oauth, e.b2c)
	}
	return "sign-in failed: " + oauth
}

// key maps the redirect's error: the AADB2C code first (it is the more
// precise), then the OAuth error, else unknown.
func (e *redirectError) key() string {
	if key, ok := b2cErrorKey(e.b2c); ok {
		return key
	}
	if key, ok := oauthErrorKeys[e.oauth]; ok && !e.unreadable {
		return key
	}
	return provider.KeyUnknown
}
