package frontend

import (
	"reflect"
	"strings"
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
	en := ChromeFor("en")
	for lang, c := range chromes {
		// Every string field of every language is set and, past English,
		// translated (hint keys aside, a copy of the English is a gap).
		cv, ev := reflect.ValueOf(c), reflect.ValueOf(en)
		for i := 0; i < cv.NumField(); i++ {
			f := cv.Type().Field(i)
			if f.Type.Kind() != reflect.String {
				continue
			}
			s := cv.Field(i).String()
			if s == "" {
				t.Errorf("%s: %s is empty", lang, f.Name)
			}
			if lang != "en" && s == ev.Field(i).String() && !strings.HasPrefix(f.Name, "Hint") {
				t.Errorf("%s: %s is the English text %q", lang, f.Name, s)
			}
		}
		if len(c.Yes) < 2 || len(c.No) < 2 {
			t.Errorf("%s: Yes/No need an answer word at [1]", lang)
		}
		// The answer keys shown in [y/N] must be accepted.
		yn := strings.Trim(c.YesNo, "[]")
		if y, n, _ := strings.Cut(yn, "/"); !contains(c.Yes, strings.ToLower(y)) || !contains(c.No, strings.ToLower(n)) {
			t.Errorf("%s: %s names keys that are not accepted", lang, c.YesNo)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestHelpLines(t *testing.T) {
	c := ChromeFor("en")
	tests := []struct{ got, want string }{
		{c.HelpForm(false), "tab/↓ next • shift+tab/↑ previous • enter submit • esc cancel • ctrl+c quit"},
		{c.HelpForm(true), "tab/↓ next • shift+tab/↑ previous • enter submit • esc back • ctrl+c quit"},
		{c.HelpPick(false), "↑/↓ move • enter select • esc cancel • ctrl+c quit"},
		{c.HelpValidating(), "esc back • ctrl+c quit"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
		// At 80 columns a help line is one line.
		if len([]rune(tt.got)) > 80 {
			t.Errorf("%q is longer than 80 columns", tt.got)
		}
	}
	for lang := range chromes {
		if n := len([]rune(ChromeFor(lang).HelpForm(true))); n > 80 {
			t.Errorf("%s: the form's help line is %d columns", lang, n)
		}
	}
}

func TestClean(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Anna Kowalska", "Anna Kowalska"},
		{"a\x1b[31mb", "a\uFFFD[31mb"},
		{"a\nb\tc\a", "a\uFFFDb\uFFFDc\uFFFD"},
		{"a\u202eb", "a\uFFFDb"},
		{"a\xffb", "a\uFFFDb"},
	}
	for _, tt := range tests {
		if got := Clean(tt.in); got != tt.want {
			t.Errorf("Clean(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestPickOrder(t *testing.T) {
	p := Pick{Accounts: []Account{{Label: "a"}, {Label: "b", Urgent: true}, {Label: "c"}, {Label: "d", Urgent: true}}}
	if got := p.Order(); !reflect.DeepEqual(got, []int{1, 3, 0, 2}) {
		t.Fatalf("order %v", got)
	}
	if p.Title(ChromeFor("pl")) != "Wybierz konto" {
		t.Fatal("default question")
	}
}

// TestTraceHint: after service_changed and unknown, in every language, the
// message asks for a --debug trace exactly once, whether or not the
// provider's text already does; other keys never do.
func TestTraceHint(t *testing.T) {
	c := &i18n.Catalog{}
	for lang, js := range map[string]string{
		"en": `{"config":{"error":{"unknown":"Unexpected error","invalid_auth":"Bad login.",
			"service_changed":"Svc changed. Run again with --debug FILE and attach the file to a bug report."}}}`,
		"pl": `{"config":{"error":{"unknown":"Nieoczekiwany błąd!","invalid_auth":"Zły login.",
			"service_changed":"Svc się zmienił."}}}`,
	} {
		if err := c.Add(lang, []byte(js)); err != nil {
			t.Fatal(err)
		}
	}
	en, pl := Text{Cat: c, Lang: "en"}, Text{Cat: c, Lang: "pl"}
	tests := []struct{ got, want string }{
		{en.Error("unknown", nil), "Unexpected error. Run again with --debug FILE and attach the file to a bug report. (unknown)"},
		{pl.Error("unknown", nil), "Nieoczekiwany błąd! Uruchom ponownie z --debug PLIK i dołącz ten plik do zgłoszenia błędu. (unknown)"},
		{en.Error("service_changed", nil), "Svc changed. Run again with --debug FILE and attach the file to a bug report. (service_changed)"},
		{pl.Error("service_changed", nil), "Svc się zmienił. Uruchom ponownie z --debug PLIK i dołącz ten plik do zgłoszenia błędu. (service_changed)"},
		{en.Error("invalid_auth", nil), "Bad login. (invalid_auth)"},
		{en.Cause(provider.Fail("unknown", "boom"), nil), "Unexpected error. Run again with --debug FILE and attach the file to a bug report. (unknown)"},
	}
	for i, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%d: got %q, want %q", i, tt.got, tt.want)
		}
	}
}
