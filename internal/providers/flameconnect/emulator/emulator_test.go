package emulator_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/setupwizard/setupwizard/internal/loopback"
	"github.com/setupwizard/setupwizard/internal/providers/flameconnect/emulator"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

const clientID = "1af761dc-085a-411f-9cb9-53e5e2115bd2"

type harness struct {
	t      *testing.T
	e      *emulator.Emulator
	client *http.Client
}

func start(t *testing.T) *harness {
	t.Helper()
	ca, err := loopback.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	e, err := emulator.Start(ca)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	return &harness{t: t, e: e, client: provider.Options{RootCAs: ca.Pool, Timeout: time.Minute}.Client(nil)}
}

func (h *harness) do(method, u, body string, header map[string]string) (*http.Response, string) {
	h.t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := h.client.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// page is one authorize page: its settings and cookies as Set-Cookie gave them.
type page struct {
	csrf, tx   string
	authURL    string
	pageViewID string
	cookies    map[string]string
}

var settingsRE = regexp.MustCompile(`var SETTINGS = (\{.*\});`)

func (h *harness) openPage(verifier string) page {
	h.t.Helper()
	sum := sha256.Sum256([]byte(verifier))
	q := url.Values{
		"client_id": {clientID}, "response_type": {"code"}, "redirect_uri": {"msal" + clientID + "://auth"},
		"scope": {"openid offline_access"}, "state": {"st"}, "code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])},
		"code_challenge_method": {"S256"},
	}
	authURL := h.e.URL() + "/" + emulator.Tenant + "/" + strings.ToLower(emulator.Policy) + "/oauth2/v2.0/authorize?" + q.Encode()
	resp, body := h.do("GET", authURL, "", nil)
	if resp.StatusCode != 200 {
		h.t.Fatalf("authorize: %d", resp.StatusCode)
	}
	m := settingsRE.FindStringSubmatch(body)
	if m == nil {
		h.t.Fatal("no SETTINGS on the page")
	}
	var s struct{ CSRF, TransID, PageViewID string }
	if err := json.Unmarshal([]byte(m[1]), &s); err != nil {
		h.t.Fatal(err)
	}
	p := page{csrf: s.CSRF, tx: s.TransID, authURL: authURL, pageViewID: s.PageViewID, cookies: map[string]string{}}
	h.merge(p, resp)
	return p
}

func (h *harness) merge(p page, resp *http.Response) {
	for _, line := range resp.Header.Values("Set-Cookie") {
		kv, _, _ := strings.Cut(line, ";")
		k, v, _ := strings.Cut(kv, "=")
		p.cookies[k] = v
	}
}

func (p page) cookieHeader(quote bool) string {
	var parts []string
	for k, v := range p.cookies {
		if quote {
			v = `"` + v + `"`
		}
		parts = append(parts, k+"="+v)
	}
	return strings.Join(parts, "; ")
}

// xhrHeaders are SelfAsserted's headers as docs/flameconnect.md lists them.
func (h *harness) xhrHeaders(p page, quote bool) map[string]string {
	return map[string]string{
		"X-CSRF-TOKEN": p.csrf, "X-Requested-With": "XMLHttpRequest", "Cookie": p.cookieHeader(quote),
		"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8", "Referer": p.authURL,
		"Origin": h.e.URL(), "Accept": "application/json, text/javascript, */*; q=0.01",
	}
}

func (h *harness) selfAssertedWith(p page, password string, header map[string]string) (*http.Response, string) {
	base := h.e.URL() + "/" + emulator.Tenant + "/" + emulator.Policy + "/"
	return h.do("POST", base+"SelfAsserted?tx="+p.tx+"&p="+emulator.Policy,
		"request_type=RESPONSE&email="+url.QueryEscape(emulator.DemoEmail)+"&password="+url.QueryEscape(password), header)
}

func (h *harness) selfAsserted(p page, password string, quote bool) (*http.Response, string) {
	return h.selfAssertedWith(p, password, h.xhrHeaders(p, quote))
}

// signIn walks the whole flow by hand and returns the code.
func (h *harness) signIn(verifier string) string {
	h.t.Helper()
	p := h.openPage(verifier)
	resp, body := h.selfAsserted(p, emulator.DemoPassword, false)
	if body != "{\"status\":\"200\"}\n" {
		h.t.Fatalf("SelfAsserted: %d %s", resp.StatusCode, body)
	}
	h.merge(p, resp)
	base := h.e.URL() + "/" + emulator.Tenant + "/" + emulator.Policy + "/"
	resp, _ = h.do("GET", base+"api/"+emulator.API+"/confirmed?rememberMe=false&csrf_token="+p.csrf+"&tx="+p.tx+"&p="+emulator.Policy, "", map[string]string{"Cookie": p.cookieHeader(false)})
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(loc, "/") {
		h.t.Fatalf("confirmed: %d %q, want a relative redirect", resp.StatusCode, loc)
	}
	resp, _ = h.do("GET", h.e.URL()+loc, "", nil)
	final, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || final.Scheme != "msal"+clientID || final.Query().Get("state") != "st" {
		h.t.Fatalf("final redirect %q", resp.Header.Get("Location"))
	}
	return final.Query().Get("code")
}

func (h *harness) token(form url.Values) (int, map[string]any) {
	resp, body := h.do("POST", h.e.URL()+"/"+emulator.Tenant+"/"+strings.ToLower(emulator.Policy)+"/oauth2/v2.0/token",
		form.Encode(), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	var out map[string]any
	_ = json.Unmarshal([]byte(body), &out)
	return resp.StatusCode, out
}

func TestB2CShapedPageAndCookies(t *testing.T) {
	h := start(t)
	p := h.openPage("v")
	if !strings.ContainsAny(p.csrf, "+") || !strings.Contains(p.csrf, "/") || !strings.HasSuffix(p.csrf, "=") {
		t.Errorf("csrf %q should hold + / =", p.csrf)
	}
	if !strings.HasPrefix(p.tx, "StateProperties=") {
		t.Errorf("transId %q", p.tx)
	}
	for _, name := range []string{"x-ms-cpim-csrf", "x-ms-cpim-trans"} {
		if v := p.cookies[name]; !strings.Contains(v, "+") || !strings.Contains(v, "/") || !strings.Contains(v, "=") {
			t.Errorf("cookie %s = %q should hold + / =", name, v)
		}
	}
}

func TestQuotedCookiesAreRejected(t *testing.T) {
	h := start(t)
	p := h.openPage("v")
	if resp, _ := h.selfAsserted(p, emulator.DemoPassword, true); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("quoted cookies: %d, want 400", resp.StatusCode)
	}
	if _, body := h.selfAsserted(p, emulator.DemoPassword, false); !strings.Contains(body, `"status":"200"`) {
		t.Fatalf("verbatim cookies: %s", body)
	}
}

func TestWrongPasswordAnswer(t *testing.T) {
	h := start(t)
	resp, body := h.selfAsserted(h.openPage("v"), "nope", false)
	if resp.StatusCode != 200 || !strings.Contains(body, `"status":"400"`) || !strings.Contains(body, "AADB2C90053") {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
}

func TestTokenEndpointChecksPKCEAndRevocation(t *testing.T) {
	h := start(t)
	h.e.SetAccessTokenLifetime(2 * time.Minute)
	redirect := "msal" + clientID + "://auth"
	code := h.signIn("the-verifier")
	status, out := h.token(url.Values{"grant_type": {"authorization_code"}, "code": {code}, "client_id": {clientID}, "redirect_uri": {redirect}, "code_verifier": {"wrong"}})
	if status != 400 || out["error"] != "invalid_grant" {
		t.Fatalf("wrong verifier: %d %v", status, out)
	}
	code = h.signIn("the-verifier")
	status, out = h.token(url.Values{"grant_type": {"authorization_code"}, "code": {code}, "client_id": {clientID}, "redirect_uri": {redirect}, "code_verifier": {"the-verifier"}, "scope": {"openid offline_access"}, "client_info": {"1"}})
	if status != 200 {
		t.Fatalf("good verifier: %d %v", status, out)
	}
	if out["expires_in"] != float64(120) || out["client_info"] == nil {
		t.Errorf("token answer %v", out)
	}
	idt, _ := out["id_token"].(string)
	parts := strings.Split(idt, ".")
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	if len(parts) != 3 || !strings.Contains(string(payload), `"emails":["demo@example.com"]`) {
		t.Errorf("id token payload %s", payload)
	}
	rt, _ := out["refresh_token"].(string)
	refresh := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {clientID}}
	if status, out := h.token(refresh); status != 200 {
		t.Fatalf("refresh: %d %v", status, out)
	}
	h.e.Expire()
	status, out = h.token(refresh)
	if desc, _ := out["error_description"].(string); status != 400 || out["error"] != "invalid_grant" || !strings.Contains(desc, "AADB2C90080") {
		t.Fatalf("after revoke: %d %v", status, out)
	}
}

func TestRequestsAreRecorded(t *testing.T) {
	h := start(t)
	h.selfAsserted(h.openPage("v"), "s3cret+", false)
	reqs := h.e.Log()
	if len(reqs) != 2 || reqs[1].Method != "POST" || !reqs[1].Contains("s3cret+") || reqs[0].Contains("s3cret+") {
		t.Fatalf("recorded %+v", reqs)
	}
	h.e.ResetRequests()
	if len(h.e.Log()) != 0 {
		t.Fatal("reset kept requests")
	}
}

func TestSlowFaultHangsUntilTheClientGivesUp(t *testing.T) {
	h := start(t)
	h.e.SetFault(emulator.FaultSlow)
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", h.e.Authority()+"/v2.0/.well-known/openid-configuration", nil)
	done := make(chan error, 1)
	go func() {
		resp, err := h.client.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	if path := <-h.e.Hanging(); !strings.HasSuffix(path, "openid-configuration") {
		t.Fatalf("hanging %q", path)
	}
	cancel()
	if err := <-done; err == nil {
		t.Fatal("a hanging request answered")
	}
}

func TestMetadataPointsAtTheAuthorityHost(t *testing.T) {
	h := start(t)
	_, body := h.do("GET", strings.ToLower(h.e.Authority())+"/v2.0/.well-known/openid-configuration", "", nil)
	var md map[string]any
	if err := json.Unmarshal([]byte(body), &md); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"issuer", "authorization_endpoint", "token_endpoint"} {
		if s, _ := md[k].(string); !strings.HasPrefix(s, h.e.URL()+"/") {
			t.Errorf("%s = %q", k, s)
		}
	}
}

// SelfAsserted checks every header docs/flameconnect.md says clients send: a
// request missing or changing any one is answered with a page, not JSON.
func TestSelfAssertedChecksXHRHeaders(t *testing.T) {
	h := start(t)
	changes := map[string]string{
		"Referer":          "https://127.0.0.1/somewhere/else",
		"Origin":           "https://127.0.0.2",
		"Accept":           "*/*",
		"Content-Type":     "application/x-www-form-urlencoded",
		"X-CSRF-TOKEN":     "bm9wZQ==",
		"X-Requested-With": "",
	}
	for name, value := range changes {
		p := h.openPage("v")
		header := h.xhrHeaders(p, false)
		header[name] = value
		if _, body := h.selfAssertedWith(p, emulator.DemoPassword, header); !strings.HasPrefix(body, "<!DOCTYPE html>") {
			t.Errorf("%s = %q: answered %q, want the rejection page", name, value, body)
		}
	}
	p := h.openPage("v")
	if _, body := h.selfAssertedWith(p, emulator.DemoPassword, h.xhrHeaders(p, false)); !strings.Contains(body, `"status":"200"`) {
		t.Fatalf("the documented headers: %s", body)
	}
}

// With isPageViewIdSentWithHeader true, SelfAsserted wants the page view id.
func TestSelfAssertedPageViewIDVariant(t *testing.T) {
	h := start(t)
	h.e.SetVariant(emulator.Variant{PageViewIDHeader: true})
	p := h.openPage("v")
	if _, body := h.selfAsserted(p, emulator.DemoPassword, false); !strings.HasPrefix(body, "<!DOCTYPE html>") {
		t.Fatalf("without x-ms-cpim-pageviewid: %s", body)
	}
	header := h.xhrHeaders(p, false)
	header["x-ms-cpim-pageviewid"] = p.pageViewID
	if _, body := h.selfAssertedWith(p, emulator.DemoPassword, header); !strings.Contains(body, `"status":"200"`) {
		t.Fatalf("with x-ms-cpim-pageviewid: %s", body)
	}
}

// redeem signs in by hand and redeems the code: the token answer.
func (h *harness) redeem() map[string]any {
	h.t.Helper()
	code := h.signIn("the-verifier")
	status, out := h.token(url.Values{"grant_type": {"authorization_code"}, "code": {code}, "client_id": {clientID},
		"redirect_uri": {"msal" + clientID + "://auth"}, "code_verifier": {"the-verifier"}, "scope": {"openid offline_access"}})
	if status != 200 {
		h.t.Fatalf("token: %d %v", status, out)
	}
	return out
}

func bearer(v string) provider.Credential {
	return provider.Credential{Kind: "token", Type: "Bearer", Value: v}
}

// The API accepts exactly the access tokens the token endpoint issued,
// until they expire; a revoked grant does not end them (as on B2C).
func TestAPIChecksBearerTokens(t *testing.T) {
	h := start(t)
	access, _ := h.redeem()["access_token"].(string)
	if err := h.e.CheckCredential(bearer(access)); err != nil {
		t.Fatalf("issued token refused: %v", err)
	}
	h.e.Expire()
	if err := h.e.CheckCredential(bearer(access)); err != nil {
		t.Fatalf("a revoked grant ended the access token: %v", err)
	}
	forged := access[:len(access)-4] + "AAAA"
	tests := map[string]provider.Credential{
		"forged signature": bearer(forged),
		"id token":         bearer(h.redeem()["id_token"].(string)),
		"empty":            bearer(""),
		"cookie kind":      {Kind: "cookie", Type: "Cookie", Value: access},
	}
	for name, cred := range tests {
		if err := h.e.CheckCredential(cred); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	resp, body := h.do("GET", h.e.URL()+"/api/Fires/GetFires", "", nil)
	if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("WWW-Authenticate") == "" {
		t.Fatalf("without a token: %d %s", resp.StatusCode, body)
	}
}

// The shared interface: counts, hang and latency, demo account, env.
func TestSharedEmulatorInterface(t *testing.T) {
	ca, err := loopback.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	pe, err := emulator.StartEmulator(ca)
	if err != nil {
		t.Fatal(err)
	}
	defer pe.Close()
	e := pe.(*emulator.Emulator)
	if login, pw := pe.Demo(); login != emulator.DemoEmail || pw != emulator.DemoPassword {
		t.Errorf("Demo() = %q, %q", login, pw)
	}
	if got := pe.Env()[emulator.EnvAuthority]; got != e.Authority() {
		t.Errorf("Env = %q", got)
	}
	h := &harness{t: t, e: e, client: provider.Options{RootCAs: ca.Pool, Timeout: time.Minute}.Client(nil)}
	pe.ResetRequests()
	h.openPage("v")
	h.do("GET", e.ForeignURL(), "", nil)
	if n := pe.Requests(); n != 2 {
		t.Errorf("Requests() = %d, want 2", n)
	}
	pe.ResetRequests()
	if n := pe.Requests(); n != 0 {
		t.Errorf("after reset: %d", n)
	}

	pe.SetHang(true)
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", e.Authority()+"/v2.0/.well-known/openid-configuration", nil)
	done := make(chan error, 1)
	go func() {
		resp, err := h.client.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	<-e.Hanging()
	cancel()
	if err := <-done; err == nil {
		t.Fatal("a hanging request answered")
	}
	pe.SetHang(false)

	pe.SetLatency(50 * time.Millisecond)
	start := time.Now()
	if resp, _ := h.do("GET", e.Authority()+"/v2.0/.well-known/openid-configuration", "", nil); resp.StatusCode != 200 {
		t.Fatalf("with latency: %d", resp.StatusCode)
	}
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Errorf("answered after %v, want >= 50ms", d)
	}
	pe.SetLatency(0)
}

// Impersonate makes the token endpoint vouch for another account.
func TestImpersonateLiesAboutIdentity(t *testing.T) {
	h := start(t)
	oid := func(out map[string]any) string {
		idt, _ := out["id_token"].(string)
		raw, _ := base64.RawURLEncoding.DecodeString(strings.Split(idt, ".")[1])
		var c struct{ Oid string }
		_ = json.Unmarshal(raw, &c)
		return c.Oid
	}
	honest := oid(h.redeem())
	h.e.AddAccount("other@example.com", "x")
	h.e.Impersonate(emulator.DemoEmail, "other@example.com")
	lied := oid(h.redeem())
	if lied == "" || lied == honest {
		t.Fatalf("oid %q, honest %q", lied, honest)
	}
	h.e.Impersonate(emulator.DemoEmail, "")
	if got := oid(h.redeem()); got != honest {
		t.Fatalf("after the lie ended: %q, want %q", got, honest)
	}
}
