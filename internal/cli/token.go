package cli

import (
	"context"
	"errors"
	"time"

	"github.com/setupwizard/setupwizard/internal/flow"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
	"github.com/setupwizard/setupwizard/internal/providers/registry"
	"github.com/setupwizard/setupwizard/internal/store"
)

// tokenMinValid is how long a printed credential must still work: a
// cached access token closer than this to its expiry is refreshed first.
const tokenMinValid = 5 * time.Minute

// tokenJSON is --token --json.
type tokenJSON struct {
	Provider  string `json:"provider"`
	Account   string `json:"account"`
	Token     string `json:"token,omitempty"`
	Cookie    string `json:"cookie,omitempty"`
	ExpiresAt string `json:"expires_at,omitempty"`
	TokenType string `json:"token_type"`
}

// runToken prints working credentials from the stored sign-in for a
// script: one line (an access token or a Cookie header value), or --json.
// It never reads a password and never opens a screen; the entry is chosen
// as --reauth and --status choose it, except that several matches are
// always a usage error listing them (exit 2).
func (a *app) runToken(ctx context.Context) error {
	st, err := a.openStore()
	if err != nil {
		return storeErr(a.T("cli.store.open"), err)
	}
	e, err := a.selectEntry(ctx, st, "cli.token.which")
	if err != nil {
		return err
	}
	p, ok := registry.Find(a.providers, e.Domain)
	if !ok {
		return a.failf("cli.entry.unknown_provider", "name", clean(e.Domain))
	}
	cred, err := flow.TokenFor(ctx, p, st, e.ID, tokenMinValid)
	var pe *provider.Error
	switch {
	case err == nil:
	case errors.Is(err, provider.ErrAuthExpired):
		a.tracer.Note("token %s: %v", e.UniqueID, err)
		return withKey(ExitExpired, store.IssueAuthExpired, errors.New(a.T("cli.token.expired",
			"service", a.displayName(e.Domain), "title", clean(e.Title), "command", a.reauthCommand(e))))
	case errors.Is(err, store.ErrKeyring), ctx.Err() != nil:
		return err
	case errors.As(err, &pe):
		a.tracer.Note("token %s: %v", e.UniqueID, err)
		return withKey(ExitFlow, pe.Key, errors.New(a.T("cli.token.failed", "error", a.errorText(e.Domain, pe.Key))))
	default:
		return storeErr(a.T("cli.token.read", "id", clean(e.UniqueID)), err)
	}
	// The credential is a secret: the trace never shows it.
	a.tracer.Secret(cred.Value)
	if a.opts.json {
		out := tokenJSON{Provider: e.Domain, Account: e.UniqueID, TokenType: cred.Type}
		if cred.Kind == "cookie" {
			out.Cookie = cred.Value
		} else {
			out.Token = cred.Value
		}
		if !cred.ExpiresAt.IsZero() {
			out.ExpiresAt = cred.ExpiresAt.UTC().Format(time.RFC3339)
		}
		a.writeJSON(out)
		return nil
	}
	a.outf("%s\n", cred.Value)
	return nil
}
