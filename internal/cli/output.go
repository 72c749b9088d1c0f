package cli

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/setupwizard/setupwizard/internal/flow"
	"github.com/setupwizard/setupwizard/internal/i18n"
	"github.com/setupwizard/setupwizard/internal/store"
)

// resultJSON is the --json shape of a flow's end.
type resultJSON struct {
	Result   string            `json:"result"`
	Step     string            `json:"step_id"`
	Provider string            `json:"provider"`
	Reason   string            `json:"reason,omitempty"`
	Message  string            `json:"message,omitempty"`
	Errors   map[string]string `json:"errors,omitempty"`
	Entry    *entryJSON        `json:"entry,omitempty"`
	Warning  string            `json:"warning,omitempty"`
}

// entryJSON is the --json shape of an entry: never a secret.
type entryJSON struct {
	ID       string   `json:"entry_id"`
	Provider string   `json:"provider"`
	Title    string   `json:"title"`
	UniqueID string   `json:"unique_id"`
	Login    string   `json:"login,omitempty"`
	Created  string   `json:"created_at"`
	Modified string   `json:"modified_at"`
	Issues   []string `json:"issues"`
}

func toEntryJSON(e store.Entry) *entryJSON {
	issues := []string{}
	for _, is := range e.Issues {
		issues = append(issues, is.ID)
	}
	return &entryJSON{
		ID: e.ID, Provider: e.Domain, Title: e.Title, UniqueID: e.UniqueID, Login: e.Login(),
		Created: e.Created.UTC().Format("2006-01-02T15:04:05Z"), Modified: e.Modified.UTC().Format("2006-01-02T15:04:05Z"),
		Issues: issues,
	}
}

// printResult writes a scripted flow's end: text or --json on stdout.
func (a *app) printResult(domain string, res flow.Result, cat *i18n.Catalog) {
	out := resultJSON{Result: string(res.Type), Step: res.StepID, Reason: res.Reason, Provider: domain}
	var lines []string
	switch res.Type {
	case flow.ResultCreateEntry:
		out.Entry = toEntryJSON(res.Entry)
		lines = append(lines, fmt.Sprintf("✓ Added %s account %s (unique id %s)", res.Entry.Domain, res.Entry.Title, res.Entry.UniqueID))
	case flow.ResultAbort:
		out.Message = cat.T(a.lang, "config.abort."+res.Reason, res.Placeholders)
		mark := "✗"
		if res.Reason == flow.AbortReauthSuccessful {
			mark = "✓"
		}
		lines = append(lines, fmt.Sprintf("%s %s (%s)", mark, out.Message, res.Reason))
		if res.Entry.ID != "" {
			out.Entry = toEntryJSON(res.Entry)
		}
	case flow.ResultForm:
		out.Errors = res.Errors
		fields := make([]string, 0, len(res.Errors))
		for f := range res.Errors {
			fields = append(fields, f)
		}
		sort.Strings(fields)
		for _, f := range fields {
			key := res.Errors[f]
			msg := cat.T(a.lang, "config.error."+key, res.Placeholders)
			if f == flow.Base {
				lines = append(lines, fmt.Sprintf("✗ %s (%s)", msg, key))
			} else {
				label := cat.T(a.lang, "config.step."+res.StepID+".data."+f, nil)
				lines = append(lines, fmt.Sprintf("✗ %s: %s (%s)", label, msg, key))
			}
		}
	}
	if res.ReloadErr != nil {
		out.Warning = "the new token cache could not be checked: " + res.ReloadErr.Error()
		lines = append(lines, "! "+out.Warning)
	}
	if a.opts.json {
		a.writeJSON(out)
		return
	}
	for _, l := range lines {
		fmt.Fprintln(a.io.Out, l)
	}
}

// errorJSON is what --json prints on stdout when a command fails, so a
// script always has something to parse.
type errorJSON struct {
	Result   string `json:"result"` // always "error"
	Error    string `json:"error"`
	ExitCode int    `json:"exit_code"`
}

// fail prints msg on stderr (and, with --json, as JSON on stdout) and
// returns code.
func (a *app) fail(code int, msg string) int {
	fmt.Fprintln(a.io.ErrOut, "setupwizard: "+msg)
	if a.opts.json {
		a.writeJSON(errorJSON{Result: "error", Error: msg, ExitCode: code})
	}
	return code
}

func (a *app) writeJSON(v any) {
	enc := json.NewEncoder(a.io.Out)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
