package librus

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

func TestRequiredActionsPage(t *testing.T) {
	page := readFixture(t, "grant", "required_actions.html")
	tests := []struct {
		name   string
		url    string
		status int
		body   []byte
		want   bool
	}{
		{"the page", "https://api.librus.pl/OAuth/Authorization/2FA?client_id=46", 200, page, true},
		{"new password page, upper-case FORM", "https://api.librus.pl/OAuth/Authorization/2FA?client_id=46", 200, readFixture(t, "grant", "required_actions_new_password.html"), true},
		{"behind a path prefix, trailing slash", "https://proxy.test/librus/oauth/authorization/2fa/", 200, page, true},
		{"landing page", "https://synergia.librus.pl/uczen/index", 200, readFixture(t, "grant", "landing_uczen.html"), false},
		{"2FA redirecting onward", "https://api.librus.pl/OAuth/Authorization/2FA?client_id=46", 302, page, false},
		{"2FA error page", "https://api.librus.pl/OAuth/Authorization/2FA?client_id=46", 400, page, false},
		{"2FA without a form", "https://api.librus.pl/OAuth/Authorization/2FA?client_id=46", 200, []byte("<html>Błąd</html>"), false},
		{"2FA answering JSON", "https://api.librus.pl/OAuth/Authorization/2FA?client_id=46", 200, []byte(`{"html":"<form>"}`), false},
		{"another OAuth page with a form", "https://api.librus.pl/OAuth/Authorization?client_id=46", 200, page, false},
		{"2FA only in the query", "https://api.librus.pl/OAuth/Authorization/Grant?next=/OAuth/Authorization/2FA", 200, page, false},
	}
	for _, tc := range tests {
		u, _ := url.Parse(tc.url)
		if got := requiredActionsPage(u, tc.status, tc.body); got != tc.want {
			t.Errorf("%s: requiredActionsPage = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestParseSkip(t *testing.T) {
	tests := []struct {
		file   string
		status int
		goTo   string
		key    string
	}{
		{"skip_ok.json", 200, "/OAuth/Authorization/Grant?client_id=46", ""},
		{"skip_ok.json", 400, "", provider.KeyServiceChanged},
		{"skip_refused.json", 200, "", KeyAccountActionRequired},
		{"skip_refused.json", 400, "", KeyAccountActionRequired},
		{"required_actions_new_password.html", 200, "", KeyAccountActionRequired},
		// A 2xx that names no next step: Grant comes next, as a public
		// client does after the skip.
		{"landing_uczen.html", 200, "", ""},
		{"skip_empty.txt", 200, "", ""},
		{"skip_ok_without_goto.json", 200, "", ""},
		{"skip_empty.txt", 400, "", provider.KeyServiceChanged},
		{"landing_uczen.html", 404, "", provider.KeyServiceChanged},
		{"skip_ok_without_goto.json", 400, "", provider.KeyServiceChanged},
		{"skip_unknown.json", 200, "", provider.KeyServiceChanged},
	}
	for _, tc := range tests {
		goTo, err := parseSkip(tc.status, readFixture(t, "grant", tc.file))
		if goTo != tc.goTo || errKey(err) != tc.key {
			t.Errorf("%s (HTTP %d): parseSkip = %q, %v; want %q, key %q", tc.file, tc.status, goTo, err, tc.goTo, tc.key)
		}
	}
}

// FuzzRequiredActions: the detection never fires on anything but a 2xx
// page at the 2FA step, and the skip answer always maps to a declared key.
func FuzzRequiredActions(f *testing.F) {
	for _, b := range fixtures(f, "grant") {
		f.Add("/OAuth/Authorization/2FA", 200, b)
		f.Add("/uczen/index", 200, b)
	}
	f.Add("/OAuth/Authorization/2FA", 200, []byte(`<FORM`))
	keys := append(slices.Clone(provider.SharedErrorKeys), New(providersDefaults()).ErrorKeys()...)
	f.Fuzz(func(t *testing.T, path string, status int, body []byte) {
		u := &url.URL{Scheme: "https", Host: "api.librus.pl", Path: path}
		if requiredActionsPage(u, status, body) {
			if status < 200 || status > 299 || json.Valid(body) ||
				!strings.HasSuffix(strings.ToLower(strings.TrimRight(path, "/")), "/oauth/authorization/2fa") {
				t.Fatalf("detected on %q HTTP %d %q", path, status, body)
			}
		}
		goTo, err := parseSkip(status, body)
		if err == nil {
			// Accepted: a 2xx, with goTo or ("" = Grant next) without,
			// and never the form page served again.
			if goTo != strings.TrimSpace(goTo) || status < 200 || status > 299 {
				t.Fatalf("skip accepted with goTo %q, HTTP %d", goTo, status)
			}
			if !json.Valid(body) && bytes.Contains(bytes.ToLower(body), []byte("<form")) {
				t.Fatalf("the page served again was taken as a skip: %q", body)
			}
			return
		}
		var pe *provider.Error
		if !errors.As(err, &pe) || !slices.Contains(keys, pe.Key) || goTo != "" {
			t.Fatalf("err = %v, want a declared key", err)
		}
		for _, r := range err.Error() {
			if r < 0x20 || r == 0x7f || r == 0x1b {
				t.Fatalf("control %U in the cause %q", r, err.Error())
			}
		}
	})
}
