package flow

import (
	"embed"
	"fmt"
	"sort"
	"strings"

	"github.com/setupwizard/setupwizard/internal/i18n"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
	"github.com/setupwizard/setupwizard/internal/store"
)

//go:embed translations/*.json
var baseFS embed.FS

// Strings returns the provider's translations over the engine's base strings
// (the field-rule errors and the engine's abort reasons), so a provider only
// writes what is its own yet may override any base text.
func Strings(p provider.Provider) (*i18n.Catalog, error) {
	base, err := i18n.Load(baseFS, "translations")
	if err != nil {
		return nil, fmt.Errorf("engine strings: %w", err)
	}
	own, err := i18n.Load(p.Translations(), ".")
	if err != nil {
		return nil, fmt.Errorf("%s strings: %w", p.Domain(), err)
	}
	base.Merge(own)
	// Only the provider's languages count: an engine language the provider
	// does not ship would show half-translated forms.
	return base.Only(own.Languages()), nil
}

// EngineErrorKeys are the error keys the engine itself can put on a form.
var EngineErrorKeys = []string{ErrRequired, ErrInvalidEmail, ErrTooLong, ErrInvalidCharacters, provider.KeyUnknown}

// EngineAbortReasons are the abort reasons the engine decides.
var EngineAbortReasons = []string{AbortAlreadyConfigured, AbortWrongAccount, AbortReauthSuccessful}

// CheckStrings applies Home Assistant's rules to a provider: every error key
// and abort reason it can return, every step title, description, field label
// and field description, and every progress step has a string in every language it ships, and no string
// uses a placeholder its step does not provide. It returns every breach.
func CheckStrings(p provider.Provider) []error {
	cat, err := Strings(p)
	if err != nil {
		return []error{err}
	}
	// The form shows a title, a description, and a label and a help line
	// per field, in both steps: all must exist.
	want := []string{"config.flow_title"}
	for _, step := range []string{StepUser, StepReauthConfirm} {
		want = append(want, "config.step."+step+".title", "config.step."+step+".description")
		for _, f := range p.Schema() {
			want = append(want, "config.step."+step+".data."+f.Name, "config.step."+step+".data_description."+f.Name)
		}
	}
	for _, k := range append(append([]string{}, EngineErrorKeys...), ErrorKeys(p)...) {
		want = append(want, "config.error."+k)
	}
	for _, r := range EngineAbortReasons {
		want = append(want, "config.abort."+r)
	}
	for _, k := range p.ProgressKeys() {
		want = append(want, "config.progress."+k)
	}
	want = append(want, "issues."+store.IssueAuthExpired+".title", "issues."+store.IssueAuthExpired+".description")

	var errs []error
	for _, lang := range cat.Languages() {
		for _, k := range want {
			if !cat.Has(lang, k) {
				errs = append(errs, fmt.Errorf("%s/%s: no string for %s", p.Domain(), lang, k))
			}
		}
		for _, k := range cat.Keys(lang) {
			s, _ := cat.Raw(lang, k)
			allowed := allowedPlaceholders(k)
			for _, ph := range i18n.Placeholders(s) {
				if !allowed[ph] {
					errs = append(errs, fmt.Errorf("%s/%s: %s uses {%s}, which its step does not provide", p.Domain(), lang, k, ph))
				}
			}
		}
	}
	sort.Slice(errs, func(i, j int) bool { return errs[i].Error() < errs[j].Error() })
	return errs
}

// allowedPlaceholders: reauth_confirm provides {name} (the entry's title),
// as do the aborts only a reauth can end with and repair issues (raised for
// an entry); nothing else provides placeholders (already_configured ends a
// user flow, which has none).
func allowedPlaceholders(key string) map[string]bool {
	switch {
	case strings.HasPrefix(key, "config.step."+StepReauthConfirm+"."),
		key == "config.abort."+AbortWrongAccount,
		key == "config.abort."+AbortReauthSuccessful,
		strings.HasPrefix(key, "issues."):
		return map[string]bool{"name": true}
	}
	return map[string]bool{}
}
