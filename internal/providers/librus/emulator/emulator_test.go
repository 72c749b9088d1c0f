package emulator

import (
	"context"
	"crypto/tls"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/setupwizard/setupwizard/internal/loopback"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

// browser drives the emulator by hand, one request at a time.
type browser struct {
	t *testing.T
	c *http.Client
}

func newBrowser(t *testing.T, ca *loopback.CA) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, c: &http.Client{
		Jar:           jar,
		Transport:     &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ca.Pool}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

func (b *browser) do(method, u string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, u, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp, string(raw)
}

func start(t *testing.T) (*Emulator, *loopback.CA) {
	ca, err := loopback.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	e, err := Start(ca)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	return e, ca
}

// signIn runs steps 1-3 by hand; authorizeGets is how often the authorize
// page is fetched. It returns the final synergia URL of the grant chain.
func signIn(t *testing.T, e *Emulator, b *browser, authorizeGets int) string {
	resp, _ := b.do("GET", e.SynergiaURL()+"/loguj/portalRodzina", nil)
	authorize := resp.Header.Get("Location")
	if !strings.HasPrefix(authorize, e.APIURL()+"/OAuth/Authorization?") || !strings.Contains(authorize, "state=") {
		t.Fatalf("init Location = %q", authorize)
	}
	for i := 0; i < authorizeGets; i++ {
		if resp, _ := b.do("GET", authorize, nil); resp.StatusCode != 200 {
			t.Fatalf("authorize: %d", resp.StatusCode)
		}
	}
	resp, body := b.do("POST", e.APIURL()+"/OAuth/Authorization?client_id=46",
		url.Values{"action": {"login"}, "login": {DemoLogin}, "pass": {DemoPassword}})
	if resp.StatusCode != 200 || !strings.Contains(body, `"goTo"`) {
		t.Fatalf("login: %d %s", resp.StatusCode, body)
	}
	next := e.APIURL() + "/OAuth/Authorization/2FA?client_id=46"
	for range 10 {
		resp, _ := b.do("GET", next, nil)
		loc := resp.Header.Get("Location")
		if loc == "" {
			return next
		}
		u, _ := url.Parse(next)
		n, _ := u.Parse(loc)
		next = n.String()
	}
	t.Fatal("grant chain too long")
	return ""
}

func TestSecondAuthorizeGetSpoilsSession(t *testing.T) {
	e, ca := start(t)
	if got := signIn(t, e, newBrowser(t, ca), 1); !strings.HasSuffix(got, "/rodzic/index") {
		t.Errorf("one authorize GET ended at %s", got)
	}
	if got := signIn(t, e, newBrowser(t, ca), 2); !strings.Contains(got, "error=invalid_request") {
		t.Errorf("two authorize GETs ended at %s, want invalid_request", got)
	}
}

func TestCookiesScopedPerHost(t *testing.T) {
	e, ca := start(t)
	b := newBrowser(t, ca)
	signIn(t, e, b, 1)
	for _, q := range e.Log() {
		cookie := q.Header.Get("Cookie")
		if q.Server == "api" && (strings.Contains(cookie, "DZIENNIKSID") || strings.Contains(cookie, "oauth_state")) {
			t.Errorf("synergia cookie sent to the API host: %s", q.Path)
		}
		if q.Server == "synergia" && strings.Contains(cookie, "DeviceCookie") {
			t.Errorf("DeviceCookie sent to synergia: %s", q.Path)
		}
	}
	var device string
	for _, q := range e.Log() {
		for _, sc := range q.SetCookie {
			if strings.HasPrefix(sc, "DeviceCookie=") {
				device = sc
			}
		}
	}
	if !strings.Contains(device, "Path=/OAuth") || !strings.Contains(device, "Max-Age=31536000") {
		t.Errorf("DeviceCookie = %q", device)
	}
}

func TestRefreshAndExpire(t *testing.T) {
	e, ca := start(t)
	b := newBrowser(t, ca)
	signIn(t, e, b, 1)
	resp, _ := b.do("GET", e.SynergiaURL()+"/refreshToken", nil)
	if resp.StatusCode != 200 || !strings.Contains(strings.Join(resp.Header.Values("Set-Cookie"), ";"), "oauth_token=") {
		t.Fatalf("refreshToken: %d %v", resp.StatusCode, resp.Header)
	}
	if resp, body := b.do("GET", e.SynergiaURL()+"/gateway/api/2.0/Auth/TokenInfo", nil); resp.StatusCode != 200 || !strings.Contains(body, "UserIdentifier") {
		t.Fatalf("TokenInfo after refresh: %d %s", resp.StatusCode, body)
	}
	e.Expire()
	for _, p := range []string{"/refreshToken", "/gateway/api/2.0/Auth/TokenInfo"} {
		resp, body := b.do("GET", e.SynergiaURL()+p, nil)
		if resp.StatusCode != 401 || !strings.Contains(body, "TokenIsExpired") {
			t.Errorf("%s after expiry: %d %s", p, resp.StatusCode, body)
		}
	}
}

func TestFaults(t *testing.T) {
	e, ca := start(t)
	b := newBrowser(t, ca)
	tests := []struct {
		fault  Fault
		on     string
		method string
		path   string
		status int
		body   string
	}{
		{FaultMaintenance, "", "GET", "/loguj/portalRodzina", 503, `"description"`},
		{FaultMaintenanceRedirect, "", "GET", "/loguj/portalRodzina", 302, ""},
		{FaultServerError, "", "GET", "/refreshToken", 500, ""},
		{FaultCaptcha, "", "POST", "/OAuth/Authorization?client_id=46", 403, "Nie jestem robotem"},
		{FaultExpiredAccount, "", "POST", "/OAuth/Authorization?client_id=46", 403, "ważności konta"},
		{FaultMaintenance, "POST /OAuth/Authorization", "GET", "/loguj/portalRodzina", 302, ""},
	}
	for _, tc := range tests {
		e.SetFaultOn(tc.fault, tc.on)
		host := e.SynergiaURL()
		var form url.Values
		if tc.method == "POST" {
			host, form = e.APIURL(), url.Values{"action": {"login"}, "login": {DemoLogin}, "pass": {DemoPassword}}
		}
		resp, body := b.do(tc.method, host+tc.path, form)
		if resp.StatusCode != tc.status || !strings.Contains(body, tc.body) {
			t.Errorf("fault %d on %q, %s %s: %d %s", tc.fault, tc.on, tc.method, tc.path, resp.StatusCode, body)
		}
	}
}

// TestShapes: the shape switches change only what they say.
func TestShapes(t *testing.T) {
	e, ca := start(t)
	e.SetShape(Shape{PathPrefix: "/proxy", LoginErrorStatus: 500, LoginErrorExtra: map[string]any{"captchaRequired": false}})
	if !strings.HasSuffix(e.APIURL(), "/proxy") || !strings.HasSuffix(e.SynergiaURL(), "/proxy") {
		t.Fatalf("URLs %s %s lack the prefix", e.APIURL(), e.SynergiaURL())
	}
	if got := signIn(t, e, newBrowser(t, ca), 1); !strings.HasSuffix(got, "/proxy/rodzic/index") {
		t.Errorf("prefixed sign-in ended at %s", got)
	}
	resp, body := newBrowser(t, ca).do("POST", e.APIURL()+"/OAuth/Authorization?client_id=46",
		url.Values{"action": {"login"}, "login": {DemoLogin}, "pass": {"wrong"}})
	if resp.StatusCode != 500 || !strings.Contains(body, `"captchaRequired":false`) || !strings.Contains(body, `"status":"error"`) {
		t.Errorf("rejection = %d %s", resp.StatusCode, body)
	}
	if resp, _ := newBrowser(t, ca).do("GET", strings.TrimSuffix(e.SynergiaURL(), "/proxy")+"/loguj/portalRodzina", nil); resp.StatusCode != 404 {
		t.Errorf("unprefixed path answered %d", resp.StatusCode)
	}
	e.SetShape(Shape{RefreshNoCookie: true, RefreshStatus: 204})
	resp, _ = newBrowser(t, ca).do("GET", e.SynergiaURL()+"/refreshToken", nil)
	if resp.StatusCode != 204 || len(resp.Header.Values("Set-Cookie")) != 0 {
		t.Errorf("refreshToken = %d %v", resp.StatusCode, resp.Header)
	}
}

// cookieHeader is the Cookie header the browser's jar would send to u.
func (b *browser) cookieHeader(u string) string {
	pu, _ := url.Parse(u)
	var parts []string
	for _, c := range b.c.Jar.Cookies(pu) {
		parts = append(parts, c.Name+"="+c.Value)
	}
	return strings.Join(parts, "; ")
}

// TestSharedInterface drives the emulator through provider.Emulator only.
func TestSharedInterface(t *testing.T) {
	ca, err := loopback.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	pe, err := StartEmulator(ca)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pe.Close() })
	e := pe.(*Emulator)
	if env := pe.Env(); env["SETUPWIZARD_LIBRUS_API_URL"] != e.APIURL() || env["SETUPWIZARD_LIBRUS_SYNERGIA_URL"] != e.SynergiaURL() {
		t.Fatalf("Env = %v", env)
	}
	if l, p := pe.Demo(); l != DemoLogin || p != DemoPassword {
		t.Fatalf("Demo = %s %s", l, p)
	}
	b := newBrowser(t, ca)
	pe.ResetRequests()
	signIn(t, e, b, 1)
	if n := pe.Requests(); n < 5 || n != len(e.Log()) {
		t.Fatalf("Requests = %d, log %d", n, len(e.Log()))
	}
	cred := provider.Credential{Kind: "cookie", Type: "Cookie", Value: b.cookieHeader(e.SynergiaURL() + "/gateway/api/2.0/Me")}
	if err := pe.CheckCredential(cred); err != nil {
		t.Fatalf("CheckCredential with the session: %v", err)
	}
	if err := pe.CheckCredential(provider.Credential{Kind: "cookie", Type: "Cookie", Value: "DZIENNIKSID=x"}); err == nil {
		t.Fatal("CheckCredential accepted a made-up cookie")
	}
	pe.Expire()
	if err := pe.CheckCredential(cred); err == nil {
		t.Fatal("CheckCredential accepted an expired session")
	}

	pe.AddAccount("7654321u", "other")
	pe.SetHang(true)
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ca.Pool}}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, e.SynergiaURL()+"/loguj/portalRodzina", nil)
		resp, err := c.Do(req)
		if err == nil {
			_ = resp.Body.Close()
		}
		done <- err
	}()
	<-e.Hanging()
	cancel()
	if err := <-done; err == nil {
		t.Fatal("a hung request was answered")
	}
	pe.SetHang(false)
	pe.SetLatency(time.Millisecond)
	if resp, _ := b.do("GET", e.SynergiaURL()+"/loguj/portalRodzina", nil); resp.StatusCode != http.StatusFound {
		t.Fatalf("after the hang: %d", resp.StatusCode)
	}
}

// TestGatewayAfterLanding: with the shape on, the gateway knows the
// session only once the chain's last page was fetched.
func TestGatewayAfterLanding(t *testing.T) {
	e, ca := start(t)
	e.SetShape(Shape{GatewayAfterLanding: true, Landing: "/uczen/index"})
	b := newBrowser(t, ca)
	last := signInUntil(t, e, b, "/uczen/index")
	if resp, _ := b.do("GET", e.SynergiaURL()+"/gateway/api/2.0/Auth/TokenInfo", nil); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("TokenInfo before the landing page: %d", resp.StatusCode)
	}
	if resp, _ := b.do("GET", last, nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("landing: %d", resp.StatusCode)
	}
	if resp, body := b.do("GET", e.SynergiaURL()+"/gateway/api/2.0/Auth/TokenInfo", nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("TokenInfo after the landing page: %d %s", resp.StatusCode, body)
	}
}

// TestSkipWithoutPageSpoils: a required-actions skip posted when the page
// was not shown spoils the OAuth session, as on the real service.
func TestSkipWithoutPageSpoils(t *testing.T) {
	e, ca := start(t)
	e.SetShape(Shape{RequiredActions: RequiredActionsSkipJSON})
	b := newBrowser(t, ca)
	resp, _ := b.do("GET", e.SynergiaURL()+"/loguj/portalRodzina", nil)
	b.do("GET", resp.Header.Get("Location"), nil)
	b.do("POST", e.APIURL()+"/OAuth/Authorization?client_id=46", url.Values{"action": {"login"}, "login": {DemoLogin}, "pass": {DemoPassword}})
	if resp, _ := b.do("POST", e.APIURL()+"/OAuth/Authorization/2FA?client_id=46", url.Values{"action": {"requiredActions"}, "skip": {"true"}}); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("early skip: %d", resp.StatusCode)
	}
	if resp, body := b.do("GET", e.APIURL()+"/OAuth/Authorization/2FA?client_id=46", nil); resp.StatusCode != http.StatusOK || !strings.Contains(body, "requiredActions") {
		t.Fatalf("2FA page: %d %s", resp.StatusCode, body)
	}
	b.do("POST", e.APIURL()+"/OAuth/Authorization/2FA?client_id=46", url.Values{"action": {"requiredActions"}, "skip": {"true"}})
	resp, _ = b.do("GET", e.APIURL()+"/OAuth/Authorization/Grant?client_id=46", nil)
	if loc := resp.Header.Get("Location"); !strings.Contains(loc, "error=invalid_request") {
		t.Fatalf("grant after a spoiled session: Location %q", loc)
	}
}

// signInUntil runs the chain by hand and returns the URL of the landing
// page (ending in landing) without fetching it.
func signInUntil(t *testing.T, e *Emulator, b *browser, landing string) string {
	t.Helper()
	resp, _ := b.do("GET", e.SynergiaURL()+"/loguj/portalRodzina", nil)
	b.do("GET", resp.Header.Get("Location"), nil)
	b.do("POST", e.APIURL()+"/OAuth/Authorization?client_id=46", url.Values{"action": {"login"}, "login": {DemoLogin}, "pass": {DemoPassword}})
	next := e.APIURL() + "/OAuth/Authorization/2FA?client_id=46"
	for range 10 {
		u, _ := url.Parse(next)
		if strings.HasSuffix(u.Path, landing) {
			return next
		}
		resp, _ := b.do("GET", next, nil)
		n, err := u.Parse(resp.Header.Get("Location"))
		if err != nil || resp.Header.Get("Location") == "" {
			t.Fatalf("chain stopped at %s", next)
		}
		next = n.String()
	}
	t.Fatal("chain too long")
	return ""
}

// TestSkipAnsweredEmpty: in RequiredActionsSkipEmpty the skip answers 200
// with an empty body and Grant then issues the code; under ChangeSkip the
// same answer does not take and Grant ends in invalid_request.
func TestSkipAnsweredEmpty(t *testing.T) {
	for _, tc := range []struct {
		shape Shape
		takes bool
	}{
		{Shape{RequiredActions: RequiredActionsSkipEmpty}, true},
		{Shape{RequiredActions: RequiredActionsSkipJSON, Changed: ChangeSkip}, false},
	} {
		e, ca := start(t)
		e.SetShape(tc.shape)
		b := newBrowser(t, ca)
		resp, _ := b.do("GET", e.SynergiaURL()+"/loguj/portalRodzina", nil)
		b.do("GET", resp.Header.Get("Location"), nil)
		b.do("POST", e.APIURL()+"/OAuth/Authorization?client_id=46", url.Values{"action": {"login"}, "login": {DemoLogin}, "pass": {DemoPassword}})
		if resp, body := b.do("GET", e.APIURL()+"/OAuth/Authorization/2FA?client_id=46", nil); resp.StatusCode != http.StatusOK || !strings.Contains(body, "<form") {
			t.Fatalf("2FA page: %d %s", resp.StatusCode, body)
		}
		resp, body := b.do("POST", e.APIURL()+"/OAuth/Authorization/2FA?client_id=46", url.Values{"action": {"requiredActions"}, "skip": {"true"}})
		if resp.StatusCode != http.StatusOK || body != "" {
			t.Fatalf("skip: %d %q, want 200 and no body", resp.StatusCode, body)
		}
		resp, _ = b.do("GET", e.APIURL()+"/OAuth/Authorization/Grant?client_id=46", nil)
		if loc := resp.Header.Get("Location"); strings.Contains(loc, "code=") != tc.takes || strings.Contains(loc, "error=") == tc.takes {
			t.Errorf("%+v: Grant Location %q", tc.shape, loc)
		}
	}
}

// TestSkipAtAnotherHop: with the page at PerformLogin, the skip counts
// only when posted to PerformLogin, the hop that showed it; posted to 2FA
// it spoils the session as any skip without the page does.
func TestSkipAtAnotherHop(t *testing.T) {
	for _, tc := range []struct {
		postTo string
		takes  bool
	}{{"PerformLogin", true}, {"2FA", false}} {
		e, ca := start(t)
		e.SetShape(Shape{RequiredActions: RequiredActionsSkipJSON, RequiredActionsAt: []string{"PerformLogin"}})
		b := newBrowser(t, ca)
		resp, _ := b.do("GET", e.SynergiaURL()+"/loguj/portalRodzina", nil)
		b.do("GET", resp.Header.Get("Location"), nil)
		b.do("POST", e.APIURL()+"/OAuth/Authorization?client_id=46", url.Values{"action": {"login"}, "login": {DemoLogin}, "pass": {DemoPassword}})
		if resp, _ := b.do("GET", e.APIURL()+"/OAuth/Authorization/2FA?client_id=46", nil); resp.StatusCode != http.StatusFound {
			t.Fatalf("2FA: %d, want a redirect onward", resp.StatusCode)
		}
		resp, body := b.do("GET", e.APIURL()+"/OAuth/Authorization/PerformLogin?client_id=46", nil)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, "leakedPasswordChangeAdvised") || strings.Contains(body, "<form") {
			t.Fatalf("PerformLogin page: %d %s", resp.StatusCode, body)
		}
		b.do("POST", e.APIURL()+"/OAuth/Authorization/"+tc.postTo+"?client_id=46", url.Values{"action": {"requiredActions"}, "skip": {"true"}})
		resp, _ = b.do("GET", e.APIURL()+"/OAuth/Authorization/Grant?client_id=46", nil)
		if loc := resp.Header.Get("Location"); strings.Contains(loc, "code=") != tc.takes {
			t.Errorf("skip posted to %s: Grant Location %q", tc.postTo, loc)
		}
	}
}

// TestQuirkAnswers: each quirk's answer as docs/librus.md describes it.
func TestQuirkAnswers(t *testing.T) {
	e, ca := start(t)
	login := func(b *browser, who, pass string) (*http.Response, string) {
		resp, _ := b.do("GET", e.SynergiaURL()+"/loguj/portalRodzina", nil)
		b.do("GET", resp.Header.Get("Location"), nil)
		return b.do("POST", e.APIURL()+"/OAuth/Authorization?client_id=46", url.Values{"action": {"login"}, "login": {who}, "pass": {pass}})
	}
	for _, tc := range []struct {
		login, pass string
		status      int
		body        string
	}{
		{DemoTwoFactorLogin, DemoPassword, http.StatusOK, `"twoFactorRequired":true`},
		{DemoCaptchaLogin, "anything", http.StatusForbidden, `"captchaRequired":true`},
	} {
		resp, body := login(newBrowser(t, ca), tc.login, tc.pass)
		if resp.StatusCode != tc.status || !strings.Contains(body, tc.body) {
			t.Errorf("%s: %d %s, want %d with %s", tc.login, resp.StatusCode, body, tc.status, tc.body)
		}
	}
	b := newBrowser(t, ca)
	if resp, body := login(b, DemoLinkedLogin, DemoPassword); resp.StatusCode != http.StatusOK || !strings.Contains(body, `"goTo"`) {
		t.Fatalf("linked login: %d %s", resp.StatusCode, body)
	}
	signInChain(t, e, b)
	resp, body := b.do("GET", e.SynergiaURL()+"/gateway/api/2.0/Auth/TokenInfo", nil)
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, `"Request is denied"`) || strings.Contains(body, `"Code"`) {
		t.Fatalf("linked TokenInfo: %d %s, want 401 Request is denied without a Code", resp.StatusCode, body)
	}
}

// signInChain walks the grant from 2FA by hand, the landing page
// included, and returns its URL.
func signInChain(t *testing.T, e *Emulator, b *browser) string {
	t.Helper()
	next := e.APIURL() + "/OAuth/Authorization/2FA?client_id=46"
	for range 10 {
		u, _ := url.Parse(next)
		resp, _ := b.do("GET", next, nil)
		loc := resp.Header.Get("Location")
		if loc == "" {
			return next
		}
		n, err := u.Parse(loc)
		if err != nil {
			t.Fatalf("chain: bad Location %q", loc)
		}
		next = n.String()
	}
	t.Fatal("chain too long")
	return ""
}
