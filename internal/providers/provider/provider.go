// Package provider is the contract every service implements: its form
// schema, its validator, its error keys, its strings and its silent
// refresh check. It knows nothing of terminals, keyrings or the flow engine,
// so a provider can be tested on its own against its emulator.
package provider

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"time"
)

// FieldKind says how a field is collected and pre-validated.
type FieldKind int

const (
	// Text is a plain single-line field (a login).
	Text FieldKind = iota
	// Email is a text field that must look like an e-mail address.
	Email
	// Password is masked on screen and never kept after a validation.
	Password
)

// Field is one entry of a form, named as in the strings' config.step.<id>.data.<name>.
type Field struct {
	Name     string
	Kind     FieldKind
	Required bool
}

// Schema is a form's fields in display order. By convention the first
// non-password field is the login, which a failed submit keeps.
type Schema []Field

// Login returns the name of the login field ("" when there is none).
func (s Schema) Login() string {
	for _, f := range s {
		if f.Kind != Password {
			return f.Name
		}
	}
	return ""
}

// Has reports whether the schema has a field of that name.
func (s Schema) Has(name string) bool {
	for _, f := range s {
		if f.Name == name {
			return true
		}
	}
	return false
}

// Input holds submitted values by field name. It carries the password for the
// length of one validation; callers drop it afterwards.
type Input map[string]string

// Account is what a successful validation yields: who signed in and the
// token cache to keep. Login is what the user typed (kept in the entries
// index to prefill reauth); it is never part of Cache.
type Account struct {
	UniqueID string
	Title    string
	Login    string
	// Identity is who the service vouched for (an ID token's oid or
	// subject, a user number the service returns), stable across logins and e-mail
	// changes. A reauth whose Identity differs from the entry's is another
	// account, whatever the typed login's slug. Never a secret.
	Identity string
	Cache    []byte
}

// Translations returns the dir subtree of an embedded file system, the
// <lang>.json files a provider's Translations method serves. The tree is
// fixed at build time, so a missing dir is a programming error and panics.
func Translations(fsys fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		panic(fmt.Sprintf("embedded translations %q: %v", dir, err))
	}
	return sub
}

// Progress names the step a validator is on, so the UI can say
// "Step 2 of 5: Signing in". Key resolves through config.progress.<Key>.
type Progress struct {
	Step  int
	Total int
	Key   string
}

// ProgressFunc receives progress reports; it must not block.
type ProgressFunc func(Progress)

// Error is a failure with a config-flow error key, shown on the form under
// Field ("" means "base"). Err is the cause, for the debug trace only: it
// must never hold a password, token or cookie value.
type Error struct {
	Key   string
	Field string
	Err   error
}

// Error names the key and where it shows; the cause follows for the trace.
func (e *Error) Error() string {
	where := e.Field
	if where == "" {
		where = "base"
	}
	if e.Err != nil {
		return fmt.Sprintf("%s (%s): %v", e.Key, where, e.Err)
	}
	return fmt.Sprintf("%s (%s)", e.Key, where)
}

// Unwrap exposes the cause, so errors.Is sees timeouts and cancellations.
func (e *Error) Unwrap() error { return e.Err }

// Fail builds a base error with a formatted cause.
func Fail(key, format string, args ...any) *Error {
	return &Error{Key: key, Err: fmt.Errorf(format, args...)}
}

// ErrAuthExpired is returned by Check when the stored grant can no longer be
// used and the password is needed again (reauth).
var ErrAuthExpired = errors.New("authentication expired")

// Error keys shared by every provider.
const (
	KeyInvalidAuth   = "invalid_auth"
	KeyCannotConnect = "cannot_connect"
	KeyTimeout       = "timeout"
	KeyUnknown       = "unknown"
)

// SharedErrorKeys are the keys every provider can return; the engine
// supplies them, so a provider's ErrorKeys lists only its own.
var SharedErrorKeys = []string{KeyInvalidAuth, KeyCannotConnect, KeyTimeout, KeyUnknown}

// KeyServiceChanged is the key for an answer of a shape the provider does
// not know (a sign-in page without its settings, a JSON of another form):
// the service changed and setupwizard needs an update. It is not a shared
// key: each provider names its service in the text.
const KeyServiceChanged = "service_changed"

// Credential is what --token hands a script: an access token (Kind
// "token", Type "Bearer") or a Cookie header value (Kind "cookie", Type
// "Cookie"), and when it stops working (zero when unknown).
type Credential struct {
	Kind      string
	Type      string
	Value     string
	ExpiresAt time.Time
}

// Provider is one service. Implementations must be safe for one Validate
// or Check at a time per call; they hold no per-attempt state between calls.
type Provider interface {
	// Domain is the provider's id ("example"), as in Home Assistant.
	Domain() string
	// Schema is the form of the user and reauth_confirm steps.
	Schema() Schema
	// Translations holds <lang>.json files in the strings.json layout at its root.
	Translations() fs.FS
	// ErrorKeys lists every error key Validate can return, for the strings check.
	ErrorKeys() []string
	// ProgressKeys lists every progress key Validate reports.
	ProgressKeys() []string
	// Validate signs in with the input. It returns the account, a *Error, or
	// the context's error when ctx was cancelled.
	Validate(ctx context.Context, in Input, progress ProgressFunc) (*Account, error)
	// Check proves the cache still grants access without a password, by a
	// real refresh. It returns the updated cache, ErrAuthExpired, or a *Error
	// (cannot_connect, timeout, ...) when the answer says nothing about expiry.
	Check(ctx context.Context, cache []byte) ([]byte, error)
	// Identity reads the service-vouched identity (as in Account.Identity)
	// from a stored cache, for entries written before identities were kept
	// in the index. It does no I/O; "" with a nil error means the cache
	// holds none.
	Identity(cache []byte) (string, error)
	// Token returns a credential that stays valid for at least minValid,
	// from the cache alone when it holds one (no request), else after a
	// silent refresh. updated is the cache to store back (nil when
	// unchanged). Errors are as Check's: ErrAuthExpired only on the
	// service's word that the grant is dead.
	Token(ctx context.Context, cache []byte, minValid time.Duration) (cred Credential, updated []byte, err error)
}
