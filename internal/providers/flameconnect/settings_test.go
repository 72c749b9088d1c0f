package flameconnect

import (
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

const (
	fcTenant = "gdhvb2cflameconnect.onmicrosoft.com"
	fcPolicy = "B2C_1A_FirePhoneSignUpOrSignInWithPhoneOrEmail"
	fcBase   = "/" + fcTenant + "/" + fcPolicy + "/"
)

// capturedGUID is the tenant GUID the captured-shape fixtures name in
// hosts.tenant.
const capturedGUID = "6c1f5d3e-7a0b-4c1e-9f2a-0b8e2d4f6a10"

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
		{file: "lowercase_hosts.html", csrf: "bG93ZXI+/w==", transID: "StateProperties=eyJsIjoxfQ", base: fcBase, policy: fcPolicy, login: "email"},
		{file: "lowercase_tenant_only.html", csrf: "bG93ZXJ0+/w==", transID: "StateProperties=eyJsdCI6MX0", base: fcBase, policy: fcPolicy, login: "email"},
		{file: "escaped_trailing_comma.html", csrf: "ZXNj+/ZQ==", transID: "StateProperties=eyJlIjoxfQ", base: fcBase, policy: fcPolicy, login: "email"},
		{file: "script_object.html", csrf: "c2NyaXB0+/w==", transID: "StateProperties=eyJzIjoxfQ", base: fcBase, policy: fcPolicy, login: "email", pvInHeader: true},
		{file: "captured_script_settings.html", csrf: "Y2FwdHVyZWQ+/2NzcmY=", transID: "StateProperties=eyJUSUQiOiJjYXB0dXJlZCJ9",
			base: "/" + capturedGUID + "/" + fcPolicy + "/", policy: fcPolicy, login: "signInName"},
		{file: "../captured/page_large.html", csrf: "Y2FwdHVyZWQ+/2NzcmY=", transID: "StateProperties=eyJUSUQiOiJjYXB0dXJlZCJ9",
			base: "/" + capturedGUID + "/" + fcPolicy + "/", policy: fcPolicy, login: "signInName"},
		{file: "brace_in_function.html", csrf: "YnJhY2U+/w==", transID: "StateProperties=eyJiIjoxfQ",
			base: "/" + capturedGUID + "/" + fcPolicy + "/", policy: fcPolicy, login: "signInName"},
		{file: "window_settings.html", csrf: "d2luZG93+/w==", transID: "StateProperties=eyJ3IjoxfQ", base: fcBase, policy: fcPolicy, login: "email"},
		{file: "const_settings.html", csrf: "Y29uc3Q+/w==", transID: "StateProperties=eyJjIjoxfQ", base: fcBase, policy: fcPolicy, login: "email"},
		{file: "other_login_field.html", csrf: "b3RoZXI+/w==", transID: "StateProperties=eyJvIjoxfQ", base: fcBase, policy: fcPolicy, login: "signInNames.emailAddress"},
		{file: "no_csrf.html", err: errNoCSRF},
		{file: "no_transid.html", err: errNoTransID},
		{file: "hostile_csrf.html", err: errNoCSRF},
		{file: "no_settings.html", err: errNoSettings},
	}
	auth := testAuthority(t)
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			page := readPage(t, tc.file)
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
		if !newSession(provider.Options{}, auth, nil).Allowed(u) {
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

// The base path keeps the policy's mixed case whatever case the page or
// the authority uses (the page's spelling first), takes only the tenant
// segment from hosts.tenant, and keeps a proxy prefix.
func TestAPIBase(t *testing.T) {
	auth := testAuthority(t)
	proxied, err := parseAuthority("https://login.example:8443/proxy/b2c/" + fcTenant + "/" + fcPolicy)
	if err != nil {
		t.Fatal(err)
	}
	lower := strings.ToLower(fcPolicy)
	lowerAuth, err := parseAuthority("https://login.example/" + fcTenant + "/" + lower)
	if err != nil {
		t.Fatal(err)
	}
	upperAuth, err := parseAuthority("https://login.example/" + fcTenant + "/" + strings.ToUpper(fcPolicy))
	if err != nil {
		t.Fatal(err)
	}
	const guid = "6c1f5d3e-7a0b-4c1e-9f2a-0b8e2d4f6a10"
	tests := []struct {
		name         string
		s            pageSettings
		auth         authority
		base, policy string
	}{
		{"nothing on the page", pageSettings{}, auth, fcBase, fcPolicy},
		{"mixed case page", pageSettings{TenantPath: "/" + fcTenant + "/" + fcPolicy, Policy: fcPolicy}, auth, fcBase, fcPolicy},
		{"lower-case tenant path", pageSettings{TenantPath: "/" + fcTenant + "/" + lower}, auth, fcBase, fcPolicy},
		{"lower-case tenant path and policy", pageSettings{TenantPath: "/" + fcTenant + "/" + lower, Policy: lower}, auth, fcBase, fcPolicy},
		{"another policy", pageSettings{TenantPath: "/" + fcTenant + "/" + lower, Policy: "B2C_1A_Other"}, auth, "/" + fcTenant + "/B2C_1A_Other/", "B2C_1A_Other"},
		{"another tenant", pageSettings{TenantPath: "/other.onmicrosoft.com"}, auth, "/other.onmicrosoft.com/" + fcPolicy + "/", fcPolicy},
		// API requests go to the hosts.tenant path: a policy named only there wins.
		{"another policy only in hosts.tenant", pageSettings{TenantPath: "/" + guid + "/B2C_1A_SignInUp"}, auth, "/" + guid + "/B2C_1A_SignInUp/", "B2C_1A_SignInUp"},
		{"proxy prefix", pageSettings{TenantPath: "/" + fcTenant + "/" + lower, Policy: lower}, proxied, "/proxy/b2c" + fcBase, fcPolicy},
		{"authority lower-case, page mixed", pageSettings{TenantPath: "/" + fcTenant + "/" + fcPolicy, Policy: fcPolicy}, lowerAuth, fcBase, fcPolicy},
		{"authority upper-case, page mixed", pageSettings{TenantPath: "/" + fcTenant + "/" + fcPolicy, Policy: fcPolicy}, upperAuth, fcBase, fcPolicy},
		{"authority lower-case, page's policy only in hosts.tenant", pageSettings{TenantPath: "/" + fcTenant + "/" + fcPolicy}, lowerAuth, fcBase, fcPolicy},
		{"authority lower-case, page lower-case", pageSettings{TenantPath: "/" + fcTenant + "/" + lower, Policy: lower}, lowerAuth, "/" + fcTenant + "/" + lower + "/", lower},
		{"GUID tenant", pageSettings{TenantPath: "/" + guid + "/" + fcPolicy, Policy: fcPolicy}, lowerAuth, "/" + guid + "/" + fcPolicy + "/", fcPolicy},
	}
	for _, tc := range tests {
		if base, policy := apiBase(tc.s, tc.auth); base != tc.base || policy != tc.policy {
			t.Errorf("%s: %q, %q; want %q, %q", tc.name, base, policy, tc.base, tc.policy)
		}
	}
}

// Regex-path values are JSON-decoded; a nested "tenant" outside hosts is
// never the base; pageViewId is read too.
func TestRegexSettings(t *testing.T) {
	obj := []byte(`{a: 1, "config": {"tenant": "/evil.onmicrosoft.com", "policy": "B2C_1A_Evil"}, "csrf": "a\u002Bb\/c==", ` +
		`"transId": "t\"q", "api": "bad\q", "pageViewId": "pv-1", "isPageViewIdSentWithHeader" : true, ` +
		`"hosts": {"static": "x{", "tenant": "\/good.onmicrosoft.com", "policy": "B2C_1A_Good"}}`)
	raw := regexSettings(obj)
	if raw.CSRF != "a+b/c==" || raw.TransID != `t"q` || raw.API != "" || raw.PageViewID != "pv-1" || !raw.PVHeader {
		t.Errorf("raw = %+v", raw)
	}
	if raw.Hosts.Tenant != "/good.onmicrosoft.com" || raw.Hosts.Policy != "B2C_1A_Good" {
		t.Errorf("hosts = %+v", raw.Hosts)
	}
	if raw := regexSettings([]byte(`{"config": {"tenant": "/evil"}, "csrf": "x"}`)); raw.Hosts.Tenant != "" {
		t.Errorf("tenant from outside hosts: %q", raw.Hosts.Tenant)
	}
}

func TestWithoutTrailingCommas(t *testing.T) {
	in := `{"a":[1,2,],"b":"x,}",  "c":{"d":"\",}" , },}`
	want := `{"a":[1,2],"b":"x,}",  "c":{"d":"\",}"  }}`
	if got := string(withoutTrailingCommas([]byte(in))); got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

// A CAPTCHA shows on the page as a SA_FIELDS field or display control
// naming one, or as a widget; real sign-in pages without one (the fixtures
// of every shape) show none of these.
func TestPageHasCaptcha(t *testing.T) {
	entries, err := os.ReadDir(filepath.Join("testdata", "pages"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range append(entries, nil) {
		name := "../captured/page_large.html"
		if e != nil {
			name = e.Name()
		}
		page := readPage(t, name)
		if pageHasCaptcha(page) {
			t.Errorf("%s: a CAPTCHA seen on a page without one", name)
		}
	}
	// A mention alone is not a CAPTCHA: a localized string, script code.
	for _, page := range []string{
		`var CONTENT = {"captcha_help":"Type the characters you see"}; var SA_FIELDS = {"AttributeFields":[{"ID":"email"}]};`,
		`<script>function showCaptcha(){ /* not used by this policy */ }</script>`,
	} {
		if pageHasCaptcha([]byte(page)) {
			t.Errorf("a CAPTCHA seen in %s", page)
		}
	}
	for _, page := range []string{
		`var SA_FIELDS = {"AttributeFields":[{"ID":"email"},{"ID":"password"},{"ID":"captchaChallenge","UX_INPUT_TYPE":"Captcha"}]};`,
		`<div class="g-recaptcha" data-sitekey="k"></div>`,
		`<div class="h-captcha" data-sitekey="k"></div>`,
		`<div class="cf-turnstile" data-sitekey="k"></div>`,
		`<DIV CLASS="G-RECAPTCHA"></DIV>`,
	} {
		if !pageHasCaptcha([]byte(page)) {
			t.Errorf("no CAPTCHA seen in %s", page)
		}
	}
}

// readPage is the sign-in page testdata/pages/name.
func readPage(t *testing.T, name string) []byte {
	t.Helper()
	page, err := os.ReadFile(filepath.Join("testdata", "pages", name))
	if err != nil {
		t.Fatal(err)
	}
	return page
}
