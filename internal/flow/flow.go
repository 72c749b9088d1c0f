package flow

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/setupwizard/setupwizard/internal/providers/provider"
	"github.com/setupwizard/setupwizard/internal/store"
)

// Source is why a flow runs, as Home Assistant's context["source"].
type Source string

// Sources.
const (
	SourceUser   Source = "user"
	SourceReauth Source = "reauth"
)

// Flow is one run of a provider's config flow. It is not safe for
// concurrent Submits; a front end submits, waits, then submits again.
type Flow struct {
	p      provider.Provider
	st     Store
	source Source
	entry  store.Entry // the entry being re-authenticated
	login  string      // last login typed, kept across failed submits
}

// NewUser starts an add-account flow (step "user").
func NewUser(p provider.Provider, st Store) *Flow {
	return &Flow{p: p, st: st, source: SourceUser}
}

// NewReauth starts a reauth flow for an existing entry (step
// "reauth_confirm"), with the entry's login prefilled.
func NewReauth(p provider.Provider, st Store, e store.Entry) *Flow {
	return &Flow{p: p, st: st, source: SourceReauth, entry: e, login: e.Login()}
}

// Prefill sets the login the form starts with (-u on a terminal).
func (f *Flow) Prefill(login string) {
	if login != "" {
		f.login = login
	}
}

// Provider is the flow's provider.
func (f *Flow) Provider() provider.Provider { return f.p }

// Source is the flow's source.
func (f *Flow) Source() Source { return f.source }

// StepID is the step the flow's form belongs to.
func (f *Flow) StepID() string {
	if f.source == SourceReauth {
		return StepReauthConfirm
	}
	return StepUser
}

// Placeholders are the description placeholders the step provides; the
// strings check holds every string of the step to these.
func (f *Flow) Placeholders() map[string]string {
	if f.source == SourceReauth {
		return map[string]string{"name": f.entry.Title}
	}
	return map[string]string{}
}

// Start returns the first form.
func (f *Flow) Start() Result { return f.form(nil, nil) }

func (f *Flow) form(errs map[string]string, cause error) Result {
	if errs == nil {
		errs = map[string]string{}
	}
	defaults := map[string]string{}
	if name := f.p.Schema().Login(); name != "" && f.login != "" {
		defaults[name] = f.login
	}
	return Result{
		Type:         ResultForm,
		StepID:       f.StepID(),
		Schema:       f.p.Schema(),
		Errors:       errs,
		Placeholders: f.Placeholders(),
		Defaults:     defaults,
		Cause:        cause,
	}
}

func (f *Flow) abort(reason string, cause error) Result {
	return Result{Type: ResultAbort, StepID: f.StepID(), Reason: reason, Placeholders: f.Placeholders(), Entry: f.entry, Cause: cause}
}

// Submit validates the input and returns the next result. It returns an
// error only when nothing can be shown on the form: the context was
// cancelled (nothing was saved), or the store failed (wraps
// store.ErrKeyring when the keyring is the cause). The input's password is
// not kept: callers should drop in after Submit returns.
func (f *Flow) Submit(ctx context.Context, in provider.Input, progress provider.ProgressFunc) (Result, error) {
	schema := f.p.Schema()
	local := provider.Input{}
	for k, v := range in {
		local[k] = v
	}
	errs := checkFields(schema, local)
	f.login = local[schema.Login()]
	if len(errs) > 0 {
		return f.form(errs, nil), nil
	}
	if progress == nil {
		progress = func(provider.Progress) {}
	}
	acct, err := f.p.Validate(f.validateContext(ctx), local, progress)
	clear(local)
	if ctx.Err() != nil {
		// Cancelled: even a validation that finished in the same instant
		// saves nothing.
		return Result{}, ctx.Err()
	}
	if err != nil {
		var pe *provider.Error
		if errors.As(err, &pe) {
			field := pe.Field
			if !schema.Has(field) {
				// A field the form does not show would hide the error.
				field = Base
			}
			return f.form(map[string]string{field: pe.Key}, err), nil
		}
		return f.form(map[string]string{Base: provider.KeyUnknown}, err), nil
	}
	if acct == nil || acct.UniqueID == "" {
		return f.form(map[string]string{Base: provider.KeyUnknown}, errors.New("provider returned no account")), nil
	}
	if f.source == SourceReauth {
		return f.finishReauth(ctx, acct)
	}
	return f.finishUser(ctx, acct)
}

// validateContext hands a reauth's validation the entry's current cache
// (provider.WithPriorCache), from which a provider may reuse what a
// browser keeps across sign-ins. A cache that cannot be read is simply not
// handed over: the sign-in itself needs only the password.
func (f *Flow) validateContext(ctx context.Context) context.Context {
	if f.source != SourceReauth {
		return ctx
	}
	cache, _, err := f.st.LoadCache(ctx, f.entry.ID)
	if err != nil {
		return ctx
	}
	return provider.WithPriorCache(ctx, cache)
}

// finishUser is async_set_unique_id + _abort_if_unique_id_configured +
// async_create_entry; the store re-checks the unique id under its lock.
func (f *Flow) finishUser(ctx context.Context, acct *provider.Account) (Result, error) {
	entries, err := f.st.Entries(ctx)
	if err != nil {
		return Result{}, fmt.Errorf("read entries: %w", err)
	}
	for _, e := range entries {
		if e.Domain == f.p.Domain() && e.UniqueID == acct.UniqueID {
			f.entry = e
			return f.abort(AbortAlreadyConfigured, nil), nil
		}
	}
	e := store.Entry{
		Domain:   f.p.Domain(),
		Title:    acct.Title,
		UniqueID: acct.UniqueID,
		Data:     map[string]string{store.DataLogin: acct.Login},
		Identity: acct.Identity,
	}
	created, err := f.st.Add(ctx, e, acct.Cache)
	if errors.Is(err, store.ErrDuplicate) {
		return f.abort(AbortAlreadyConfigured, err), nil
	}
	if err != nil {
		return Result{}, fmt.Errorf("save entry %s: %w", acct.UniqueID, err)
	}
	f.entry = created
	return Result{Type: ResultCreateEntry, StepID: f.StepID(), Entry: created, Placeholders: f.Placeholders()}, nil
}

// finishReauth is _abort_if_unique_id_mismatch + async_update_reload_and_abort.
// The account is judged by the identity the service vouched for, not only
// by the typed login's slug (two e-mails can slugify alike): an entry that
// has no stored identity yet learns it from its current cache.
func (f *Flow) finishReauth(ctx context.Context, acct *provider.Account) (Result, error) {
	if acct.UniqueID != f.entry.UniqueID {
		return f.abort(AbortWrongAccount, fmt.Errorf("signed in as %s, entry is %s", acct.UniqueID, f.entry.UniqueID)), nil
	}
	if cur, err := f.st.Get(ctx, f.entry.ID); err == nil {
		f.entry = cur
	} else {
		return Result{}, fmt.Errorf("read entry %s: %w", f.entry.ID, err)
	}
	want := f.entry.Identity
	if want == "" {
		want = f.storedIdentity(ctx)
	}
	if want != "" && acct.Identity != want {
		return f.abort(AbortWrongAccount, fmt.Errorf("the service signed in identity %q, entry %s belongs to %q", acct.Identity, f.entry.ID, want)), nil
	}
	// A reauth always wins: no version condition.
	if _, err := f.st.ReplaceCache(ctx, f.entry.ID, acct.Cache, ""); err != nil {
		return Result{}, fmt.Errorf("update entry %s: %w", f.entry.ID, err)
	}
	// From here the new cache is in place: the reauth has succeeded, and a
	// later failure is reported with it, never as if nothing changed.
	var warnings []error
	if acct.Identity != "" && acct.Identity != f.entry.Identity {
		if err := f.st.SetIdentity(ctx, f.entry.ID, acct.Identity); err != nil {
			warnings = append(warnings, fmt.Errorf("record identity on entry %s: %w", f.entry.ID, err))
		}
	}
	if err := f.st.SetIssue(ctx, f.entry.ID, store.IssueAuthExpired, false, ""); err != nil {
		warnings = append(warnings, fmt.Errorf("clear %s on entry %s: %w", store.IssueAuthExpired, f.entry.ID, err))
	}
	if err := Reload(ctx, f.p, f.st, f.entry.ID); err != nil {
		warnings = append(warnings, err)
	}
	if e, err := f.st.Get(ctx, f.entry.ID); err == nil {
		f.entry = e
	}
	res := f.abort(AbortReauthSuccessful, nil)
	res.ReloadErr = errors.Join(warnings...)
	return res, nil
}

// storedIdentity reads the identity from the entry's current cache ("" when
// it holds none or cannot be read: the unique id check then stands alone).
func (f *Flow) storedIdentity(ctx context.Context) string {
	cache, _, err := f.st.LoadCache(ctx, f.entry.ID)
	if err != nil {
		return ""
	}
	id, err := f.p.Identity(cache)
	if err != nil {
		return ""
	}
	return id
}

// Reload reads an entry's cache back from the store and proves it with the
// provider's silent check, saving the refreshed cache: what Home Assistant's
// entry reload does after a reauth. Another command (a --token or --status
// refresh) may have replaced the cache since it was written, which is
// fine: whatever is current is checked. The refreshed cache is stored only
// if nobody wrote meanwhile (compare-and-swap); a lost race keeps the
// winner's.
func Reload(ctx context.Context, p provider.Provider, st Store, id string) error {
	// Under the refresh lock, as CheckEntry and TokenFor: a refresh
	// racing theirs could end the credential a --token just printed.
	unlock, err := st.LockRefresh(ctx, id)
	if err != nil {
		return fmt.Errorf("check entry %s: %w", id, err)
	}
	defer unlock()
	cache, ver, err := st.LoadCache(ctx, id)
	if err != nil {
		return fmt.Errorf("read back entry %s: %w", id, err)
	}
	updated, err := p.Check(ctx, cache)
	if err != nil {
		return fmt.Errorf("check entry %s: %w", id, err)
	}
	if len(updated) > 0 && !bytes.Equal(updated, cache) {
		if _, err := st.ReplaceCache(ctx, id, updated, ver); err != nil && !errors.Is(err, store.ErrConflict) {
			return fmt.Errorf("save refreshed cache of entry %s: %w", id, err)
		}
	}
	return nil
}
