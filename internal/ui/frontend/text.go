package frontend

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/setupwizard/setupwizard/internal/i18n"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

// Text looks up a provider's strings for one language, so both front ends
// word titles, labels, errors and aborts identically.
type Text struct {
	Cat  *i18n.Catalog
	Lang string
}

// FlowTitle is config.flow_title, or the domain when the provider has none.
func (t Text) FlowTitle(domain string) string {
	if s, ok := t.Cat.Raw(t.Lang, "config.flow_title"); ok {
		return s
	}
	return domain
}

// StepTitle is config.step.<step>.title with the step's placeholders.
func (t Text) StepTitle(step string, ph map[string]string) string {
	return t.Cat.T(t.Lang, "config.step."+step+".title", ph)
}

// StepDescription is config.step.<step>.description ("" when absent: it is optional).
func (t Text) StepDescription(step string, ph map[string]string) string {
	return t.optional("config.step."+step+".description", ph)
}

// Label is config.step.<step>.data.<field>.
func (t Text) Label(step, field string, ph map[string]string) string {
	return t.Cat.T(t.Lang, "config.step."+step+".data."+field, ph)
}

// FieldDescription is config.step.<step>.data_description.<field> ("" when absent).
func (t Text) FieldDescription(step, field string, ph map[string]string) string {
	return t.optional("config.step."+step+".data_description."+field, ph)
}

// TraceKeys are the error keys a person can do nothing about but report:
// the service answered in a shape setupwizard does not know, or something
// unexpected happened. Their message asks for a --debug trace.
var TraceKeys = []string{provider.KeyServiceChanged, provider.KeyUnknown}

// Error is the translated error plus its key, as Home Assistant users
// report it: "Invalid email or password. (invalid_auth)". After a trace
// key the message asks for a --debug trace (Chrome.TraceHint), unless the
// provider's own text already does.
func (t Text) Error(key string, ph map[string]string) string {
	msg := t.Cat.T(t.Lang, "config.error."+key, ph)
	if slices.Contains(TraceKeys, key) && !strings.Contains(msg, "--debug") {
		msg = sentence(msg) + " " + ChromeFor(t.Lang).TraceHint
	}
	return fmt.Sprintf("%s (%s)", msg, key)
}

// sentence ends s with a full stop unless it already ends a sentence.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || strings.ContainsRune(".!?…", []rune(s)[len([]rune(s))-1]) {
		return s
	}
	return s + "."
}

// Abort is the translated abort reason plus its key.
func (t Text) Abort(reason string, ph map[string]string) string {
	return fmt.Sprintf("%s (%s)", t.Cat.T(t.Lang, "config.abort."+reason, ph), reason)
}

// Cause words an error for a person: a provider's keyed error as its
// translated text with the key, anything else as its (cleaned) message.
func (t Text) Cause(err error, ph map[string]string) string {
	var pe *provider.Error
	if errors.As(err, &pe) {
		return t.Error(pe.Key, ph)
	}
	return Clean(err.Error())
}

// Progress is "Step 2 of 5: Signing in".
func (t Text) Progress(p provider.Progress) string {
	name := t.Cat.T(t.Lang, "config.progress."+p.Key, nil)
	return fmt.Sprintf(ChromeFor(t.Lang).Step, p.Step, p.Total, name)
}

func (t Text) optional(key string, ph map[string]string) string {
	s, ok := t.Cat.Raw(t.Lang, key)
	if !ok {
		return ""
	}
	return strings.TrimSpace(i18n.Format(s, ph))
}
