package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/setupwizard/setupwizard/internal/providers/provider"
	"github.com/setupwizard/setupwizard/internal/providers/registry"
	"github.com/setupwizard/setupwizard/internal/store"
)

// loadEntries opens the store and reads every entry; ok=false carries an
// exit code.
func (a *app) loadEntries() (*store.Store, []store.Entry, int, bool) {
	st, err := a.openStore()
	if err != nil {
		return nil, nil, a.storeErr("open entries", err), false
	}
	all, err := st.Entries()
	if err != nil {
		return nil, nil, a.storeErr("read entries", err), false
	}
	return st, all, 0, true
}

func (a *app) runList() int {
	_, all, code, ok := a.loadEntries()
	if !ok {
		return code
	}
	m := a.matchEntries(all)
	// A filter that matches nothing is an error (exit 1) in both output
	// modes; an empty list without a filter is not.
	code = ExitOK
	if len(m) == 0 && len(all) > 0 {
		code = ExitFlow
		fmt.Fprintf(a.io.ErrOut, "setupwizard: no account matches%s\n", a.filterText())
	}
	if a.opts.json {
		out := make([]*entryJSON, 0, len(m))
		for _, e := range m {
			out = append(out, toEntryJSON(e))
		}
		a.writeJSON(out)
		return code
	}
	if len(m) == 0 {
		if len(all) == 0 {
			fmt.Fprintln(a.io.Out, "No accounts configured. Run 'setupwizard' to add one, or 'setupwizard --demo' to try it offline.")
		}
		return code
	}
	tw := tabwriter.NewWriter(a.io.Out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PROVIDER\tTITLE\tUNIQUE ID\tISSUES")
	for _, e := range m {
		issues := "-"
		if len(e.Issues) > 0 {
			issues = ""
			for i, is := range e.Issues {
				if i > 0 {
					issues += ","
				}
				issues += is.ID
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", e.Domain, e.Title, e.UniqueID, issues)
	}
	_ = tw.Flush()
	return ExitOK
}

// statusJSON is one --status line in --json.
type statusJSON struct {
	Entry  *entryJSON `json:"entry"`
	State  string     `json:"state"`           // valid, expired, error
	Error  string     `json:"error,omitempty"` // an error key, with state "error"
	Detail string     `json:"detail,omitempty"`
	Reauth string     `json:"reauth_command,omitempty"`
}

// runStatus checks every selected cache with the provider's silent refresh.
// Expired records auth_expired; valid stores the refreshed cache and clears
// it; network trouble changes nothing.
func (a *app) runStatus(ctx context.Context) int {
	st, all, code, ok := a.loadEntries()
	if !ok {
		return code
	}
	m := a.matchEntries(all)
	if len(m) == 0 {
		code = ExitOK
		if len(all) > 0 {
			code = ExitFlow
			fmt.Fprintf(a.io.ErrOut, "setupwizard: no account matches%s\n", a.filterText())
		} else if !a.opts.json {
			fmt.Fprintln(a.io.Out, "No accounts configured.")
		}
		if a.opts.json {
			a.writeJSON([]statusJSON{})
		}
		return code
	}
	// A locked or absent keyring must not read as "every account expired":
	// prove it answers before judging any cache.
	if err := st.Probe(m[0].Domain); err != nil {
		return a.storeErr("the keyring cannot be read", err)
	}
	code = ExitOK
	var out []statusJSON
	for _, e := range m {
		s, keyringErr := a.checkEntry(ctx, st, e)
		if keyringErr != nil {
			return a.storeErr("check "+e.UniqueID, keyringErr)
		}
		if ctx.Err() != nil {
			// Entries checked before the cancel keep what was recorded.
			return a.fail(ExitCancelled, "cancelled; entries checked before the cancel keep their new state")
		}
		switch s.State {
		case "expired":
			code = ExitExpired
		case "error":
			if code == ExitOK {
				code = ExitFlow
			}
		}
		out = append(out, s)
		if !a.opts.json {
			switch s.State {
			case "valid":
				fmt.Fprintf(a.io.Out, "✓ %s %s: valid\n", e.Domain, e.Title)
			case "expired":
				fmt.Fprintf(a.io.Out, "✗ %s %s: expired (auth_expired); run: %s\n", e.Domain, e.Title, s.Reauth)
			default:
				fmt.Fprintf(a.io.Out, "! %s %s: could not check: %s (nothing changed)\n", e.Domain, e.Title, strings.TrimSpace(s.Error+" "+s.Detail))
			}
		}
	}
	if a.opts.json {
		a.writeJSON(out)
	}
	return code
}

// checkEntry runs one entry's check; the second result is a keyring
// failure, which stops the whole command (exit 3).
func (a *app) checkEntry(ctx context.Context, st *store.Store, e store.Entry) (statusJSON, error) {
	s := statusJSON{Entry: toEntryJSON(e)}
	reauth := fmt.Sprintf("setupwizard --reauth --provider %s --account %s", e.Domain, e.UniqueID)
	expire := func(why string) (statusJSON, error) {
		if err := st.SetIssue(e.ID, store.IssueAuthExpired, true); err != nil {
			return s, err
		}
		s.State, s.Detail, s.Reauth = "expired", why, reauth
		s.Entry.Issues = appendOnce(s.Entry.Issues, store.IssueAuthExpired)
		return s, nil
	}
	p, ok := registry.Find(a.providers, e.Domain)
	if !ok {
		s.State, s.Error, s.Detail = "error", provider.KeyUnknown, fmt.Sprintf("unknown provider %q", e.Domain)
		return s, nil
	}
	cache, err := st.LoadCache(e.ID)
	switch {
	case errors.Is(err, store.ErrKeyring):
		return s, err
	case errors.Is(err, store.ErrNewer):
		// Not ours to judge or overwrite: a newer setupwizard wrote it.
		s.State, s.Error, s.Detail = "error", provider.KeyUnknown, err.Error()
		return s, nil
	case err != nil:
		// A missing or corrupt cache cannot sign in: a reauth rewrites it.
		return expire("token cache unreadable: " + err.Error())
	}
	updated, err := p.Check(ctx, cache)
	var pe *provider.Error
	switch {
	case errors.Is(err, provider.ErrAuthExpired):
		return expire(err.Error())
	case ctx.Err() != nil:
		s.State, s.Error, s.Detail = "error", provider.KeyUnknown, "cancelled"
		return s, nil
	case errors.As(err, &pe):
		a.tracer.Note("check %s: %v", e.UniqueID, err)
		s.State, s.Error = "error", pe.Key
		return s, nil
	case err != nil:
		a.tracer.Note("check %s: %v", e.UniqueID, err)
		s.State, s.Error = "error", provider.KeyUnknown
		return s, nil
	}
	if len(updated) > 0 && string(updated) != string(cache) {
		if err := st.ReplaceCache(e.ID, updated); err != nil {
			return s, err
		}
	}
	if err := st.SetIssue(e.ID, store.IssueAuthExpired, false); err != nil {
		return s, err
	}
	s.State = "valid"
	s.Entry.Issues = without(s.Entry.Issues, store.IssueAuthExpired)
	return s, nil
}

func appendOnce(xs []string, x string) []string {
	for _, v := range xs {
		if v == x {
			return xs
		}
	}
	return append(xs, x)
}

func without(xs []string, x string) []string {
	out := xs[:0]
	for _, v := range xs {
		if v != x {
			out = append(out, v)
		}
	}
	return out
}

func (a *app) runRemove(ctx context.Context) int {
	if !a.opts.yes && !a.io.CanPrompt() {
		return a.usageErr("--remove without a terminal needs --yes")
	}
	st, err := a.openStore()
	if err != nil {
		return a.storeErr("open entries", err)
	}
	e, code, ok := a.selectEntry(ctx, st, "Which account do you want to remove?")
	if !ok {
		return code
	}
	if !a.opts.yes {
		yes, err := a.prompter.Confirm(ctx, fmt.Sprintf("Remove %s account %s and its keyring items?", e.Domain, e.Title))
		if err != nil {
			return a.flowErr(err)
		}
		if !yes {
			fmt.Fprintln(a.io.ErrOut, "Nothing removed.")
			return ExitFlow
		}
	}
	if err := st.Remove(e.ID); err != nil {
		return a.storeErr("remove "+e.UniqueID, err)
	}
	if a.opts.json {
		a.writeJSON(struct {
			Result string     `json:"result"`
			Entry  *entryJSON `json:"entry"`
		}{"removed", toEntryJSON(e)})
		return ExitOK
	}
	fmt.Fprintf(a.io.Out, "✓ Removed %s account %s (unique id %s) and its keyring items\n", e.Domain, e.Title, e.UniqueID)
	return ExitOK
}
