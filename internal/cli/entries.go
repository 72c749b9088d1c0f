package cli

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/setupwizard/setupwizard/internal/flow"
	"github.com/setupwizard/setupwizard/internal/i18n"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
	"github.com/setupwizard/setupwizard/internal/providers/registry"
	"github.com/setupwizard/setupwizard/internal/store"
	"github.com/setupwizard/setupwizard/internal/ui/frontend"
)

// matchEntries narrows entries by --provider and --account. An account
// matches by unique id, entry id, or login / e-mail, case-insensitively.
func (a *app) matchEntries(all []store.Entry) []store.Entry {
	var out []store.Entry
	want := strings.ToLower(strings.TrimSpace(a.opts.account))
	for _, e := range all {
		if a.opts.provider != "" && !strings.EqualFold(e.Domain, a.opts.provider) {
			continue
		}
		if want != "" && want != strings.ToLower(e.UniqueID) && want != strings.ToLower(e.ID) &&
			want != strings.ToLower(e.Login()) && want != strings.ToLower(e.Title) {
			continue
		}
		out = append(out, e)
	}
	return out
}

// displayName is the service's name as a person reads it everywhere: the
// provider's flow title in this run's language.
func (a *app) displayName(domain string) string {
	if cat, err := a.catalog(domain); err == nil {
		if s, ok := cat.Raw(a.lang, "config.flow_title"); ok {
			return s
		}
	}
	return clean(domain)
}

// catalog is a registered service's strings (its own over the engine's),
// loaded once per run: list and status lines ask for them per entry.
func (a *app) catalog(domain string) (*i18n.Catalog, error) {
	r, ok := registry.Lookup(domain)
	if !ok {
		return nil, fmt.Errorf("%s: no such service", clean(domain))
	}
	if cat, ok := a.catalogs[r.Domain]; ok {
		return cat, nil
	}
	// Constructors do no I/O; the strings do not depend on options.
	cat, err := flow.Strings(r.New(provider.Options{}))
	if err != nil {
		return nil, err
	}
	if a.catalogs == nil {
		a.catalogs = map[string]*i18n.Catalog{}
	}
	a.catalogs[r.Domain] = cat
	return cat, nil
}

// describe is an entry's one-line form for pickers and lists of matches.
func (a *app) describe(e store.Entry) string {
	s := a.T("cli.entry.describe", "service", a.displayName(e.Domain), "title", clean(e.Title), "id", clean(e.UniqueID))
	if e.HasIssue(store.IssueAuthExpired) {
		s += " " + a.T("cli.entry.expired_mark")
	}
	return s
}

// loadEntries opens the store and reads every entry.
func (a *app) loadEntries(ctx context.Context) (*store.Store, []store.Entry, error) {
	st, err := a.openStore()
	if err != nil {
		return nil, nil, storeErr(a.T("cli.store.open"), err)
	}
	all, err := st.Entries(ctx)
	if err != nil {
		return nil, nil, storeErr(a.T("cli.store.read"), err)
	}
	return st, all, nil
}

// noMatch is the error for a filter that matched no entry.
func (a *app) noMatch(all []store.Entry) error {
	if len(all) == 0 {
		return a.failf("cli.entry.none_configured")
	}
	return a.failf("cli.entry.no_match", "filter", a.filterText())
}

// selectEntry finds the one entry a command is about: the only match, or
// the person's pick among several on a terminal. Entries whose sign-in
// expired come first, as the likeliest choice.
func (a *app) selectEntry(ctx context.Context, st *store.Store, questionKey string) (store.Entry, error) {
	all, err := st.Entries(ctx)
	if err != nil {
		return store.Entry{}, storeErr(a.T("cli.store.read"), err)
	}
	m := a.matchEntries(all)
	switch len(m) {
	case 0:
		return store.Entry{}, a.noMatch(all)
	case 1:
		return m[0], nil
	}
	sort.SliceStable(m, func(i, j int) bool {
		return m[i].HasIssue(store.IssueAuthExpired) && !m[j].HasIssue(store.IssueAuthExpired)
	})
	// --token never prompts: a script captures its output, and a picker
	// there would wait for nobody.
	if !a.interactive() || a.opts.token {
		items := make([]string, len(m))
		for i, e := range m {
			items[i] = a.describe(e)
		}
		return store.Entry{}, a.usagef("cli.entry.several", "count", strconv.Itoa(len(m)), "filter", a.filterText(),
			"list", "  "+strings.Join(items, "\n  "))
	}
	pick := frontend.Pick{Question: a.T(questionKey), Start: a.pickStart}
	for _, e := range m {
		acct := frontend.Account{Label: a.T("cli.entry.label", "service", a.displayName(e.Domain), "title", clean(e.Title))}
		if e.HasIssue(store.IssueAuthExpired) {
			acct.Note, acct.Urgent = a.T("cli.entry.expired_note"), true
		}
		pick.Accounts = append(pick.Accounts, acct)
	}
	i, err := a.prompter.PickAccount(ctx, pick)
	if err != nil {
		return store.Entry{}, err
	}
	a.picked = i + 1
	return m[i], nil
}

func (a *app) filterText() string {
	var parts []string
	if a.opts.provider != "" {
		parts = append(parts, "--provider "+a.opts.provider)
	}
	if a.opts.account != "" {
		parts = append(parts, "--account "+clean(a.opts.account))
	}
	if len(parts) == 0 {
		return ""
	}
	return " " + strings.Join(parts, " ")
}
