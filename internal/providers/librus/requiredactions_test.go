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
	leaked := readFixture(t, "grant", "leaked_password_advised.html")
	noMarker := readFixture(t, "grant", "form_without_marker.html")
	api, _ := url.Parse("https://api.librus.pl")
	proxied, _ := url.Parse("https://proxy.test/librus")
	tests := []struct {
		name   string
		api    *url.URL
		url    string
		status int
		body   []byte
		want   bool
	}{
		{"the page at 2FA", api, "https://api.librus.pl/OAuth/Authorization/2FA?client_id=46", 200, page, true},
		{"new password page, upper-case FORM", api, "https://api.librus.pl/OAuth/Authorization/2FA?client_id=46", 200, readFixture(t, "grant", "required_actions_new_password.html"), true},
		{"behind a path prefix, trailing slash", proxied, "https://proxy.test/librus/oauth/authorization/2fa/", 200, page, true},
		// Any authorization hop before the code, recognised by the marker.
		{"leakedPasswordChangeAdvised at PerformLogin", api, "https://api.librus.pl/OAuth/Authorization/PerformLogin?client_id=46", 200, leaked, true},
		{"leakedPasswordChangeAdvised at Grant", api, "https://api.librus.pl/OAuth/Authorization/Grant?client_id=46", 200, leaked, true},
		{"the marker in a JSON answer", api, "https://api.librus.pl/OAuth/Authorization/Grant?client_id=46", 200, []byte(`{"status":"requiredActions"}`), true},
		{"the authorize page itself", api, "https://api.librus.pl/OAuth/Authorization?client_id=46", 200, page, true},
		{"2FA with a form but no marker (March 2026)", api, "https://api.librus.pl/OAuth/Authorization/2FA?client_id=46", 200, noMarker, true},
		{"PerformLogin with a form but no marker", api, "https://api.librus.pl/OAuth/Authorization/PerformLogin?client_id=46", 200, noMarker, false},
		{"landing page", api, "https://synergia.librus.pl/uczen/index", 200, readFixture(t, "grant", "landing_uczen.html"), false},
		{"the marker on synergia, after the code", api, "https://synergia.librus.pl/rodzic/index", 200, leaked, false},
		{"the marker on another Librus host", api, "https://portal.librus.pl/OAuth/Authorization/Grant", 200, leaked, false},
		{"the marker off the authorization pages", api, "https://api.librus.pl/OAuth/Token", 200, leaked, false},
		{"the marker outside the proxy's prefix", proxied, "https://proxy.test/OAuth/Authorization/Grant", 200, leaked, false},
		{"the marker over plain http", api, "http://api.librus.pl/OAuth/Authorization/Grant", 200, leaked, false},
		{"2FA redirecting onward", api, "https://api.librus.pl/OAuth/Authorization/2FA?client_id=46", 302, page, false},
		{"2FA error page", api, "https://api.librus.pl/OAuth/Authorization/2FA?client_id=46", 400, page, false},
		{"2FA without a form", api, "https://api.librus.pl/OAuth/Authorization/2FA?client_id=46", 200, []byte("<html>Błąd</html>"), false},
		{"2FA answering JSON with a form and no marker", api, "https://api.librus.pl/OAuth/Authorization/2FA?client_id=46", 200, []byte(`{"html":"<form>"}`), false},
		{"2FA only in the query", api, "https://api.librus.pl/OAuth/Authorization/Grant?next=/OAuth/Authorization/2FA", 200, noMarker, false},
	}
	for _, tc := range tests {
		u, _ := url.Parse(tc.url)
		if got := requiredActionsPage(tc.api, u, tc.status, tc.body); got != tc.want {
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

// FuzzRequiredActions runs the required-actions detection over arbitrary
// hop answers (URL, status, body): it fires only on a 2xx at an
// authorization hop of the API host holding the marker (or the 2FA step's
// form page), and the skip answer always maps to a declared key.
func FuzzRequiredActions(f *testing.F) {
	for _, b := range fixtures(f, "grant") {
		f.Add("https://api.librus.pl/OAuth/Authorization/2FA?client_id=46", 200, b)
		f.Add("https://api.librus.pl/OAuth/Authorization/PerformLogin?client_id=46", 200, b)
		f.Add("https://api.librus.pl/OAuth/Authorization/Grant?client_id=46", 302, b)
		f.Add("https://synergia.librus.pl/uczen/index", 200, b)
	}
	f.Add("https://api.librus.pl/OAuth/Authorization/2FA", 200, []byte(`<FORM`))
	f.Add("https://API.librus.pl:443/oauth/AUTHORIZATION/x", 204, []byte(`RequiredActions`))
	f.Add("http://api.librus.pl/OAuth/Authorization/Grant", 200, []byte(`requiredActions`))
	f.Add("//api.librus.pl/OAuth/Authorization", 200, []byte(`requiredActions`))
	api, _ := url.Parse("https://api.librus.pl")
	keys := append(slices.Clone(provider.SharedErrorKeys), New(providersDefaults()).ErrorKeys()...)
	f.Fuzz(func(t *testing.T, rawURL string, status int, body []byte) {
		u, err := url.Parse(rawURL)
		if err != nil {
			u = nil
		}
		if requiredActionsPage(api, u, status, body) {
			path := strings.ToLower(u.Path)
			low := bytes.ToLower(body)
			form := strings.HasSuffix(strings.TrimRight(path, "/"), "/oauth/authorization/2fa") && !json.Valid(body) && bytes.Contains(low, []byte("<form"))
			if status < 200 || status > 299 || u.Scheme != "https" || !strings.EqualFold(u.Hostname(), "api.librus.pl") ||
				(u.Port() != "" && u.Port() != "443") || !strings.HasPrefix(path, "/oauth/authorization") ||
				!bytes.Contains(low, []byte("requiredactions")) && !form {
				t.Fatalf("detected on %q HTTP %d %q", rawURL, status, body)
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
