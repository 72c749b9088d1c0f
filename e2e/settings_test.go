package e2e

import (
	"strings"
	"testing"

	"github.com/setupwizard/setupwizard/internal/providers/provider"
	"github.com/setupwizard/setupwizard/internal/providers/registry"
)

// settingVars are the SETUPWIZARD_* variables every registered provider
// that checks its settings reads, by domain: the registry tells, no service is named here.
func settingVars(t *testing.T) map[string]string {
	out := map[string]string{}
	for _, e := range registry.All() {
		var asked []string
		p := e.New(provider.Options{Getenv: func(k string) string { asked = append(asked, k); return "" }})
		c, ok := p.(provider.ConfigChecker)
		if !ok {
			continue
		}
		_ = c.CheckConfig()
		for _, k := range asked {
			if strings.HasPrefix(k, "SETUPWIZARD_") {
				out[k] = e.Domain
			}
		}
	}
	return out
}

// TestMalformedServiceURL: a SETUPWIZARD_*_URL that is plain http, has a
// query or fragment, no host, or is junk is a usage error (exit 2) naming
// the variable, before the password is read (no form on a terminal) and
// before any request: never "unknown" after a sign-in.
func TestMalformedServiceURL(t *testing.T) {
	w := newWorld(t)
	vars := settingVars(t)
	if len(vars) == 0 {
		t.Fatal("no provider reads a SETUPWIZARD_*_URL setting")
	}
	for name, domain := range vars {
		p := providerCase(t, domain)
		for _, bad := range []string{"http://127.0.0.1/a/b", "https://127.0.0.1/a/b?x=1", "https://127.0.0.1/a/b#f", "not a url", "https://"} {
			extra := []string{name + "=" + bad}
			for _, e := range w.emus {
				e.ResetRequests()
			}
			w.secret(p.password)
			r := w.runQuietEnv(extra, password(p), addArgs(p)...)
			if r.code != 2 || !strings.Contains(r.stderr, name) {
				t.Errorf("%s=%q: add exit %d, want 2 naming the variable\n%s", name, bad, r.code, r.stderr)
			}
			tm := w.startWith(extra, "--provider", domain)
			tm.waitFor(name)
			tm.exit(2)
			for d, e := range w.emus {
				if n := e.Requests(); n != 0 {
					t.Errorf("%s=%q: %d requests reached %s", name, bad, n, d)
				}
			}
		}
	}
}

// providerCase is the scenario's view of a registered domain.
func providerCase(t *testing.T, domain string) provCase {
	for _, p := range providers {
		if p.domain == domain {
			return p
		}
	}
	t.Fatalf("no provider case for %s", domain)
	return provCase{}
}
