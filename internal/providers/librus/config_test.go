package librus

import (
	"net/url"
	"testing"
)

func endpointsFor(t *testing.T, api, syn string) endpoints {
	t.Helper()
	ep, err := loadEndpoints(providersOptions(map[string]string{EnvAPIURL: api, EnvSynergiaURL: syn}))
	if err != nil {
		t.Fatal(err)
	}
	return ep
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestAllowed: *.librus.pl is open only while both configured hosts are
// Librus's own; :443 and no port are the same host.
func TestAllowed(t *testing.T) {
	tests := []struct {
		api, syn, target string
		want             bool
	}{
		{"", "", "https://portal.librus.pl/rodzina", true},
		{"", "", "https://api.librus.pl:443/OAuth", true},
		{"", "", "https://synergia.librus.pl:8443/", false},
		{"", "", "http://api.librus.pl/OAuth", false},
		{"", "", "https://librus.pl.example.com/", false},
		{"", "", "https://user@api.librus.pl/", false},
		{"https://api.librus.pl:443", "", "https://portal.librus.pl/", true},
		{"https://127.0.0.1:4443", "https://127.0.0.2:4443", "https://api.librus.pl/OAuth", false},
		{"https://127.0.0.1:4443", "https://127.0.0.2:4443", "https://127.0.0.2:4443/x", true},
		{"https://127.0.0.1:4443", "https://127.0.0.2:4443", "https://127.0.0.2:4444/x", false},
		{"https://proxy.example/api", "", "https://synergia.librus.pl/", true},
		{"https://proxy.example/api", "", "https://portal.librus.pl/", false},
		{"https://proxy.example:443/api", "", "https://PROXY.example/other", true},
		{"https://proxy.example", "", "https://proxy.example:443/x", true},
	}
	for _, tc := range tests {
		ep := endpointsFor(t, tc.api, tc.syn)
		if got := ep.allowed(mustURL(t, tc.target)); got != tc.want {
			t.Errorf("api %q syn %q: allowed(%s) = %v, want %v", tc.api, tc.syn, tc.target, got, tc.want)
		}
	}
}

func TestResolveGoTo(t *testing.T) {
	tests := []struct{ api, goTo, want string }{
		{"", "/OAuth/Authorization/2FA?client_id=46", "https://api.librus.pl/OAuth/Authorization/2FA?client_id=46"},
		{"https://p.example/lib", "/OAuth/Authorization/2FA?client_id=46", "https://p.example/lib/OAuth/Authorization/2FA?client_id=46"},
		{"https://p.example/lib", "/lib/OAuth/Authorization/2FA", "https://p.example/lib/OAuth/Authorization/2FA"},
		{"https://p.example/lib", "/library/x", "https://p.example/lib/library/x"},
		{"https://p.example/lib", "https://api.librus.pl/OAuth/x", "https://api.librus.pl/OAuth/x"},
		{"https://p.example/lib", "//other.example/x", "https://other.example/x"},
	}
	for _, tc := range tests {
		u, err := endpointsFor(t, tc.api, "").resolveGoTo(tc.goTo)
		if err != nil || u.String() != tc.want {
			t.Errorf("api %q: resolveGoTo(%q) = %v, %v; want %s", tc.api, tc.goTo, u, err, tc.want)
		}
	}
}

func TestAtSegment(t *testing.T) {
	base := mustURL(t, "https://p.example/a%2Fb")
	u := atSegment(base, "/UserInfo/", "55 50/01%")
	if want := "https://p.example/a%2Fb/UserInfo/55%2050%2F01%25"; u.String() != want {
		t.Errorf("atSegment = %s, want %s", u, want)
	}
	if got := at(base, "/TokenInfo", "").String(); got != "https://p.example/a%2Fb/TokenInfo" {
		t.Errorf("at = %s", got)
	}
}

// TestReadLoginNamed: only a rejection whose messages name a cause may
// override a 5xx status.
func TestReadLoginNamed(t *testing.T) {
	for _, tc := range []struct {
		file  string
		named bool
	}{
		{"bad_credentials.json", true},
		{"captcha.json", true},
		{"expired_escaped.json", true},
		{"error_without_message.json", false},
		{"error_recaptcha_field.json", false},
		{"bad_credentials_page.html", false},
		{"ok.json", false},
	} {
		if v := readLogin(500, readFixture(t, "login", tc.file)); v.named != tc.named || v.err == nil {
			t.Errorf("%s: named = %v (err %v), want %v", tc.file, v.named, v.err, tc.named)
		}
	}
}
