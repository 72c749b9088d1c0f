package cli

import (
	"encoding/json"
	"sort"
	"strings"

	"github.com/setupwizard/setupwizard/internal/flow"
	"github.com/setupwizard/setupwizard/internal/i18n"
	"github.com/setupwizard/setupwizard/internal/store"
	"github.com/setupwizard/setupwizard/internal/ui/frontend"
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

// entryJSON is the --json shape of an entry: never a secret. Strings that
// came from a server are cleaned like on the terminal.
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
		ID: e.ID, Provider: e.Domain, Title: clean(e.Title), UniqueID: clean(e.UniqueID), Login: clean(e.Login()),
		Created: e.Created.UTC().Format("2006-01-02T15:04:05Z"), Modified: e.Modified.UTC().Format("2006-01-02T15:04:05Z"),
		Issues: issues,
	}
}

// printResult writes a scripted flow's end: text or --json on stdout. The
// errors and aborts are worded by frontend.Text, as on the two interactive
// front ends. A flow that did not succeed is returned as a *flowFailed, so
// report writes its --json object in the one failure shape.
func (a *app) printResult(domain string, res flow.Result, cat *i18n.Catalog) error {
	out := resultJSON{Result: string(res.Type), Step: res.StepID, Reason: res.Reason, Provider: domain}
	text := frontend.Text{Cat: cat, Lang: a.lang}
	name := a.displayName(domain)
	var lines []string
	switch res.Type {
	case flow.ResultCreateEntry:
		out.Entry = toEntryJSON(res.Entry)
		lines = append(lines, "✓ "+a.T("cli.result.added", "service", name, "title", clean(res.Entry.Title)))
	case flow.ResultAbort:
		out.Message = cat.T(a.lang, "config.abort."+res.Reason, res.Placeholders)
		if res.Reason == flow.AbortReauthSuccessful {
			lines = append(lines, "✓ "+a.T("cli.result.reauthed", "service", name, "title", clean(res.Entry.Title)))
		} else {
			lines = append(lines, "✗ "+text.Abort(res.Reason, res.Placeholders))
		}
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
			a.noteReportableKey(res.Errors[f])
			msg := text.Error(res.Errors[f], res.Placeholders)
			if f != flow.Base {
				msg = text.Label(res.StepID, f, res.Placeholders) + ": " + msg
			}
			lines = append(lines, "✗ "+msg)
		}
	}
	if res.ReloadErr != nil {
		a.tracer.Note("reload: %v", res.ReloadErr)
		out.Warning = a.T("cli.result.reload_warning")
		lines = append(lines, "! "+out.Warning)
	}
	var failed error
	if resultErr(res) != nil {
		said := make([]string, len(lines))
		for i, l := range lines {
			said[i] = strings.TrimPrefix(strings.TrimPrefix(l, "✗ "), "! ")
		}
		failed = &flowFailed{res: out, message: strings.Join(said, "\n")}
	}
	if a.opts.json {
		if failed == nil {
			a.writeJSON(out)
		}
		return failed
	}
	for _, l := range lines {
		a.sayOut(l)
	}
	return failed
}

func (a *app) writeJSON(v any) {
	enc := json.NewEncoder(a.io.Out)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
