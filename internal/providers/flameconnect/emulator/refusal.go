package emulator

import (
	"net/url"
	"strings"
)

// Refusal is how the emulator refuses one account's sign-in, the way B2C
// refuses an account it locked or throttles, or sends a sign-in back to
// the app with an error (docs/flameconnect.md, "B2C error codes").
type Refusal struct {
	// Code, when set, is SelfAsserted's answer to every submission of the
	// account, whatever the password: {"status":"400","errorCode":Code}
	// (AADB2C90114 locked for a while, AADB2C90111 locked until support
	// unlocks it, AADB2C90244 / AADB2C90157 throttled...).
	Code string
	// RedirectError, when set, sends the app's redirect with
	// error=RedirectError (and error_description=Description when set)
	// instead of a code, once the password was accepted.
	RedirectError string
	// Description is the redirect's error_description, as B2C writes it:
	// "AADB2C90157: User has exceeded the maximum number for retries...".
	Description string
}

// Accounts every emulator starts with besides the demo account, so a
// person (--demo) or a test sees each refusal by signing in as one of
// them with DemoPassword.
const (
	// LockedEmail is locked for a while (AADB2C90114).
	LockedEmail = "locked@example.com"
	// SupportLockedEmail is locked until support unlocks it (AADB2C90111).
	SupportLockedEmail = "support-locked@example.com"
	// ThrottledEmail is throttled (AADB2C90244).
	ThrottledEmail = "throttled@example.com"
	// AppOnlyEmail is sent back to the app with error=interaction_required
	// and no code.
	AppOnlyEmail = "app-only@example.com"
)

// DemoRefusals are the refused accounts every emulator starts with.
var DemoRefusals = map[string]Refusal{
	LockedEmail:        {Code: "AADB2C90114"},
	SupportLockedEmail: {Code: "AADB2C90111"},
	ThrottledEmail:     {Code: "AADB2C90244"},
	AppOnlyEmail:       {RedirectError: "interaction_required"},
}

// b2cMessages are B2C's English messages for the codes a Refusal may
// carry; a client must not show them (it has its own words), but they are
// what the real service sends beside the code.
var b2cMessages = map[string]string{
	"AADB2C90052": "Invalid username or password.",
	"AADB2C90053": "Your password is incorrect.",
	"AADB2C90054": "Invalid username or password.",
	"AADB2C90114": "Your account is temporarily locked to prevent unauthorized use. Try again later.",
	"AADB2C90111": "Your account has been locked. Contact your support person to unlock it, then try again.",
	"AADB2C90244": "There are too many requests at this moment. Please wait for some time and try again.",
	"AADB2C90157": "User has exceeded the maximum number for retries for a self-asserted step.",
	"AADB2C90035": "The service is temporarily unavailable. Please retry after a few minutes.",
	"AADB2C90289": "We encountered an error connecting to the identity provider. Please try again later.",
	"AADB2C90046": "We are having trouble loading your current state. You might want to try starting your session over from the beginning.",
	"AADB2C90255": "The claims exchange specified in technical profile does not exist.",
	"AADB2C90211": "The request contained invalid or missing cookies.",
	"AADB2C90212": "The request did not contain the cookies expected.",
	"AADB2C90118": "The user has forgotten their password.",
}

// b2cMessage is B2C's message for code, or a generic one.
func b2cMessage(code string) string {
	if m, ok := b2cMessages[code]; ok {
		return m
	}
	return "Unable to validate the information provided."
}

// Refuse sets (or, with a zero Refusal, ends) the refusal of email's
// sign-ins. The account need not exist: B2C answers a locked or throttled
// sign-in before it looks at the password.
func (e *Emulator) Refuse(email string, r Refusal) {
	e.mu.Lock()
	defer e.mu.Unlock()
	k := strings.ToLower(email)
	if r == (Refusal{}) {
		delete(e.refusals, k)
		return
	}
	e.refusals[k] = r
}

func (e *Emulator) refusal(login string) (Refusal, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	r, ok := e.refusals[strings.ToLower(login)]
	return r, ok
}

// redirectErrorQuery is the app redirect's query for a refusal's error,
// written as B2C writes it (the description's ':' escaped, spaces as '+').
func redirectErrorQuery(r Refusal) string {
	q := "error=" + url.QueryEscape(r.RedirectError)
	if r.Description != "" {
		q += "&error_description=" + url.QueryEscape(r.Description)
	}
	return q
}

// SetRefreshError makes the token endpoint answer every refresh grant
// with HTTP 400 {"error": oauthErr, "error_description": description},
// as B2C answers a revoked grant (AADB2C90129) or one whose account is
// gone (AADB2C90128). An empty oauthErr ends it.
func (e *Emulator) SetRefreshError(oauthErr, description string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.refreshErr = [2]string{oauthErr, description}
}

func (e *Emulator) refreshError() (oauthErr, description string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.refreshErr[0], e.refreshErr[1]
}
