package flow_test

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/setupwizard/setupwizard/internal/flow"
	"github.com/setupwizard/setupwizard/internal/flow/flowtest"
)

func TestStringsComplete(t *testing.T) {
	if errs := flow.CheckStrings(flowtest.New()); len(errs) != 0 {
		t.Fatalf("strings: %v", errs)
	}
}

// broken is the test provider with a translation that misses a key and uses
// a placeholder its step does not provide: CheckStrings must catch both.
type broken struct{ *flowtest.Provider }

func (broken) Translations() fs.FS {
	return fstest.MapFS{"en.json": {Data: []byte(`{"config":{"step":{"user":{"title":"Hi {name}","data":{"email":"E","password":"P"}},
	"reauth_confirm":{"title":"Again {name}","data":{"email":"E","password":"P"}}},
	"error":{"invalid_auth":"x","cannot_connect":"x"},"progress":{"connecting":"c","signing_in":"s"}},
	"issues":{"auth_expired":{"title":"t","description":"d"}}}`)}}
}

func TestCheckStringsCatchesGaps(t *testing.T) {
	errs := flow.CheckStrings(broken{flowtest.New()})
	var all []string
	for _, e := range errs {
		all = append(all, e.Error())
	}
	joined := strings.Join(all, "\n")
	for _, want := range []string{"no string for config.error.timeout", "config.step.user.title uses {name}"} {
		if !strings.Contains(joined, want) {
			t.Errorf("CheckStrings missed %q; got:\n%s", want, joined)
		}
	}
	for _, unwanted := range []string{"reauth_confirm.title uses"} {
		if strings.Contains(joined, unwanted) {
			t.Errorf("CheckStrings flagged an allowed placeholder: %s", joined)
		}
	}
}

func TestStringsOnlyProviderLanguages(t *testing.T) {
	cat, err := flow.Strings(flowtest.New())
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(cat.Languages(), ","); got != "en" {
		t.Fatalf("languages = %s, want only the provider's (en)", got)
	}
	if got := cat.T("en", "config.abort.already_configured", nil); got != "This account is already configured." {
		t.Fatalf("engine base string not merged: %q", got)
	}
}
