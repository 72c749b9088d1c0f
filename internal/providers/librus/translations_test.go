package librus

import (
	"slices"
	"strings"
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
		"config.error.cannot_connect": "Could not connect to Librus.",
		"config.error.timeout":        "Connection timed out.", "config.error.unknown": "An unexpected error occurred.",
		"config.progress.login": "Signing in",
	} {
		if got, _ := cat.Raw("en", k); got != v {
			t.Errorf("en %s = %q, want %q", k, got, v)
		}
	}
	// Texts that must tell the person what to do (docs/librus.md): the
	// specification's invalid_auth words first, then the CAPTCHA a wrong-
	// password answer may hide; where the numeric login is found; what a
	// Konto LIBRUS link means.
	for _, tc := range []struct {
		key    string
		prefix map[string]string
		words  map[string][]string
	}{
		{"config.error.invalid_auth", map[string]string{"en": "Invalid login or password", "pl": "Nieprawidłowy login lub hasło"},
			map[string][]string{"en": {"CAPTCHA", "browser"}, "pl": {"CAPTCHA", "przeglądar"}}},
		{"config.error.email_not_login", nil,
			map[string][]string{"en": {"Konto LIBRUS", "school", "1234567u"}, "pl": {"Konta LIBRUS", "szkole", "1234567u"}}},
		{"config.error.account_linked", nil,
			map[string][]string{"en": {"accepted the password", "linked to Konto LIBRUS", "not linked", "later"}, "pl": {"przyjął hasło", "połączone z Kontem LIBRUS", "nie jest połączone", "później"}}},
	} {
		for _, lang := range []string{"en", "pl"} {
			got, _ := cat.Raw(lang, tc.key)
			if !strings.HasPrefix(got, tc.prefix[lang]) {
				t.Errorf("%s %s = %q: want it to start %q", lang, tc.key, got, tc.prefix[lang])
			}
			for _, w := range tc.words[lang] {
				if !strings.Contains(got, w) {
					t.Errorf("%s %s = %q: want %q in it", lang, tc.key, got, w)
				}
			}
		}
	}
}
