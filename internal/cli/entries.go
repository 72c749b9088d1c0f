package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/setupwizard/setupwizard/internal/store"
)

// matchEntries narrows entries by --provider and --account. An account
// matches by unique id, entry id, or login / e-mail, case-insensitively.
func (a *app) matchEntries(all []store.Entry) []store.Entry {
	var out []store.Entry
	want := strings.ToLower(strings.TrimSpace(a.opts.account))
	for _, e := range all {
		if a.opts.provider != "" && e.Domain != a.opts.provider {
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

// describe is an entry's one-line form for pickers and messages.
func describe(e store.Entry) string {
	s := fmt.Sprintf("%-13s %s (%s)", e.Domain, e.Title, e.UniqueID)
	if e.HasIssue(store.IssueAuthExpired) {
		s += "  [auth_expired]"
	}
	return s
}

// selectEntry finds the one entry a command is about: the only match, or
// the user's pick among several on a terminal. ok=false carries an exit code.
func (a *app) selectEntry(ctx context.Context, st *store.Store, question string) (store.Entry, int, bool) {
	all, err := st.Entries()
	if err != nil {
		return store.Entry{}, a.storeErr("read entries", err), false
	}
	m := a.matchEntries(all)
	switch {
	case len(all) == 0:
		fmt.Fprintln(a.io.ErrOut, "setupwizard: no accounts are configured; run 'setupwizard' to add one")
		return store.Entry{}, ExitFlow, false
	case len(m) == 0:
		fmt.Fprintf(a.io.ErrOut, "setupwizard: no account matches%s; 'setupwizard --list' shows them\n", a.filterText())
		return store.Entry{}, ExitFlow, false
	case len(m) == 1:
		return m[0], 0, true
	}
	if !a.interactive() {
		var lines []string
		for _, e := range m {
			lines = append(lines, "  "+describe(e))
		}
		fmt.Fprintf(a.io.ErrOut, "setupwizard: %d accounts match%s; choose one with --account:\n%s\n", len(m), a.filterText(), strings.Join(lines, "\n"))
		return store.Entry{}, ExitUsage, false
	}
	items := make([]string, len(m))
	for i, e := range m {
		items[i] = describe(e)
	}
	fmt.Fprintln(a.io.ErrOut, question)
	i, err := a.prompter.PickEntry(ctx, items)
	if err != nil {
		return store.Entry{}, a.flowErr(err), false
	}
	return m[i], 0, true
}

func (a *app) filterText() string {
	var parts []string
	if a.opts.provider != "" {
		parts = append(parts, "--provider "+a.opts.provider)
	}
	if a.opts.account != "" {
		parts = append(parts, "--account "+a.opts.account)
	}
	if len(parts) == 0 {
		return ""
	}
	return " " + strings.Join(parts, " ")
}
