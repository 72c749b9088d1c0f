package librus

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/setupwizard/setupwizard/internal/providers/librus/emulator"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

func TestValidateSuccess(t *testing.T) {
	r := newRig(t)
	r.em.AddUser("Nameless9U", "s3cret-pass", "", "")
	tests := []struct {
		name                   string
		in                     provider.Input
		uniqueID, title, login string
	}{
		{"demo user with a name", demoInput(), "1234567u", "Anna Kowalska", emulator.DemoLogin},
		{"no name, mixed case", provider.Input{FieldUsername: " Nameless9U ", FieldPassword: "s3cret-pass"}, "nameless9u", "Nameless9U", "Nameless9U"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			var steps []provider.Progress
			acc, err := r.p.Validate(context.Background(), tc.in, func(p provider.Progress) {
				mu.Lock()
				defer mu.Unlock()
				steps = append(steps, p)
			})
			if err != nil {
				t.Fatalf("Validate: %v", err)
			}
			if acc.UniqueID != tc.uniqueID || acc.Title != tc.title || acc.Login != tc.login {
				t.Errorf("account = %q/%q/%q, want %q/%q/%q", acc.UniqueID, acc.Title, acc.Login, tc.uniqueID, tc.title, tc.login)
			}
			var want []provider.Progress
			for i, k := range []string{"init", "login", "grant", "token_info", "user_info"} {
				want = append(want, provider.Progress{Step: i + 1, Total: 5, Key: k})
			}
			if len(steps) != len(want) {
				t.Fatalf("progress = %v, want %v", steps, want)
			}
			for i := range want {
				if steps[i] != want[i] {
					t.Errorf("progress[%d] = %v, want %v", i, steps[i], want[i])
				}
			}
			s, err := ParseSession(acc.Cache)
			if err != nil {
				t.Fatalf("cache: %v", err)
			}
			if s.UserIdentifier == "" || s.ObtainedAt.IsZero() {
				t.Errorf("session = %+v", s)
			}
			have := map[string]Cookie{}
			for _, c := range s.Cookies {
				have[c.Name] = c
			}
			synHost := strings.Split(strings.TrimPrefix(r.em.SynergiaURL(), "https://"), ":")[0]
			for _, name := range []string{"oauth_token", "DZIENNIKSID", "SDZIENNIKSID"} {
				if c, ok := have[name]; !ok || c.Domain != synHost {
					t.Errorf("cookie %s = %+v, want one for %s", name, c, synHost)
				}
			}
			if c := have["oauth_token"]; c.Expires == nil {
				t.Errorf("oauth_token has no expiry: %+v", c)
			}
			if c := have["DeviceCookie"]; c.Path != "/OAuth" || c.Domain != "127.0.0.1" {
				t.Errorf("DeviceCookie = %+v, want path /OAuth on the API host", c)
			}
			for _, secret := range []string{tc.in[FieldPassword], strings.TrimSpace(tc.in[FieldUsername])} {
				if strings.Contains(strings.ToLower(string(acc.Cache)), strings.ToLower(secret)) {
					t.Errorf("cache holds %q", secret)
				}
			}
		})
	}
}

// TestValidateErrors drives every error key through the emulator, then
// resubmits with the same Provider value and expects success.
func TestValidateErrors(t *testing.T) {
	r := newRig(t)
	wrongPass := provider.Input{FieldUsername: emulator.DemoLogin, FieldPassword: "wrong"}
	tests := []struct {
		name   string
		fault  emulator.Fault
		path   string // fault only on this path prefix
		in     provider.Input
		key    string
		field  string
		noReqs bool
		cause  string // in the cause: proves which step failed
	}{
		{name: "wrong password", in: wrongPass, key: "invalid_auth"},
		{name: "unknown login", in: provider.Input{FieldUsername: "9999999u", FieldPassword: "x"}, key: "invalid_auth"},
		{name: "captcha", fault: emulator.FaultCaptcha, key: "captcha_needed"},
		{name: "expired account", fault: emulator.FaultExpiredAccount, key: "account_action_required"},
		{name: "maintenance 503 everywhere", fault: emulator.FaultMaintenance, key: "cannot_connect"},
		{name: "maintenance 503 on login", fault: emulator.FaultMaintenance, path: "POST /OAuth/Authorization", in: wrongPass, key: "cannot_connect", cause: "login: "},
		{name: "maintenance 503 on TokenInfo", fault: emulator.FaultMaintenance, path: "/gateway/api/2.0/Auth/TokenInfo", key: "cannot_connect", cause: "token info: "},
		{name: "maintenance 503 on UserInfo", fault: emulator.FaultMaintenance, path: "/gateway/api/2.0/Auth/UserInfo", key: "cannot_connect", cause: "user info: "},
		{name: "maintenance redirect", fault: emulator.FaultMaintenanceRedirect, key: "cannot_connect"},
		{name: "maintenance redirect in grant", fault: emulator.FaultMaintenanceRedirect, path: "/OAuth/Authorization/PerformLogin", key: "cannot_connect", cause: "grant: "},
		{name: "server error", fault: emulator.FaultServerError, key: "cannot_connect"},
		// Librus blocks some networks: a 403 page is not a changed service.
		{name: "blocked network", fault: emulator.FaultBlocked, key: "cannot_connect", cause: "init: "},
		{name: "blocked login", fault: emulator.FaultBlocked, path: "POST /OAuth/Authorization", in: wrongPass, key: "cannot_connect", cause: "login: "},
		{name: "blocked gateway", fault: emulator.FaultBlocked, path: "/gateway/", key: "cannot_connect", cause: "token info: "},
		{name: "blocked grant hop", fault: emulator.FaultBlocked, path: "/OAuth/Authorization/PerformLogin", key: "cannot_connect", cause: "grant: "},
		{name: "server error on gateway", fault: emulator.FaultServerError, path: "/gateway/", key: "cannot_connect", cause: "token info: "},
		{name: "slow", fault: emulator.FaultSlow, key: "timeout"},
		{name: "slow UserInfo", fault: emulator.FaultSlow, path: "/gateway/api/2.0/Auth/UserInfo", key: "timeout", cause: "user info: "},
		{name: "no UserIdentifier", fault: emulator.FaultNoUserIdentifier, key: "service_changed", cause: "UserIdentifier"},
		{name: "gateway not JSON", fault: emulator.FaultBadJSON, key: "service_changed"},
		{name: "UserInfo not JSON", fault: emulator.FaultBadJSON, path: "/gateway/api/2.0/Auth/UserInfo", key: "service_changed", cause: "user info: "},
		{name: "off-host redirect", fault: emulator.FaultOffHostRedirect, key: "unknown", cause: "outside the configured https hosts"},
		{name: "redirect loop", fault: emulator.FaultRedirectLoop, key: "unknown", cause: "loop"},
		{name: "too many hops", fault: emulator.FaultLongRedirectChain, key: "unknown", cause: "too many redirects (more than 10)"},
		{name: "e-mail as login", in: provider.Input{FieldUsername: "rodzic@example.com", FieldPassword: "x"}, key: "email_not_login", field: "username", noReqs: true},
	}
	// The slow cases get a short timeout of their own; the rest keep a
	// generous one so a loaded machine cannot turn them into timeouts.
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			if in == nil {
				in = demoInput()
			}
			p := r.p
			if tc.fault == emulator.FaultSlow {
				p = New(r.options(time.Second))
			}
			r.em.ResetRequests()
			r.em.SetFaultOn(tc.fault, tc.path)
			acc, err := p.Validate(context.Background(), in, nil)
			r.em.SetFault(emulator.FaultNone)
			if acc != nil {
				t.Fatalf("got an account despite the fault")
			}
			var pe *provider.Error
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v (%T), want *provider.Error", err, err)
			}
			if pe.Key != tc.key || pe.Field != tc.field {
				t.Errorf("err = %v, want key %q field %q", err, tc.key, tc.field)
			}
			if pe.Err == nil || !strings.Contains(pe.Err.Error(), tc.cause) {
				t.Errorf("cause = %v, want it to mention %q", pe.Err, tc.cause)
			}
			if n := len(r.em.Log()); tc.noReqs && n != 0 {
				t.Errorf("%d requests sent, want none", n)
			}
			if strings.Contains(err.Error(), in[FieldPassword]) && len(in[FieldPassword]) > 1 {
				t.Errorf("error text holds the password: %v", err)
			}
			// Resubmit with the same Provider value. A slow case's value gets
			// the generous timeout back first (as a user raising --timeout
			// would), so machine load cannot fail the resubmit.
			p.opts.Timeout = testTimeout
			acc, err = p.Validate(context.Background(), demoInput(), nil)
			if err != nil || acc == nil || acc.UniqueID != "1234567u" {
				t.Fatalf("resubmit: %v, %+v", err, acc)
			}
		})
	}
}

func TestValidateConnectionRefused(t *testing.T) {
	r := newRig(t)
	opts := r.options(testTimeout)
	_ = r.em.Close()
	_, err := New(opts).Validate(context.Background(), demoInput(), nil)
	if errKey(err) != "cannot_connect" {
		t.Fatalf("err = %v, want cannot_connect", err)
	}
}

func TestValidateCancel(t *testing.T) {
	r := newRig(t)
	r.p = New(r.options(provider.DefaultTimeout))
	r.em.SetFault(emulator.FaultSlow)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := r.p.Validate(ctx, demoInput(), nil)
		done <- err
	}()
	<-r.em.Hanging()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) || errKey(err) != "" {
		t.Fatalf("err = %v, want context.Canceled itself", err)
	}
	// An already cancelled context sends nothing at all.
	r.em.ResetRequests()
	if _, err := r.p.Validate(ctx, demoInput(), nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if n := len(r.em.Log()); n != 0 {
		t.Errorf("%d requests after cancel", n)
	}
}

// TestValidateBadOverride: a non-https host override is refused before
// anything is sent.
func TestValidateBadOverride(t *testing.T) {
	for _, v := range []string{"http://api.librus.pl", "ftp://x", "https://", "https://user:pw@api.librus.pl", "::"} {
		p := New(provider.Options{Getenv: func(k string) string {
			if k == EnvAPIURL {
				return v
			}
			return ""
		}})
		_, err := p.Validate(context.Background(), demoInput(), nil)
		if errKey(err) != "unknown" || strings.Contains(err.Error(), "pw") {
			t.Errorf("%q: err = %v, want unknown without credentials", v, err)
		}
		if _, err := p.Check(context.Background(), []byte(`{}`)); err == nil {
			t.Errorf("%q: Check accepted", v)
		}
	}
}

// TestPasswordOnlyInLoginBody: the password travels in one place, the
// login POST's body to the API host, and nowhere else.
func TestPasswordOnlyInLoginBody(t *testing.T) {
	r := newRig(t)
	const pass = "Pa55-unique-w0rd"
	r.em.AddUser("7654321u", pass, "Jan", "Nowak")
	for _, in := range []provider.Input{
		{FieldUsername: "7654321u", FieldPassword: pass},         // success
		{FieldUsername: emulator.DemoLogin, FieldPassword: pass}, // rejected
	} {
		r.em.ResetRequests()
		acc, err := r.validate(t, in)
		if err != nil && errKey(err) != "invalid_auth" {
			t.Fatal(err)
		}
		if err != nil && strings.Contains(err.Error(), pass) {
			t.Errorf("error holds the password")
		}
		if acc != nil && strings.Contains(string(acc.Cache), pass) {
			t.Errorf("cache holds the password")
		}
		inBody := 0
		for _, q := range r.em.Log() {
			isLogin := q.Server == "api" && q.Method == http.MethodPost && q.Path == "/OAuth/Authorization"
			if strings.Contains(q.Body, pass) {
				if !isLogin {
					t.Errorf("password in the body of %s %s %s", q.Server, q.Method, q.Path)
				}
				inBody++
			}
			for k, vs := range q.Header {
				for _, v := range vs {
					if strings.Contains(v, pass) {
						t.Errorf("password in header %s of %s %s", k, q.Method, q.Path)
					}
				}
			}
			if strings.Contains(q.Path+"?"+q.RawQuery+q.Host, pass) {
				t.Errorf("password in the URL of %s %s", q.Method, q.Path)
			}
		}
		if inBody != 1 {
			t.Errorf("password sent in %d bodies, want exactly the login POST", inBody)
		}
	}
}

// TestFailedAttemptCookiesDiscarded: cookies a failed attempt collected
// (here all the way to a synergia session) never reach the next attempt.
func TestFailedAttemptCookiesDiscarded(t *testing.T) {
	r := newRig(t)
	r.em.SetFaultOn(emulator.FaultMaintenance, "/gateway/api/2.0/Auth/UserInfo")
	if _, err := r.validate(t, demoInput()); errKey(err) != "cannot_connect" {
		t.Fatalf("failing attempt: %v", err)
	}
	r.em.SetFault(emulator.FaultNone)
	var values []string
	for _, q := range r.em.Log() {
		for _, sc := range q.SetCookie {
			if c, err := http.ParseSetCookie(sc); err == nil && c.Value != "" {
				values = append(values, c.Value)
			}
		}
	}
	if len(values) < 6 {
		t.Fatalf("failing attempt got only %d cookies; the test needs a session", len(values))
	}
	r.em.ResetRequests()
	if _, err := r.validate(t, demoInput()); err != nil {
		t.Fatal(err)
	}
	reqs := r.em.Log()
	if c := reqs[0].Header.Get("Cookie"); c != "" {
		t.Errorf("first request of a new attempt sends cookies: %d bytes", len(c))
	}
	for _, q := range reqs {
		cookie := strings.Join(q.Header.Values("Cookie"), ";")
		for _, v := range values {
			if strings.Contains(cookie, v) {
				t.Errorf("%s %s carries a cookie from the failed attempt", q.Method, q.Path)
			}
		}
	}
}

// TestAuthorizePageFetchedOnce: a client that fetched the authorize page
// twice would land on invalid_request; ours fetches it once, and when the
// page is fetched twice anyway (here by a meddling transport) the result
// is unknown, not invalid_auth.
func TestAuthorizePageFetchedOnce(t *testing.T) {
	r := newRig(t)
	if _, err := r.validate(t, demoInput()); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, q := range r.em.Log() {
		if q.Method == http.MethodGet && q.Path == "/OAuth/Authorization" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("authorize page fetched %d times", n)
	}
	opts := r.options(testTimeout)
	opts.Wrap = func(rt http.RoundTripper) http.RoundTripper { return doubleAuthorize{rt} }
	_, err := New(opts).Validate(context.Background(), demoInput(), nil)
	if errKey(err) != "unknown" || !strings.Contains(err.Error(), "invalid_request") {
		t.Fatalf("err = %v, want unknown (invalid_request)", err)
	}
}

// doubleAuthorize fetches the authorize page a second time behind the
// client's back.
type doubleAuthorize struct{ rt http.RoundTripper }

func (d doubleAuthorize) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method == http.MethodGet && req.URL.Path == "/OAuth/Authorization" {
		resp, err := d.rt.RoundTrip(req.Clone(req.Context()))
		if err != nil {
			return nil, err
		}
		_ = resp.Body.Close()
	}
	return d.rt.RoundTrip(req)
}

// TestSignInRequestCount pins the cost of one sign-in: 2 (init) + 1
// (login) + 5 (grant chain, walked to its end) + 2 (gateway) requests.
func TestSignInRequestCount(t *testing.T) {
	r := newRig(t)
	if _, err := r.validate(t, demoInput()); err != nil {
		t.Fatal(err)
	}
	reqs := r.em.Log()
	var paths []string
	for _, q := range reqs {
		paths = append(paths, q.Server+" "+q.Method+" "+q.Path)
	}
	if len(reqs) != 10 {
		t.Errorf("%d requests, want 10:\n%s", len(reqs), strings.Join(paths, "\n"))
	}
	t.Logf("one sign-in: %d requests\n%s", len(reqs), strings.Join(paths, "\n"))
}
