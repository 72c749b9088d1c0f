package cli

import (
	"strings"
	"testing"

	"github.com/setupwizard/setupwizard/internal/providers/provider"
	"github.com/setupwizard/setupwizard/internal/providers/registry"
)

// settings are the environment variables every registered provider that
// checks its configuration reads, by the provider's domain, found through
// the registry (the command line never names a service).
func settings(t *testing.T) map[string]string {
	out := map[string]string{}
	for _, e := range registry.All() {
		var asked []string
		getenv := func(k string) string { asked = append(asked, k); return "" }
		c, ok := e.New(provider.Options{Getenv: getenv}).(provider.ConfigChecker)
		if !ok {
			continue
		}
		if err := c.CheckConfig(); err != nil {
			t.Fatalf("%s: the defaults are refused: %v", e.Domain, err)
		}
		for _, k := range asked {
			if strings.HasPrefix(k, "SETUPWIZARD_") {
				out[k] = e.Domain
			}
		}
	}
	if len(out) == 0 {
		t.Fatal("no provider checks a setting")
	}
	return out
}

// A malformed SETUPWIZARD_*_URL is a usage error naming the variable,
// before the password is read: stdin stays unread, no request is made.
func TestMalformedSettingIsUsageError(t *testing.T) {
	w := newWorld(t)
	bad := []string{"http://example.com", "https://example.com/x?q=1", "https://example.com/a/b#frag", "::junk", "https://", "https://user:pw@example.com/a/b"}
	for name, domain := range settings(t) {
		for _, v := range bad {
			for _, e := range w.emus {
				e.ResetRequests()
			}
			for _, args := range [][]string{
				{"--provider", domain, "-u", "someone@example.com", "--password-stdin"},
				{"--status"},
				{"--token", "--account", "x"},
			} {
				o := w.runEnv(map[string]string{name: v}, "pw\n", args...)
				expect(t, o, ExitUsage, name+" cannot be used")
				if strings.Contains(o.errOut, "pw@") {
					t.Errorf("%s=%q: the message shows the value's user info: %s", name, v, o.errOut)
				}
			}
			for d, e := range w.emus {
				if n := e.Requests(); n != 0 {
					t.Errorf("%s=%q: %d requests reached %s", name, v, n, d)
				}
			}
		}
	}
	// --list never reaches a service: a bad setting does not hold it up.
	for name := range settings(t) {
		expect(t, w.runEnv(map[string]string{name: "http://x"}, "", "--list"), ExitOK)
	}
}
