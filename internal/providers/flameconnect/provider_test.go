package flameconnect

import (
	"strings"
	"testing"

	"github.com/setupwizard/setupwizard/internal/flow"
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

// Completeness and placeholders are Home Assistant's rules, checked for every
// provider by flow.CheckStrings; this adds the texts the integration uses.
func TestTranslationsAreComplete(t *testing.T) {
	p := New(provider.Options{})
	for _, err := range flow.CheckStrings(p) {
		t.Error(err)
	}
	cat, err := i18n.Load(p.Translations(), ".")
	if err != nil {
		t.Fatal(err)
	}
	fixed := map[string]string{
		"config.flow_title":                 "Flame Connect",
		"config.step.user.title":            "Sign in to Flame Connect",
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
	if s, _ := cat.Raw("en", "config.error.action_required"); !strings.Contains(s, "Flame Connect app") {
		t.Errorf("action_required should send the user to the Flame Connect app: %q", s)
	}
}

// The shared keys come from the engine; every one still needs this
// provider's text, and service_changed names the service and the way to
// report it, in every language.
func TestErrorKeysAndServiceChangedText(t *testing.T) {
	p := New(provider.Options{})
	for _, k := range p.ErrorKeys() {
		for _, shared := range provider.SharedErrorKeys {
			if k == shared {
				t.Errorf("ErrorKeys lists the shared key %q", k)
			}
		}
	}
	cat, err := i18n.Load(p.Translations(), ".")
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range cat.Languages() {
		for _, k := range append(append([]string{}, provider.SharedErrorKeys...), p.ErrorKeys()...) {
			if !cat.Has(lang, "config.error."+k) {
				t.Errorf("%s: no string for %s", lang, k)
			}
		}
		s, _ := cat.Raw(lang, "config.error."+provider.KeyServiceChanged)
		for _, want := range []string{"Flame Connect", "--debug", "setupwizard"} {
			if !strings.Contains(s, want) {
				t.Errorf("%s service_changed %q lacks %q", lang, s, want)
			}
		}
	}
}
