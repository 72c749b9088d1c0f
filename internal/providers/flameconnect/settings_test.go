package flameconnect

import (
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"testing"
)

const (
	fcTenant = "gdhvb2cflameconnect.onmicrosoft.com"
	fcPolicy = "B2C_1A_FirePhoneSignUpOrSignInWithPhoneOrEmail"
	fcBase   = "/" + fcTenant + "/" + fcPolicy + "/"
)

func testAuthority(t testing.TB) authority {
	t.Helper()
	a, err := parseAuthority("https://login.example:8443/" + fcTenant + "/" + fcPolicy)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestParseSettingsFixtures(t *testing.T) {
	tests := []struct {
		file       string
		err        error
		csrf       string
		transID    string
		base       string
		policy     string
		login      string
		pvInHeader bool
	}{
		{file: "single_line.html", csrf: "dG1xa3R+/3d1a2xzb3R3a3M0YmZTQ2s2bHZPM0xtR3JwN0I5a3RMbUNjWGY5Sk1hK3hVPQ==",
			transID: "StateProperties=eyJUSUQiOiIzYzJiNGE1ZS1hNzM1LTRlYTAtOWM3OS0wMWJmMDRiMmQzMmUifQ", base: fcBase, policy: fcPolicy, login: "email"},
		{file: "multi_line.html", csrf: "YWJj+/ZGVm/Z2hp+aktsbW5vcA==",
			transID: "StateProperties=eyJUSUQiOiJiYjQ4ZDRiZC0xMGE2LTQxZjQtOWQ1Ny1lM2FkYTk1YjM2NjMifQ", base: fcBase, policy: fcPolicy, login: "email", pvInHeader: true},
		{file: "spaced.html", csrf: "c3BhY2Vk+/x=", transID: "StateProperties=eyJzcGFjZWQiOnRydWV9", base: fcBase, policy: fcPolicy, login: "email"},
		{file: "tenant_only.html", csrf: "dGVuYW50+/==", transID: "StateProperties=eyJ0IjoxfQ",
			base: "/othertenant.onmicrosoft.com/B2C_1A_Other_Policy/", policy: "B2C_1A_Other_Policy", login: "email"},
		{file: "no_hosts.html", csrf: "bm9ob3N0cw+/=", transID: "StateProperties=eyJub2hvc3RzIjp0cnVlfQ", base: fcBase, policy: fcPolicy, login: "email"},
		{file: "trailing_comma.html", csrf: "dHJhaWxpbmc+/w==", transID: "StateProperties=eyJ0cmFpbGluZyI6MX0", base: fcBase, policy: fcPolicy, login: "email"},
		{file: "signinname_fields.html", csrf: "c2lnbmlu+/Q=", transID: "StateProperties=eyJzaWduaW4iOjF9", base: fcBase, policy: fcPolicy, login: "signInName"},
		{file: "hostile_tenant.html", csrf: "aG9zdGlsZQ+/=", transID: "StateProperties=eyJ4IjoxfQ", base: fcBase, policy: fcPolicy, login: "email"},
		{file: "no_csrf.html", err: errNoCSRF},
		{file: "no_transid.html", err: errNoTransID},
		{file: "hostile_csrf.html", err: errNoCSRF},
		{file: "no_settings.html", err: errNoSettings},
	}
	auth := testAuthority(t)
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			page, err := os.ReadFile(filepath.Join("testdata", "pages", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			s, err := parseSettings(page)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("error = %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.CSRF != tc.csrf || s.TransID != tc.transID {
				t.Errorf("csrf/transId = %q / %q", s.CSRF, s.TransID)
			}
			if s.API != "CombinedSigninAndSignup" {
				t.Errorf("api = %q", s.API)
			}
			base, policy := apiBase(s, auth)
			if base != tc.base || policy != tc.policy {
				t.Errorf("base, policy = %q, %q; want %q, %q", base, policy, tc.base, tc.policy)
			}
			if s.LoginField != tc.login {
				t.Errorf("login field = %q, want %q", s.LoginField, tc.login)
			}
			if s.PageViewIDHeader != tc.pvInHeader || (tc.pvInHeader && s.PageViewID == "") {
				t.Errorf("page view id header = %v (%q)", s.PageViewIDHeader, s.PageViewID)
			}
		})
	}
}

// settingsURLsStayOnHost is the parser's security property: whatever the
// page says, the URLs built from it stay on the authority's host.
func settingsURLsStayOnHost(t *testing.T, s pageSettings, auth authority) {
	t.Helper()
	base, policy := apiBase(s, auth)
	for _, raw := range []string{
		auth.origin + base + "SelfAsserted?tx=" + s.TransID + "&p=" + policy,
		auth.origin + base + "api/" + s.API + "/confirmed?rememberMe=false&csrf_token=" + s.CSRF + "&tx=" + s.TransID + "&p=" + policy,
	} {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatalf("URL from settings does not parse: %v", err)
		}
		if !auth.allows(u) {
			t.Fatalf("URL from settings leaves the authority: %s://%s", u.Scheme, u.Host)
		}
		if u.Fragment != "" || u.Path != base+"SelfAsserted" && u.Path != base+"api/"+s.API+"/confirmed" {
			t.Fatalf("URL from settings has path %q", u.Path)
		}
	}
}

func TestSettingsURLsStayOnHost(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "pages", "*.html"))
	auth := testAuthority(t)
	for _, f := range files {
		page, _ := os.ReadFile(f)
		if s, err := parseSettings(page); err == nil {
			settingsURLsStayOnHost(t, s, auth)
		}
	}
}

func TestPageSettingsStringHidesSecrets(t *testing.T) {
	s := pageSettings{CSRF: "secret-csrf", TransID: "secret-tx", API: "a"}
	if got := s.String(); got != "settings{api=a tenant= policy=}" {
		t.Fatalf("String() = %q", got)
	}
}
