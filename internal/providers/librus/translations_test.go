package librus

import (
	"slices"
	"testing"

	"github.com/setupwizard/setupwizard/internal/flow"
	"github.com/setupwizard/setupwizard/internal/i18n"
)

// Completeness and placeholders are Home Assistant's rules, checked for every
// provider by flow.CheckStrings; this adds what is Librus's own: it ships
// Polish, the Polish is really translated, and the specification's texts.
func TestTranslations(t *testing.T) {
	p := New(providersDefaults())
	for _, err := range flow.CheckStrings(p) {
		t.Error(err)
	}
	cat, err := i18n.Load(p.Translations(), ".")
	if err != nil {
		t.Fatal(err)
	}
	if got := cat.Languages(); !slices.Equal(got, []string{"en", "pl"}) {
		t.Fatalf("languages = %v", got)
	}
	if en, pl := cat.Keys("en"), cat.Keys("pl"); !slices.Equal(en, pl) {
		t.Errorf("en and pl hold different keys:\n en %v\n pl %v", en, pl)
	}
	for _, k := range cat.Keys("en") {
		en, _ := cat.Raw("en", k)
		pl, _ := cat.Raw("pl", k)
		if k != "config.flow_title" && en != "Login" && en == pl {
			t.Errorf("%s: Polish is the English text %q", k, en)
		}
	}
	if s, _ := cat.Raw("en", "config.step.reauth_confirm.description"); !slices.Equal(i18n.Placeholders(s), []string{"name"}) {
		t.Errorf("reauth description should use {name}: %q", s)
	}
	for k, v := range map[string]string{
		"config.error.invalid_auth": "Invalid login or password.", "config.error.cannot_connect": "Could not connect to Librus.",
		"config.error.timeout": "Connection timed out.", "config.error.unknown": "An unexpected error occurred.",
		"config.progress.login": "Signing in",
	} {
		if got, _ := cat.Raw("en", k); got != v {
			t.Errorf("en %s = %q, want %q", k, got, v)
		}
	}
}
