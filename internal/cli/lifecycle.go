package cli

import (
	"context"
	"errors"
	"strings"

	"github.com/setupwizard/setupwizard/internal/flow"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
	"github.com/setupwizard/setupwizard/internal/providers/registry"
	"github.com/setupwizard/setupwizard/internal/store"
	"github.com/setupwizard/setupwizard/internal/ui/frontend"
)

func (a *app) runList(ctx context.Context) error {
	_, all, err := a.loadEntries(ctx)
	if err != nil {
		return err
	}
	m := a.matchEntries(all)
	// A filter that matches nothing is an error (exit 1) in both output
	// modes (with --json, the error object is stdout's one document); an
	// empty list without a filter is not.
	if len(m) == 0 && len(all) > 0 {
		return a.noMatch(all)
	}
	if a.opts.json {
		out := make([]*entryJSON, 0, len(m))
		for _, e := range m {
			out = append(out, toEntryJSON(e))
		}
		a.writeJSON(out)
		return nil
	}
	if len(m) == 0 {
		a.sayOut(a.T("cli.list.empty"))
		return nil
	}
	t := table{head: []string{a.T("cli.list.head_service"), a.T("cli.list.head_account"), a.T("cli.list.head_id"), a.T("cli.list.head_issues")},
		shrink: []int{1, 0}} // the account's title, then the service: the unique id and the issues stay whole
	for _, e := range m {
		issues := "-"
		if len(e.Issues) > 0 {
			ids := make([]string, len(e.Issues))
			for i, is := range e.Issues {
				ids[i] = clean(is.ID)
			}
			issues = strings.Join(ids, ",")
		}
		t.rows = append(t.rows, []string{a.displayName(e.Domain), clean(e.Title), clean(e.UniqueID), issues})
	}
	return t.write(a.io.Out, a.io.OutWidth)
}

// statusJSON is one --status line in --json.
type statusJSON struct {
	Entry  *entryJSON `json:"entry"`
	State  string     `json:"state"`           // valid, expired, error
	Error  string     `json:"error,omitempty"` // an error key (auth_expired when expired)
	Detail string     `json:"detail,omitempty"`
	Reauth string     `json:"reauth_command,omitempty"`
}

// Status states.
const (
	stateValid   = "valid"
	stateExpired = "expired"
	stateError   = "error"
	// stateRemoved: another setupwizard removed the entry while it was
	// being checked.
	stateRemoved = "removed"
)

// runStatus checks every selected cache with the provider's silent
// refresh and reports each, even when one of them fails.
func (a *app) runStatus(ctx context.Context) error {
	st, all, err := a.loadEntries(ctx)
	if err != nil {
		return err
	}
	m := a.matchEntries(all)
	if len(m) == 0 {
		// Nothing checked is not "all valid": a script running
		// "setupwizard --status && sync" must stop (exit 1, no_accounts).
		return a.noMatch(all)
	}
	// A refreshed cache or an expiry must be recordable before any request.
	if err := a.checkWritable(ctx, st); err != nil {
		return err
	}
	// A locked or absent keyring must not read as "every account expired":
	// prove it answers before judging any cache.
	if err := st.Probe(ctx, m[0].Domain); err != nil {
		return storeErr(a.T("cli.store.probe"), err)
	}
	worst, worstKey := stateValid, ""
	var keyringErr error
	out := make([]statusJSON, 0, len(m))
	for _, e := range m {
		s, err := a.checkEntry(ctx, st, e)
		if ctx.Err() != nil {
			// Entries checked before the cancel keep what was recorded.
			return &cancelError{msg: a.T("cli.status.cancelled")}
		}
		if err != nil {
			// A keyring failure on one entry is reported on its line; the
			// others are still checked.
			a.tracer.Note("check %s: %v", e.UniqueID, err)
			if errors.Is(err, store.ErrKeyring) && keyringErr == nil {
				keyringErr = err
			}
			s.State, s.Error = stateError, provider.KeyUnknown
			if errors.Is(err, store.ErrKeyring) {
				s.Error = statusKeyring
			}
		}
		if stateRank[s.State] > stateRank[worst] {
			worst, worstKey = s.State, s.Error
		}
		out = append(out, s)
		if !a.opts.json {
			a.printStatus(e, s)
		}
	}
	switch {
	case keyringErr != nil:
		return &statusFailed{code: ExitKeyring, key: statusKeyring, accounts: out, err: storeErr(a.T("cli.store.keyring"), keyringErr)}
	case worst == stateExpired:
		return &statusFailed{code: ExitExpired, key: worstKey, accounts: out}
	case worst == stateError:
		return &statusFailed{code: ExitFlow, key: worstKey, accounts: out}
	}
	if a.opts.json {
		a.writeJSON(statusDocJSON{Result: stateValid, ExitCode: ExitOK, Accounts: out})
	}
	return nil
}

// statusDocJSON is --status --json when every account is valid; a failing
// --status prints the error object with the same "accounts".
type statusDocJSON struct {
	Result   string       `json:"result"` // "valid"
	ExitCode int          `json:"exit_code"`
	Accounts []statusJSON `json:"accounts"`
}

// Error keys of a --status line that are the command line's own, not a
// service's: the keyring failed, or another setupwizard held a lock past
// the wait.
const (
	statusKeyring    = "keyring"
	statusLocked     = "locked"
	statusUnreadable = "cache_unreadable"
)

// stateRank orders the states for --status's exit code: the worst line
// decides it (a keyring failure outranks them all).
var stateRank = map[string]int{stateValid: 0, stateRemoved: 0, stateError: 1, stateExpired: 2}

func (a *app) printStatus(e store.Entry, s statusJSON) {
	name, title := a.displayName(e.Domain), clean(e.Title)
	switch s.State {
	case stateValid:
		a.sayOut("✓ " + a.T("cli.status.valid", "service", name, "title", title))
	case stateExpired:
		a.sayCommand("✗ "+a.T("cli.status.expired", "service", name, "title", title, "command", s.Reauth), s.Reauth)
	case stateRemoved:
		a.sayOut("- " + a.T("cli.status.removed", "service", name, "title", title))
	default:
		why := a.errorText(e.Domain, s.Error)
		switch s.Error {
		case statusKeyring:
			why = a.T("cli.store.keyring")
		case statusLocked:
			why = a.T("cli.status.locked")
		case statusUnreadable:
			why = a.T("cli.status.unreadable", "command", s.Reauth)
		}
		line := "! " + a.T("cli.status.error", "service", name, "title", title, "error", why)
		a.sayCommand(line, s.Reauth)
	}
}

// errorText is an error key's message in the provider's words, with the
// key, as the front ends word it (a trace key asks for --debug); the bare
// key when the provider has no text for it.
func (a *app) errorText(domain, key string) string {
	a.noteReportableKey(key)
	if cat, err := a.catalog(domain); err == nil && cat.Has(a.lang, "config.error."+key) {
		return frontend.Text{Cat: cat, Lang: a.lang}.Error(key, nil)
	}
	return key
}

// checkEntry runs one entry's check through flow.CheckEntry, which stores
// a refreshed cache and records auth_expired only as compare-and-swaps: a
// reauth that commits meanwhile wins. An error is a store failure; what
// the service said is in the result.
func (a *app) checkEntry(ctx context.Context, st *store.Store, e store.Entry) (statusJSON, error) {
	s := statusJSON{Entry: toEntryJSON(e)}
	p, ok := registry.Find(a.providers, e.Domain)
	if !ok {
		s.State, s.Error, s.Detail = stateError, provider.KeyUnknown, a.T("cli.entry.unknown_provider", "name", clean(e.Domain))
		return s, nil
	}
	res, err := flow.CheckEntry(ctx, p, st, e.ID)
	var pe *provider.Error
	switch {
	case err == nil:
	case ctx.Err() != nil:
		s.State, s.Error = stateError, provider.KeyUnknown
		return s, nil
	case errors.As(err, &pe):
		a.tracer.Note("check %s: %v", e.UniqueID, err)
		s.State, s.Error = stateError, pe.Key
		return s, nil
	case errors.Is(err, store.ErrKeyring):
		return s, err
	case errors.Is(err, store.ErrRemoved):
		// Removed by another setupwizard while this one checked it: not
		// a damaged sign-in, and nothing to renew.
		a.tracer.Note("check %s: %v", e.UniqueID, err)
		s.State = stateRemoved
		return s, nil
	case errors.Is(err, store.ErrCorrupt), errors.Is(err, store.ErrNotFound):
		// A missing or corrupt cache cannot sign in: a reauth rewrites it.
		// Nothing is recorded (only the service's word records expiry).
		a.tracer.Note("check %s: %v", e.UniqueID, err)
		s.State, s.Error, s.Reauth = stateError, statusUnreadable, a.reauthCommand(e)
		return s, nil
	case errors.Is(err, store.ErrLocked):
		// Another setupwizard held the account (or the accounts list)
		// past the wait: busy, not a surprise; nothing was recorded.
		a.tracer.Note("check %s: %v", e.UniqueID, err)
		s.State, s.Error = stateError, statusLocked
		return s, nil
	default:
		a.tracer.Note("check %s: %v", e.UniqueID, err)
		s.State, s.Error, s.Detail = stateError, provider.KeyUnknown, clean(err.Error())
		return s, nil
	}
	if res.Entry.ID != "" {
		s.Entry = toEntryJSON(res.Entry)
	}
	switch res.State {
	case flow.CheckExpired:
		if res.Cause != nil {
			a.tracer.Note("check %s: %v", e.UniqueID, res.Cause)
		}
		s.State, s.Error, s.Reauth = stateExpired, store.IssueAuthExpired, a.reauthCommand(e)
		s.Detail = a.T("cli.status.expired_detail")
	default:
		s.State = stateValid
	}
	return s, nil
}

func (a *app) runRemove(ctx context.Context) error {
	if !a.opts.yes && !a.io.CanPrompt() {
		return a.usagef("cli.remove.needs_yes")
	}
	st, err := a.openStore()
	if err != nil {
		return storeErr(a.T("cli.store.open"), err)
	}
	e, err := a.selectEntry(ctx, st, "cli.remove.which")
	if err != nil {
		return err
	}
	name, title := a.displayName(e.Domain), clean(e.Title)
	if !a.opts.yes {
		yes, err := a.prompter.Confirm(ctx, a.T("cli.remove.confirm", "service", name, "title", title))
		if err != nil {
			return err
		}
		if !yes {
			// Declining is a way of cancelling: the same exit as esc.
			return &cancelError{msg: a.T("cli.remove.declined")}
		}
	}
	if err := st.Remove(ctx, e.ID); err != nil {
		// Whatever the cause's advice, say what became of the account.
		switch {
		case errors.Is(err, store.ErrKept):
			a.errf("setupwizard: %s\n", a.T("cli.remove.kept", "service", name, "title", title))
		case errors.Is(err, store.ErrRemoveUnfinished):
			a.errf("setupwizard: %s\n", a.T("cli.remove.unfinished", "service", name, "title", title))
		}
		return storeErr(a.T("cli.remove.failed", "id", clean(e.UniqueID)), err)
	}
	// Another program's items under the same names are never deleted
	// (docs/storage.md, "Items in the keyring"): say they are still there.
	var left []string
	if !a.opts.demo { // the demo's keyring is in memory: nothing to look at
		if labels, err := store.LeftBehind(e); err == nil {
			for _, l := range labels {
				left = append(left, clean(l))
			}
		} else {
			a.tracer.Note("keyring: look for items left behind: %v", err)
		}
	}
	if a.opts.json {
		a.writeJSON(struct {
			Result     string     `json:"result"`
			Entry      *entryJSON `json:"entry"`
			LeftBehind []string   `json:"left_behind,omitempty"`
		}{"removed", toEntryJSON(e), left})
		return nil
	}
	a.sayOut("✓ " + a.T("cli.remove.done", "service", name, "title", title))
	if len(left) > 0 {
		a.sayOut(a.T("cli.remove.left_behind", "labels", strings.Join(left, "; ")))
	}
	return nil
}
