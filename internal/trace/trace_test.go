package trace

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// Values the trace must never show.
const (
	password   = `p@ss w0rd&code=+/"<é>`
	csrf       = "Q1NSRi1WQUxVRQ+/x=="
	transID    = "StateProperties=eyJUSUQiOiIxMjM0NTY3OC1hYmNkIn0"
	transCk    = "dHJhbnMtY29va2ll+/Zz=="
	cacheCk    = "Y2FjaGUtY29va2ll/+q="
	authCode   = "AUTHCODEeyQ9z-123"
	state      = "STATEvalue987"
	verifier   = "VERIFIERabcdefghijklmnopqrstuvwxyz0123456"
	challenge  = "CHALLENGEqwertyuiop"
	refreshTok = "REFRESHopaqueToken42"
	accessJWT  = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyIn0.QUNDRVNTU0lH"
	idJWT      = "eyJhbGciOiJSUzI1NiJ9.eyJlbWFpbHMiOlsidUB4LmNvbSJdfQ.SURTSUc"
	email      = "user@example.com"
	redirect   = "msal1af761dc-085a-411f-9cb9-53e5e2115bd2://auth"
)

var b2cPage = `<html><script>var SETTINGS = {"api":"CombinedSigninAndSignup","csrf":"` + csrf +
	`","transId":"` + transID + `","hosts":{"policy":"B2C_1A_Test"}};</script></html>`

var tokenAnswer = `{"access_token":"` + accessJWT + `","id_token":"` + idJWT + `","refresh_token":"` + refreshTok +
	`","token_type":"Bearer","expires_in":3600}`

// b2c is a B2C-shaped server. It records what it received so the test can
// check the trace did not alter requests.
type b2c struct {
	mu       sync.Mutex
	password string
	verifier string
}

func (s *b2c) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/authorize":
		http.SetCookie(w, &http.Cookie{Name: "x-ms-cpim-trans", Value: transCk, Path: "/", Secure: true, HttpOnly: true})
		w.Header().Add("Set-Cookie", "x-ms-cpim-cache|abc_0="+cacheCk+"; path=/; SameSite=None; secure")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, b2cPage)
	case "/SelfAsserted":
		if err := r.ParseForm(); err != nil || r.Header.Get("X-CSRF-TOKEN") != csrf {
			http.Error(w, "bad", http.StatusBadRequest)
			return
		}
		s.mu.Lock()
		s.password = r.PostForm.Get("password")
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		// A hostile echo: the password comes back JSON-escaped in a field
		// whose name says nothing.
		echo, _ := json.Marshal(map[string]string{"status": "400", "message": "bad login for " + r.PostForm.Get("password")})
		w.Write(echo)
	case "/confirmed":
		w.Header().Set("Location", redirect+"?code="+authCode+"&state="+state)
		w.WriteHeader(http.StatusFound)
	case "/token":
		if err := r.ParseForm(); err != nil {
			http.Error(w, "bad", http.StatusBadRequest)
			return
		}
		s.mu.Lock()
		s.verifier = r.PostForm.Get("code_verifier")
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		io.WriteString(w, tokenAnswer)
	case "/big":
		w.Header().Set("Content-Type", "text/plain")
		w.Write(bigBody())
	case "/gzip":
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		io.WriteString(zw, "refresh_token="+refreshTok)
		zw.Close()
	default:
		http.NotFound(w, r)
	}
}

// bigBody is longer than MaxBody with the password straddling the cut.
func bigBody() []byte {
	b := bytes.Repeat([]byte("x"), MaxBody-3)
	b = append(b, password...)
	return append(b, bytes.Repeat([]byte("y"), 1000)...)
}

// newServer starts s over TLS with its error log silenced (closing it
// mid-handshake is part of the tests).
func newServer(s http.Handler) *httptest.Server {
	srv := httptest.NewUnstartedServer(s)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	return srv
}

func newClient(t *testing.T, tr *Tracer, srv *httptest.Server) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{
		Transport:     tr.Wrap(srv.Client().Transport),
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

func do(t *testing.T, c *http.Client, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read %s: %v", req.URL.Path, err)
	}
	return resp, body
}

func newReq(t *testing.T, method, u string, body io.Reader) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func TestTraceRedactsB2CSignIn(t *testing.T) {
	emu := &b2c{}
	srv := newServer(emu)
	defer srv.Close()
	var out bytes.Buffer
	tr := New(&out)
	c := newClient(t, tr, srv)

	tr.Secret(password)
	authorize := srv.URL + "/authorize?client_id=cid&state=" + state + "&code_challenge=" + challenge + "&code_challenge_method=S256&login_hint=" + url.QueryEscape(email)
	_, page := do(t, c, newReq(t, "GET", authorize, nil))
	if string(page) != b2cPage {
		t.Errorf("caller got a changed page:\n%s", page)
	}

	form := url.Values{"request_type": {"RESPONSE"}, "email": {email}, "password": {password}}.Encode()
	req := newReq(t, "POST", srv.URL+"/SelfAsserted?tx="+transID+"&p=B2C_1A_Test", strings.NewReader(form))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
	req.Header.Set("X-CSRF-TOKEN", csrf)
	req.Header.Set("Referer", authorize)
	_, echo := do(t, c, req)
	if !strings.Contains(string(echo), `"status":"400"`) {
		t.Errorf("caller got %s", echo)
	}

	resp, _ := do(t, c, newReq(t, "GET", srv.URL+"/confirmed?rememberMe=false&csrf_token="+csrf+"&tx="+transID+"&p=B2C_1A_Test", nil))
	if want := redirect + "?code=" + authCode + "&state=" + state; resp.Header.Get("Location") != want {
		t.Errorf("caller got Location %q, want %q", resp.Header.Get("Location"), want)
	}
	tr.Forget(password)

	tokenForm := url.Values{"grant_type": {"authorization_code"}, "code": {authCode}, "code_verifier": {verifier}, "redirect_uri": {redirect}}.Encode()
	req = newReq(t, "POST", srv.URL+"/token", strings.NewReader(tokenForm))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	_, tokens := do(t, c, req)
	if string(tokens) != tokenAnswer {
		t.Errorf("caller got a changed token answer:\n%s", tokens)
	}
	tr.Note("flow failed: %v", fmt.Errorf("redeem: %w", errors.New("code "+authCode+" rejected for "+redirect+"?code="+authCode)))

	emu.mu.Lock()
	if emu.password != password || emu.verifier != verifier {
		t.Errorf("server got password %q verifier %q: the trace altered the requests", emu.password, emu.verifier)
	}
	emu.mu.Unlock()
	if err := tr.Err(); err != nil {
		t.Fatal(err)
	}

	trace := out.String()
	for _, secret := range []string{
		password, url.QueryEscape(password), jsonEscaped(password), csrf, url.QueryEscape(csrf), transID,
		"eyJUSUQiOiIxMjM0NTY3OC1hYmNkIn0", transCk, cacheCk, authCode, state, verifier, challenge,
		refreshTok, accessJWT, idJWT, "eyJhbGciOiJSUzI1NiJ9",
	} {
		if strings.Contains(trace, secret) {
			t.Errorf("trace holds secret %q", secret)
		}
	}
	for _, want := range []string{
		"GET https://127.0.0.1:", "/authorize?client_id=cid&state=[REDACTED]", "login_hint=user%40example.com",
		"POST https://", "/SelfAsserted?tx=[REDACTED]&p=B2C_1A_Test", "< HTTP/1.1 200 OK", "< HTTP/1.1 302 Found",
		"Set-Cookie: x-ms-cpim-trans=[REDACTED]; Path=/; HttpOnly; Secure",
		"Set-Cookie: x-ms-cpim-cache|abc_0=[REDACTED]; path=/; SameSite=None; secure",
		"> Cookie: x-ms-cpim-trans=[REDACTED]; x-ms-cpim-cache|abc_0=[REDACTED]",
		"> X-Csrf-Token: [REDACTED]", "email=user%40example.com", "password=[REDACTED]",
		"< Location: " + redirect + "?code=[REDACTED]&state=[REDACTED]",
		`"access_token":"[REDACTED]"`, `"refresh_token":"[REDACTED]"`, `"expires_in":3600`,
		`"csrf":"[REDACTED]"`, "note: flow failed: redeem: code",
	} {
		if !strings.Contains(trace, want) {
			t.Errorf("trace lacks %q", want)
		}
	}
	if n := strings.Count(trace, "\n=== #"); n != 4 {
		t.Errorf("trace has %d records, want 4:\n%s", n, trace)
	}
	if !regexp.MustCompile(`=== #1 \+\d+\.\d{3}s GET `).MatchString(trace) {
		t.Errorf("record header lacks its offset:\n%s", trace)
	}
	if t.Failed() {
		t.Logf("trace:\n%s", trace)
	}
}

func jsonEscaped(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}

func TestTraceBigAndCompressedBodies(t *testing.T) {
	srv := newServer(&b2c{})
	defer srv.Close()
	var out bytes.Buffer
	tr := New(&out)
	tr.Secret(password)
	defer tr.Forget(password)
	c := newClient(t, tr, srv)

	_, got := do(t, c, newReq(t, "GET", srv.URL+"/big", nil))
	if !bytes.Equal(got, bigBody()) {
		t.Errorf("caller got %d bytes, want the %d sent", len(got), len(bigBody()))
	}
	req := newReq(t, "GET", srv.URL+"/gzip", nil)
	req.Header.Set("Accept-Encoding", "gzip") // the caller decodes, so the trace sees gzip
	_, gz := do(t, c, req)
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil || string(plain) != "refresh_token="+refreshTok {
		t.Errorf("caller got %q, %v", plain, err)
	}

	trace := out.String()
	cut := fmt.Sprintf("[body cut: first %d bytes shown]", MaxBody)
	for _, want := range []string{cut, "Content-Encoding gzip, not shown]"} {
		if !strings.Contains(trace, want) {
			t.Errorf("trace lacks %q", want)
		}
	}
	// The cut falls inside the password: not even its start may show.
	if strings.Contains(trace, "x"+password[:3]) || strings.Contains(trace, "yyyy") {
		t.Errorf("trace shows the password's start or text past the cut")
	}
	if !strings.Contains(trace, "xxx\n< "+cut) {
		t.Errorf("shown body does not end where the password starts")
	}
}

func TestTraceTransportError(t *testing.T) {
	srv := newServer(&b2c{})
	u := srv.URL
	rt := srv.Client().Transport
	srv.Close()
	var out bytes.Buffer
	tr := New(&out)
	c := &http.Client{Transport: tr.Wrap(rt)}
	_, err := c.Get(u + "/x?code=" + authCode + "&p=B2C_1A_Test")
	if err == nil {
		t.Fatal("request to a closed server succeeded")
	}
	tr.Note("cause: %v", err)
	trace := out.String()
	if strings.Contains(trace, authCode) {
		t.Errorf("trace holds the code:\n%s", trace)
	}
	for _, want := range []string{"! error after ", "code=[REDACTED]&p=B2C_1A_Test", "note: cause: Get "} {
		if !strings.Contains(trace, want) {
			t.Errorf("trace lacks %q:\n%s", want, trace)
		}
	}
}

func TestTraceRequestBodyErrorReachesTransport(t *testing.T) {
	srv := newServer(&b2c{})
	defer srv.Close()
	var out bytes.Buffer
	tr := New(&out)
	c := &http.Client{Transport: tr.Wrap(srv.Client().Transport)}
	boom := errors.New("disk gone")
	req := newReq(t, "POST", srv.URL+"/token", io.MultiReader(strings.NewReader("code=abc"), errReader{boom}))
	_, err := c.Do(req)
	if !errors.Is(err, boom) {
		t.Errorf("got %v, want the body's read error", err)
	}
	if !strings.Contains(out.String(), "[body read error: disk gone]") {
		t.Errorf("trace lacks the body error:\n%s", out.String())
	}
}

func TestSecretLifetime(t *testing.T) {
	var out bytes.Buffer
	tr := New(&out)
	tr.Secret("s3cret-value")
	tr.Secret("s3cret-value")
	tr.Forget("s3cret-value")
	tr.Note("nested: s3cret-value")
	tr.Forget("s3cret-value")
	tr.Note("after: s3cret-value")
	got := out.String()
	if !strings.Contains(got, "nested: [REDACTED]") {
		t.Errorf("a still-registered secret showed:\n%s", got)
	}
	if !strings.Contains(got, "after: s3cret-value") {
		t.Errorf("a forgotten value is still redacted (the tracer kept it):\n%s", got)
	}
	if r := tr.Redact("x s3cret-value code=1"); r != "x s3cret-value code=[REDACTED]" {
		t.Errorf("Redact = %q", r)
	}
}

func TestNilTracer(t *testing.T) {
	var tr *Tracer
	rt := http.DefaultTransport
	if got := tr.Wrap(rt); got != rt {
		t.Errorf("nil Wrap returned %T, want the transport itself", got)
	}
	tr.Note("x %d", 1)
	tr.Secret("a")
	tr.Forget("a")
	if tr.Err() != nil || tr.Redact("code=1") != "code=[REDACTED]" {
		t.Error("nil tracer misbehaves")
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteErrorIsKept(t *testing.T) {
	tr := New(failWriter{})
	tr.Note("x")
	if err := tr.Err(); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("Err() = %v, want the write error", err)
	}
}

func TestTraceConcurrent(t *testing.T) {
	srv := newServer(&b2c{})
	defer srv.Close()
	var out bytes.Buffer
	tr := New(&out)
	c := newClient(t, tr, srv)
	const n = 16
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := fmt.Sprintf("pw-%d-secret", i)
			tr.Secret(s)
			defer tr.Forget(s)
			req, _ := http.NewRequest("POST", srv.URL+"/token", strings.NewReader("grant_type=x&note="+s))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			resp, err := c.Do(req)
			if err != nil {
				errs <- err
				return
			}
			b, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil || string(b) != tokenAnswer {
				errs <- fmt.Errorf("body %q, %v", b, err)
			}
			tr.Note("done %d", i)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	trace := out.String()
	if got := strings.Count(trace, "\n=== #"); got != n {
		t.Errorf("%d records, want %d", got, n)
	}
	for i := range n {
		if strings.Contains(trace, fmt.Sprintf("pw-%d-secret", i)) {
			t.Errorf("secret %d leaked", i)
		}
	}
	// Records are whole: every blank-line-separated chunk is one record
	// (or one note line, or the file header).
	for _, rec := range strings.Split(strings.TrimSpace(trace), "\n\n") {
		if strings.Count(rec, "=== #")+strings.Count(rec, "--- +") > 1 {
			t.Errorf("interleaved record:\n%s", rec)
		}
	}
}

func TestLearnedValues(t *testing.T) {
	var out bytes.Buffer
	tr := New(&out)
	r := tr.redactor()
	r.body("application/x-www-form-urlencoded", []byte("code=LEARNEDcode1&password=NOTkept99&refresh_token=a%2Bb%3D%3Dlong"), false)
	r.header(http.Header{"Set-Cookie": {"DZIENNIKSID=L1:cookievalue; Path=/"}})
	tr.Note("code LEARNEDcode1 and NOTkept99, a+b==long, L1:cookievalue")
	got := out.String()
	for _, gone := range []string{"LEARNEDcode1", "a+b==long", "cookievalue"} {
		if strings.Contains(got, gone) {
			t.Errorf("learned value %q shown: %s", gone, got)
		}
	}
	if !strings.Contains(got, "NOTkept99") {
		t.Errorf("a password field's value was remembered past its validation: %s", got)
	}
}

func TestLearnerSkipsCacheStructure(t *testing.T) {
	var out bytes.Buffer
	tr := New(&out)
	tr.redactor().body("application/json", readFixture(t, "msal_cache.json"), false)
	tr.Note("RefreshToken for uid.utid: RTSECRETvalue")
	got := out.String()
	if !strings.Contains(got, "RefreshToken for uid.utid: [REDACTED]") {
		t.Errorf("want the secret learned and the cache's names kept, got %q", got)
	}
}
