package e2e

import (
	"testing"

	"github.com/setupwizard/setupwizard/internal/flow"
	"github.com/setupwizard/setupwizard/internal/i18n"
	fcemu "github.com/setupwizard/setupwizard/internal/providers/flameconnect/emulator"
	libemu "github.com/setupwizard/setupwizard/internal/providers/librus/emulator"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
	"github.com/setupwizard/setupwizard/internal/providers/registry"
)

// provCase is one service as the scenarios drive it.
type provCase struct {
	domain string
	login  string
	// loginField is the schema's login field name.
	loginField string
	password   string
	// wrong is a distinctive wrong password, scanned for like the real one.
	wrong    string
	uniqueID string
	// expire makes the stored grant unusable on the service's side.
	expire func(*world)
	// hang makes every request hang until the client gives up; held
	// reports each request so held, to cancel exactly mid-validation.
	hang func(*world)
	held func(*world) <-chan string
	heal func(*world)
	// addOther adds a second account to the service and returns its login
	// and password.
	addOther func(*world) (string, string)
}

var providers = []provCase{
	{
		domain:     "flameconnect",
		login:      fcemu.DemoEmail,
		loginField: "email",
		password:   fcemu.DemoPassword,
		wrong:      "wrong-pass-7Qx",
		uniqueID:   "demo-example-com",
		expire:     func(w *world) { w.fc.Expire() },
		hang:       func(w *world) { w.fc.SetFault(fcemu.FaultSlow) },
		held:       func(w *world) <-chan string { return w.fc.Hanging() },
		heal:       func(w *world) { w.fc.SetFault(fcemu.FaultNone) },
		addOther: func(w *world) (string, string) {
			w.fc.AddAccount("other@example.com", "other-pass-4Tr")
			return "other@example.com", "other-pass-4Tr"
		},
	},
	{
		domain:     "librus",
		login:      libemu.DemoLogin,
		loginField: "username",
		password:   libemu.DemoPassword,
		wrong:      "wrong-pass-9Lk",
		uniqueID:   "1234567u",
		expire:     func(w *world) { w.lb.Expire() },
		hang:       func(w *world) { w.lb.SetFault(libemu.FaultSlow) },
		held:       func(w *world) <-chan string { return w.lb.Stalled() },
		heal:       func(w *world) { w.lb.SetFault(libemu.FaultNone) },
		addOther: func(w *world) (string, string) {
			w.lb.AddUser("7654321u", "other-pass-8Wd", "Jan", "Nowak")
			return "7654321u", "other-pass-8Wd"
		},
	},
}

// forEachProvider runs a scenario per provider, one after the other (they
// share the session keyring and two cores).
func forEachProvider(t *testing.T, f func(t *testing.T, p provCase)) {
	for _, p := range providers {
		t.Run(p.domain, func(t *testing.T) { f(t, p) })
	}
}

// text is an English string of the provider, as the screen shows it.
func (p provCase) text(t *testing.T, key string, ph map[string]string) string {
	t.Helper()
	prov, ok := registry.Find(registry.New(provider.Options{}), p.domain)
	if !ok {
		t.Fatalf("provider %s is not registered", p.domain)
	}
	cat, err := flow.Strings(prov)
	if err != nil {
		t.Fatal(err)
	}
	s, ok := cat.Raw("en", key)
	if !ok {
		t.Fatalf("%s has no English %s", p.domain, key)
	}
	return i18n.Format(s, ph)
}
