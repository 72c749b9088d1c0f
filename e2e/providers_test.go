package e2e

import (
	"fmt"
	"testing"

	"github.com/setupwizard/setupwizard/internal/flow"
	"github.com/setupwizard/setupwizard/internal/i18n"
	"github.com/setupwizard/setupwizard/internal/loopback"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
	"github.com/setupwizard/setupwizard/internal/providers/registry"
)

// provCase is one service as the scenarios drive it.
type provCase struct {
	domain string
	login  string
	// loginField is the schema's login field name; emailLogin says it
	// asks for an e-mail address (the engine checks its form).
	loginField string
	emailLogin bool
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

// providers are every registered service, as the scenarios drive it: the
// demo account and the emulator's controls come from the registry.
var providers = registeredProviders()

func registeredProviders() []provCase {
	ca, err := loopback.NewCA()
	if err != nil {
		panic(err)
	}
	emus, err := registry.StartEmulators(ca)
	if err != nil {
		panic(err)
	}
	defer emus.Close()
	var out []provCase
	for i, r := range registry.All() {
		login, pw := emus[r.Domain].Demo()
		schema := r.New(provider.Options{}).Schema()
		other, email := fmt.Sprintf("7654321%c", 'a'+i), false
		for _, f := range schema {
			if f.Name == schema.Login() && f.Kind == provider.Email {
				other, email = "other@example.com", true
			}
		}
		domain := r.Domain
		out = append(out, provCase{
			domain:     domain,
			login:      login,
			loginField: schema.Login(),
			emailLogin: email,
			password:   pw,
			wrong:      fmt.Sprintf("wrong-pass-%dQx", i),
			uniqueID:   provider.Slugify(login),
			expire:     func(w *world) { w.emus[domain].Expire() },
			hang:       func(w *world) { w.emus[domain].SetHang(true) },
			held:       func(w *world) <-chan string { return held(w.emus[domain]) },
			heal:       func(w *world) { w.emus[domain].SetHang(false) },
			addOther: func(w *world) (string, string) {
				otherPW := fmt.Sprintf("other-pass-%dWd", i)
				w.emus[domain].AddAccount(other, otherPW)
				return other, otherPW
			},
		})
	}
	return out
}

// emailProvider is the first registered service that signs in with an
// e-mail address, for scenarios about the engine's e-mail check.
func emailProvider(t *testing.T) provCase {
	t.Helper()
	for _, p := range providers {
		if p.emailLogin {
			return p
		}
	}
	t.Skip("no registered service signs in with an e-mail address")
	return provCase{}
}

// held is the emulator's report of each request a hang holds, so a test
// cancels exactly mid-request without sleeping.
func held(e provider.Emulator) <-chan string { return e.Hanging() }

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

// registered is the case of the service domain, for a test of that
// service alone; the test is skipped when no such service is registered.
func registered(t *testing.T, domain string) provCase {
	t.Helper()
	for _, c := range providers {
		if c.domain == domain {
			return c
		}
	}
	t.Skip(domain + " is not registered")
	return provCase{}
}
