package frontend

import (
	"testing"

	"github.com/setupwizard/setupwizard/internal/i18n"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

func catalog(t *testing.T) *i18n.Catalog {
	t.Helper()
	c := &i18n.Catalog{}
	if err := c.Add("en", []byte(`{"config":{"flow_title":"Svc","step":{"reauth_confirm":{"title":"Again {name}",
		"description":"  Hi {name}  ","data":{"email":"Email"}}},"error":{"invalid_auth":"Bad login."},
		"abort":{"wrong_account":"Not {name}."},"progress":{"signing_in":"Signing in"}}}`)); err != nil {
		t.Fatal(err)
	}
	if err := c.Add("pl", []byte(`{"config":{"error":{"invalid_auth":"Zły login."}}}`)); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestText(t *testing.T) {
	ph := map[string]string{"name": "ann"}
	en := Text{Cat: catalog(t), Lang: "en"}
	pl := Text{Cat: catalog(t), Lang: "pl"}
	tests := []struct{ got, want string }{
		{en.FlowTitle("svc"), "Svc"},
		{Text{Cat: &i18n.Catalog{}, Lang: "en"}.FlowTitle("svc"), "svc"},
		{en.StepTitle("reauth_confirm", ph), "Again ann"},
		{en.StepDescription("reauth_confirm", ph), "Hi ann"},
		{en.StepDescription("user", ph), ""},
		{en.Label("reauth_confirm", "email", ph), "Email"},
		{en.FieldDescription("reauth_confirm", "email", ph), ""},
		{en.Error("invalid_auth", nil), "Bad login. (invalid_auth)"},
		{pl.Error("invalid_auth", nil), "Zły login. (invalid_auth)"},
		{en.Error("nope", nil), "config.error.nope (nope)"},
		{en.Abort("wrong_account", ph), "Not ann. (wrong_account)"},
		{en.Progress(provider.Progress{Step: 2, Total: 5, Key: "signing_in"}), "Step 2 of 5: Signing in"},
		{pl.Progress(provider.Progress{Step: 2, Total: 5, Key: "signing_in"}), "Krok 2 z 5: Signing in"},
	}
	for i, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%d: got %q, want %q", i, tt.got, tt.want)
		}
	}
}

func TestChromeComplete(t *testing.T) {
	if ChromeFor("xx").Step != ChromeFor("en").Step {
		t.Fatal("unknown language does not fall back to English")
	}
	for lang, c := range chromes {
		for name, s := range map[string]string{"Step": c.Step, "PickProvider": c.PickProvider, "PickEntry": c.PickEntry,
			"HelpForm": c.HelpForm, "HelpValidating": c.HelpValidating, "HelpPick": c.HelpPick, "HelpConfirm": c.HelpConfirm,
			"Cancelling": c.Cancelling, "CancelledNote": c.CancelledNote, "Cancelled": c.Cancelled, "Created": c.Created,
			"UniqueID": c.UniqueID, "ReloadWarning": c.ReloadWarning, "Choose": c.Choose, "YesNo": c.YesNo, "Working": c.Working} {
			if s == "" {
				t.Errorf("%s: %s is empty", lang, name)
			}
		}
		if len(c.Yes) < 2 || len(c.No) < 2 {
			t.Errorf("%s: Yes/No need an answer word at [1]", lang)
		}
	}
}
