package librus

import (
	"slices"
	"testing"

	"github.com/setupwizard/setupwizard/internal/i18n"
)

func TestTranslationsComplete(t *testing.T) {
	p := New(providersDefaults())
	cat, err := i18n.Load(p.Translations(), ".")
	if err != nil {
		t.Fatal(err)
	}
	if got := cat.Languages(); !slices.Equal(got, []string{"en", "pl"}) {
		t.Fatalf("languages = %v", got)
	}
	var want []string
	want = append(want, "config.flow_title", "issues.auth_expired.title", "issues.auth_expired.description")
	for _, step := range []string{"user", "reauth_confirm"} {
		want = append(want, "config.step."+step+".title", "config.step."+step+".description")
		for _, f := range p.Schema() {
			want = append(want, "config.step."+step+".data."+f.Name, "config.step."+step+".data_description."+f.Name)
		}
	}
	for _, k := range p.ErrorKeys() {
		want = append(want, "config.error."+k)
	}
	for _, k := range p.ProgressKeys() {
		want = append(want, "config.progress."+k)
	}
	for _, k := range []string{"already_configured", "wrong_account", "reauth_successful"} {
		want = append(want, "config.abort."+k)
	}
	for _, lang := range []string{"en", "pl"} {
		for _, k := range want {
			if !cat.Has(lang, k) {
				t.Errorf("%s: missing %s", lang, k)
			}
		}
		if got, w := len(cat.Keys(lang)), len(want); got != w {
			t.Errorf("%s: %d strings, want exactly %d", lang, got, w)
		}
	}
	for _, k := range cat.Keys("en") {
		en, _ := cat.Raw("en", k)
		pl, _ := cat.Raw("pl", k)
		if k != "config.flow_title" && !slices.Contains([]string{"Login"}, en) && en == pl {
			t.Errorf("%s: Polish is the English text %q", k, en)
		}
		allowed := []string(nil)
		if k == "config.step.reauth_confirm.description" {
			allowed = []string{"name"}
		}
		for _, lang := range []string{"en", "pl"} {
			s, _ := cat.Raw(lang, k)
			for _, ph := range i18n.Placeholders(s) {
				if !slices.Contains(allowed, ph) {
					t.Errorf("%s %s: placeholder {%s} not provided", lang, k, ph)
				}
			}
		}
	}
	if s, _ := cat.Raw("en", "config.step.reauth_confirm.description"); !slices.Equal(i18n.Placeholders(s), []string{"name"}) {
		t.Errorf("reauth description should use {name}: %q", s)
	}
	for k, v := range map[string]string{
		"config.error.invalid_auth": "Invalid login or password", "config.error.cannot_connect": "Could not connect to Librus",
		"config.error.timeout": "Connection timed out", "config.error.unknown": "An unexpected error occurred",
		"config.progress.login": "Signing in",
	} {
		if got, _ := cat.Raw("en", k); got != v {
			t.Errorf("en %s = %q, want %q", k, got, v)
		}
	}
}
