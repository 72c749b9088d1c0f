package cli

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/setupwizard/setupwizard/internal/flow"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
	"github.com/setupwizard/setupwizard/internal/providers/registry"
	"github.com/setupwizard/setupwizard/internal/ui/frontend"
)

// TestScriptedTraceHint: a scripted sign-in that ends on service_changed
// or unknown asks, in the run's language, for a --debug trace after the
// message; invalid_auth does not.
func TestScriptedTraceHint(t *testing.T) {
	hints := map[string]string{"en": "Run again with --debug FILE", "pl": "Uruchom ponownie z --debug PLIK"}
	for _, p := range registry.New(provider.Options{}) {
		cat, err := flow.Strings(p)
		if err != nil {
			t.Fatal(err)
		}
		keys := append(append([]string(nil), frontend.TraceKeys...), provider.KeyInvalidAuth)
		for _, key := range keys {
			for lang, hint := range hints {
				if !cat.Has(lang, "config.error."+key) {
					continue
				}
				var out bytes.Buffer
				a := &app{io: &IOStreams{Out: &out}, lang: lang}
				res := flow.Result{Type: flow.ResultForm, StepID: flow.StepUser, Errors: map[string]string{flow.Base: key}}
				a.printResult(p.Domain(), res, cat)
				got := out.String()
				wantHint := key != provider.KeyInvalidAuth
				if strings.Count(got, hint) != map[bool]int{true: 1, false: 0}[wantHint] {
					t.Errorf("%s %s %s: %q: want the hint %q %v", p.Domain(), lang, key, got, hint, wantHint)
				}
				if !strings.HasSuffix(got, "("+key+")\n") {
					t.Errorf("%s %s %s: %q does not end with the key", p.Domain(), lang, key, got)
				}
			}
		}
	}
}

// TestNoteReportable: only failures the person can only report (a changed
// service, an unknown error) make a --debug run name its trace at the end.
func TestNoteReportable(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{provider.Fail(provider.KeyServiceChanged, "no SETTINGS"), true},
		{provider.Fail(provider.KeyUnknown, "odd"), true},
		{errors.New("a plain Go error is shown as unknown"), true},
		{fmt.Errorf("wrapped: %w", provider.Fail(provider.KeyInvalidAuth, "HTTP 401")), false},
		{provider.Fail(provider.KeyCannotConnect, "dial"), false},
	}
	for _, tt := range tests {
		a := &app{}
		a.noteReportable(tt.err)
		if a.reportable.Load() != tt.want {
			t.Errorf("%v: reportable %v, want %v", tt.err, a.reportable.Load(), tt.want)
		}
	}
}
