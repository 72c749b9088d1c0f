package flameconnect

import (
	"io/fs"
	"slices"
	"strings"
	"testing"

	"github.com/setupwizard/setupwizard/internal/i18n"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

func TestNewIsCheapAndReadsTheOverride(t *testing.T) {
	calls := 0
	p := New(provider.Options{Getenv: func(k string) string {
		calls++
		if k == EnvAuthority {
			return "https://proxy.example/t/p"
		}
		return ""
	}})
	if p.authority != "https://proxy.example/t/p" || calls != 1 {
		t.Fatalf("authority = %q after %d lookups", p.authority, calls)
	}
	if New(provider.Options{Getenv: func(string) string { return "" }}).authority != DefaultAuthority {
		t.Fatal("no override should mean the live authority")
	}
	if p.Domain() != "flameconnect" {
		t.Fatalf("domain = %q", p.Domain())
	}
	s := p.Schema()
	if len(s) != 2 || s[0] != (provider.Field{Name: "email", Kind: provider.Email, Required: true}) ||
		s[1] != (provider.Field{Name: "password", Kind: provider.Password, Required: true}) || s.Login() != "email" {
		t.Fatalf("schema = %+v", s)
	}
}

func TestTranslationsAreComplete(t *testing.T) {
	p := New(provider.Options{})
	if _, err := fs.Stat(p.Translations(), "en.json"); err != nil {
		t.Fatalf("en.json is not at the root: %v", err)
	}
	cat, err := i18n.Load(p.Translations(), ".")
	if err != nil {
		t.Fatal(err)
	}
	langs := cat.Languages()
	if !slices.Contains(langs, "en") {
		t.Fatalf("languages = %v", langs)
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
	for _, r := range []string{"already_configured", "wrong_account", "reauth_successful"} {
		want = append(want, "config.abort."+r)
	}
	en := cat.Keys("en")
	for _, lang := range langs {
		for _, k := range want {
			if !cat.Has(lang, k) {
				t.Errorf("%s: missing %s", lang, k)
			}
		}
		if got := cat.Keys(lang); !slices.Equal(got, en) {
			t.Errorf("%s has keys %v, en has %v", lang, got, en)
		}
		for _, k := range cat.Keys(lang) {
			s, _ := cat.Raw(lang, k)
			ph := i18n.Placeholders(s)
			switch {
			case k == "config.step.reauth_confirm.description":
				if !slices.Equal(ph, []string{"name"}) {
					t.Errorf("%s %s uses %v, want only {name}", lang, k, ph)
				}
			case len(ph) > 0:
				t.Errorf("%s %s uses placeholders %v its step does not provide", lang, k, ph)
			}
		}
	}
	fixed := map[string]string{
		"config.flow_title":                 "Flame Connect",
		"config.step.user.title":            "Flame Connect Login",
		"config.error.invalid_auth":         "Invalid email or password.",
		"config.progress.opening_page":      "Opening sign-in page",
		"config.progress.checking_password": "Checking password",
		"config.progress.confirming":        "Confirming",
		"config.progress.getting_tokens":    "Getting tokens",
	}
	for k, v := range fixed {
		if got, _ := cat.Raw("en", k); got != v {
			t.Errorf("en %s = %q, want %q", k, got, v)
		}
	}
	if s, _ := cat.Raw("en", "config.error.action_required"); !strings.Contains(s, "FlameConnect app") {
		t.Errorf("action_required should send the user to the FlameConnect app: %q", s)
	}
}
