// Package flow is the config-flow engine: it mirrors Home Assistant's
// data_entry_flow for the steps "user" and "reauth_confirm", decides the
// unique-id rules (already_configured, wrong_account, reauth_successful) and
// writes through a Store. It has no terminal and no keyring code, so the TUI,
// the accessible prompts and the non-interactive mode drive the same logic.
package flow

import (
	"github.com/setupwizard/setupwizard/internal/providers/provider"
	"github.com/setupwizard/setupwizard/internal/store"
)

// ResultType is what a step returned, named as in Home Assistant.
type ResultType string

// Result types.
const (
	ResultForm        ResultType = "form"
	ResultCreateEntry ResultType = "create_entry"
	ResultAbort       ResultType = "abort"
)

// Step ids.
const (
	StepUser          = "user"
	StepReauthConfirm = "reauth_confirm"
)

// Base is the errors-map key for an error not tied to a field.
const Base = "base"

// Abort reasons the engine decides.
const (
	AbortAlreadyConfigured = "already_configured"
	AbortWrongAccount      = "wrong_account"
	AbortReauthSuccessful  = "reauth_successful"
)

// Field-level error keys raised before any network call.
const (
	ErrRequired          = "required"
	ErrInvalidEmail      = "invalid_email"
	ErrTooLong           = "too_long"
	ErrInvalidCharacters = "invalid_characters"
)

// Result is one step's outcome: a form to show (again), a created entry, or
// an abort. Secrets are never part of a Result: Defaults never holds the
// password and Entry never holds the token cache.
type Result struct {
	Type   ResultType
	StepID string
	// Form.
	Schema       provider.Schema
	Errors       map[string]string // field name or Base -> error key
	Placeholders map[string]string // description placeholders, e.g. {name}
	Defaults     map[string]string // values to prefill (the login)
	// CreateEntry.
	Entry store.Entry
	// Abort.
	Reason string
	// Cause is why an error or abort happened, for the debug trace; it holds
	// no secrets (providers guarantee it for their errors).
	Cause error
	// ReloadErr is set when, after a successful reauth, reading the new cache
	// back or its silent check failed; the reauth itself stands.
	ReloadErr error
}
