package e2e

import (
	"strings"
	"testing"

	"github.com/setupwizard/setupwizard/e2e/vterm"
	"github.com/setupwizard/setupwizard/internal/flow"
	"github.com/setupwizard/setupwizard/internal/i18n"
	fcemu "github.com/setupwizard/setupwizard/internal/providers/flameconnect/emulator"
	libemu "github.com/setupwizard/setupwizard/internal/providers/librus/emulator"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
	"github.com/setupwizard/setupwizard/internal/providers/registry"
)

// changeService makes an emulator answer a correct password in a shape
// its provider does not know, as a service that changed its sign-in does.
// A service without such a mode fails the test: every provider must be able
// to say service_changed.
func changeService(t *testing.T, e provider.Emulator) {
	t.Helper()
	switch e := e.(type) {
	case interface{ SetServiceChanged(bool) }:
		e.SetServiceChanged(true)
	// The two services' emulators predate SetServiceChanged: their faults
	// for a page without SETTINGS and a gateway answer that is not JSON.
	case *fcemu.Emulator:
		e.SetFault(fcemu.FaultNoSettings)
	case *libemu.Emulator:
		e.SetFault(libemu.FaultBadJSON)
	default:
		t.Fatalf("emulator %T has no changed-service mode", e)
	}
}

// traceLangs are the languages the trace hint is checked in: the child's
// LANG and the words the hint must contain.
var traceLangs = []struct {
	lang string
	env  []string
	hint string
}{
	{"en", []string{"LANG=C.UTF-8"}, "Run again with --debug FILE and attach"},
	{"pl", []string{"LANG=pl_PL.UTF-8"}, "Uruchom ponownie z --debug PLIK i dołącz"},
}

// flat is text with every run of white space (a wrapped line's break and
// indent) as one space, so a sentence is found however the screen wraps it.
func flat(s string) string { return strings.Join(strings.Fields(s), " ") }

// textIn is p's string in lang, as the screen shows it.
func (p provCase) textIn(t *testing.T, lang, key string) string {
	t.Helper()
	prov, _ := registry.Find(registry.New(provider.Options{}), p.domain)
	cat, err := flow.Strings(prov)
	if err != nil {
		t.Fatal(err)
	}
	s, ok := cat.Raw(lang, key)
	if !ok {
		t.Fatalf("%s has no %s %s", p.domain, lang, key)
	}
	return i18n.Format(s, nil)
}

// TestServiceChangedAsksForTrace: when the service answers a correct
// password in a shape the provider does not know, every front end (the
// scripted one, the TUI and the accessible prompts), in English and in
// Polish, shows service_changed followed by the request to run again with
// --debug and attach the trace; a run with --debug names its trace file on
// stderr; nothing is saved.
func TestServiceChangedAsksForTrace(t *testing.T) {
	forEachProvider(t, func(t *testing.T, p provCase) {
		w := newWorld(t)
		changeService(t, w.emus[p.domain])
		for _, l := range traceLangs {
			shows := func(s string) bool {
				return strings.Contains(flat(s), "(service_changed)") && strings.Contains(flat(s), l.hint)
			}

			r := w.runEnv(l.env, w.secret(p.password)+"\n", "--provider", p.domain, "-u", p.login, "--password-stdin")
			if r.code != 1 || !shows(r.stdout) {
				t.Errorf("%s scripted: exit %d, want 1 with service_changed and %q on stdout\nstdout:\n%s\nstderr:\n%s", l.lang, r.code, l.hint, r.stdout, r.stderr)
			}

			// A run that writes a trace already says where it is.
			trace := w.debugFile()
			r = w.runEnv(l.env, w.secret(p.password)+"\n", "--provider", p.domain, "-u", p.login, "--password-stdin", "--debug", trace)
			if r.code != 1 || !strings.Contains(r.stderr, trace) {
				t.Errorf("%s scripted with --debug: exit %d, want 1 and stderr naming %s\nstderr:\n%s", l.lang, r.code, trace, r.stderr)
			}

			tm := w.startWith(l.env, "--provider", p.domain)
			tm.waitFor(p.textIn(t, l.lang, "config.step.user.title"))
			tm.fill(p.login, w.secret(p.password))
			tm.waitScreen(l.lang+" TUI: service_changed and the trace hint", shows)
			tm.show(l.lang + " TUI after service_changed")
			tm.press(vterm.CtrlC)
			tm.exit(130)

			tm = w.startWith(append([]string{"TERM=dumb"}, l.env...), "--provider", p.domain)
			tm.waitPrompt(p.textIn(t, l.lang, "config.step.user.data."+p.loginField) + ":")
			tm.typeText(p.login + "\r")
			tm.typePassword(w, p.textIn(t, l.lang, "config.step.user.data.password")+":", p.password)
			// Line prompts are wrapped by the terminal, mid-word: read
			// the output as written.
			tm.waitScreen(l.lang+" accessible: service_changed and the trace hint", func(string) bool { return shows(string(tm.Raw())) })
			tm.press(vterm.CtrlC)
			tm.exit(130)
		}
		if l := w.list(); len(l) != 0 {
			t.Fatalf("entries after a changed service: %+v", l)
		}
	})
}
