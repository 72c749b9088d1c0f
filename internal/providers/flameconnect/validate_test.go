package flameconnect

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/setupwizard/setupwizard/internal/providers/flameconnect/emulator"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

func TestValidateSignsIn(t *testing.T) {
	e, ca := startEmulator(t)
	p := providerFor(e, ca)
	var steps []provider.Progress
	in := provider.Input{FieldEmail: "  Demo@Example.com ", FieldPassword: emulator.DemoPassword}
	acct, err := p.Validate(context.Background(), in, func(pr provider.Progress) { steps = append(steps, pr) })
	if err != nil {
		t.Fatal(err)
	}
	if acct.UniqueID != "demo-example-com" || acct.Title != "Demo@Example.com" || acct.Login != "Demo@Example.com" {
		t.Errorf("account = %q / %q / %q", acct.UniqueID, acct.Title, acct.Login)
	}
	var doc map[string]map[string]json.RawMessage
	if err := json.Unmarshal(acct.Cache, &doc); err != nil {
		t.Fatalf("cache is not MSAL JSON: %v", err)
	}
	for _, section := range []string{"AccessToken", "RefreshToken", "IdToken", "Account", "AppMetadata"} {
		if len(doc[section]) == 0 {
			t.Errorf("cache section %s is empty", section)
		}
	}
	if strings.Contains(string(acct.Cache), emulator.DemoPassword) {
		t.Error("the cache holds the password")
	}
	wantKeys := p.ProgressKeys()
	if len(steps) != len(wantKeys) {
		t.Fatalf("progress = %+v, want %d steps", steps, len(wantKeys))
	}
	for i, s := range steps {
		if s.Step != i+1 || s.Total != 4 || s.Key != wantKeys[i] {
			t.Errorf("progress[%d] = %+v, want step %d/4 %q", i, s, i+1, wantKeys[i])
		}
	}
}

// Every error key Validate can return, each provoked through the real
// HTTP stack against the emulator.
func TestValidateErrorKeys(t *testing.T) {
	tests := []struct {
		name     string
		fault    emulator.Fault
		password string
		timeout  time.Duration
		key      string
		cause    string // the cause must mention it
	}{
		{name: "wrong password", password: "wrong", key: provider.KeyInvalidAuth},
		{name: "service down", fault: emulator.FaultServerError, key: provider.KeyCannotConnect},
		{name: "SelfAsserted 500", fault: emulator.FaultSelfAssertedServerError, key: provider.KeyCannotConnect},
		{name: "metadata too slow", fault: emulator.FaultSlow, timeout: 300 * time.Millisecond, key: provider.KeyTimeout},
		{name: "SelfAsserted too slow", fault: emulator.FaultSlowSelfAsserted, timeout: 300 * time.Millisecond, key: provider.KeyTimeout},
		{name: "MFA wanted", fault: emulator.FaultMFA, key: KeyActionRequired},
		{name: "bot protection", fault: emulator.FaultBlocked, key: KeyBlocked},
		{name: "transaction expired", fault: emulator.FaultExpired, key: KeySessionExpired},
		{name: "page without csrf", fault: emulator.FaultNoCSRF, key: provider.KeyServiceChanged, cause: "csrf"},
		{name: "page without SETTINGS", fault: emulator.FaultNoSettings, key: provider.KeyServiceChanged, cause: "no SETTINGS"},
		{name: "SelfAsserted JSON of another shape", fault: emulator.FaultStrangeAnswer, key: provider.KeyServiceChanged, cause: "no status"},
		{name: "HTML instead of JSON", fault: emulator.FaultHTMLAnswer, key: KeySessionExpired},
		{name: "renamed login field (AADB2C90015)", fault: emulator.FaultRenamedField, key: provider.KeyUnknown, cause: "AADB2C90015"},
		{name: "CAPTCHA added to the page", fault: emulator.FaultCaptcha, key: KeyCaptchaNeeded, cause: "CAPTCHA"},
		{name: "bad state", fault: emulator.FaultBadState, key: provider.KeyUnknown},
		{name: "error redirect", fault: emulator.FaultErrorRedirect, key: provider.KeyUnknown, cause: "access_denied (AADB2C90273)"},
		{name: "token endpoint error", fault: emulator.FaultTokenError, key: provider.KeyUnknown},
		{name: "redirect to another host", fault: emulator.FaultForeignRedirect, key: provider.KeyUnknown},
		{name: "page on another host", fault: emulator.FaultForeignPage, key: provider.KeyUnknown},
		{name: "metadata points at another host", fault: emulator.FaultForeignMetadata, key: provider.KeyUnknown},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e, ca := startEmulator(t)
			e.SetFault(tc.fault)
			timeout := tc.timeout
			if timeout == 0 {
				timeout = time.Minute
			}
			p := New(options(e.Authority(), ca, timeout))
			in := demoInput()
			if tc.password != "" {
				in[FieldPassword] = tc.password
			}
			acct, err := p.Validate(context.Background(), in, nil)
			if acct != nil {
				t.Fatalf("got an account despite %s", tc.name)
			}
			pe := wantKey(t, err, tc.key)
			if !strings.Contains(pe.Err.Error(), tc.cause) {
				t.Errorf("cause %q does not mention %q", pe.Err, tc.cause)
			}
			assertNoSecrets(t, err, e, in[FieldPassword])
			for _, r := range e.Log() {
				if r.Host != strings.TrimPrefix(e.URL(), "https://") {
					t.Errorf("a request reached another host: %s %s%s", r.Method, r.Host, r.Path)
				}
			}
		})
	}
}

func TestValidateEmptyInputNeedsNoNetwork(t *testing.T) {
	p := New(options("https://127.0.0.1:1/t/p", nil, time.Minute))
	for _, in := range []provider.Input{{FieldEmail: "a@b.c"}, {FieldPassword: "x"}, {FieldEmail: "  ", FieldPassword: "x"}} {
		_, err := p.Validate(context.Background(), in, nil)
		wantKey(t, err, provider.KeyInvalidAuth)
	}
}

func TestValidateNetworkFailuresAreCannotConnect(t *testing.T) {
	e, ca := startEmulator(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "https://" + ln.Addr().String() + "/" + emulator.Tenant + "/" + emulator.Policy
	_ = ln.Close()
	tests := []struct {
		name string
		opts provider.Options
	}{
		{"DNS failure", options("https://nonexistent.invalid/"+emulator.Tenant+"/"+emulator.Policy, ca, 20*time.Second)},
		{"connection refused", options(closed, ca, 20*time.Second)},
		{"untrusted certificate", options(e.Authority(), nil, 20*time.Second)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.opts).Validate(context.Background(), demoInput(), nil)
			wantKey(t, err, provider.KeyCannotConnect)
			if strings.Contains(err.Error(), emulator.DemoPassword) {
				t.Fatal("error leaks the password")
			}
		})
	}
}

func TestValidateCancelReturnsContextError(t *testing.T) {
	for _, fault := range []emulator.Fault{emulator.FaultSlow, emulator.FaultSlowSelfAsserted} {
		e, ca := startEmulator(t)
		e.SetFault(fault)
		p := providerFor(e, ca)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			_, err := p.Validate(ctx, demoInput(), nil)
			done <- err
		}()
		<-e.Hanging() // a request is held by the server
		cancel()
		select {
		case err := <-done:
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("fault %d: error = %v, want context.Canceled", fault, err)
			}
			var pe *provider.Error
			if errors.As(err, &pe) {
				t.Fatalf("fault %d: a cancel became a form error %q", fault, pe.Key)
			}
		case <-time.After(20 * time.Second): // fail-safe only: the timeout is a minute
			t.Fatalf("fault %d: Validate ignored the cancelled context", fault)
		}
	}
}

func TestValidateAlreadyCancelled(t *testing.T) {
	e, ca := startEmulator(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := providerFor(e, ca).Validate(ctx, demoInput(), nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error = %v, want context.Canceled", err)
	}
	if n := len(e.Log()); n != 0 {
		t.Fatalf("%d requests sent after cancel", n)
	}
}

// The password goes in exactly one request: the SelfAsserted POST body, to
// the authority's host; never in a URL, a header, or another host.
func TestPasswordOnlyInSelfAssertedBody(t *testing.T) {
	const password = "p@ss+w/rd= &x%41"
	for _, fault := range []emulator.Fault{emulator.FaultNone, emulator.FaultForeignRedirect, emulator.FaultMFA, emulator.FaultTokenError} {
		e, ca := startEmulator(t)
		e.AddAccount("user.name+x@example.com", password)
		e.SetFault(fault)
		p := providerFor(e, ca)
		_, err := p.Validate(context.Background(), provider.Input{FieldEmail: "user.name+x@example.com", FieldPassword: password}, nil)
		if fault == emulator.FaultNone && err != nil {
			t.Fatalf("sign-in with special characters: %v", err)
		}
		carriers := 0
		for _, r := range e.Log() {
			inBody := strings.Contains(r.Body, "password=p%40ss%2Bw%2Frd%3D+%26x%2541")
			other := strings.Contains(r.Path, password) || strings.Contains(r.RawQuery, "p%40ss") ||
				strings.Contains(r.RawQuery, password)
			for _, vs := range r.Header {
				for _, v := range vs {
					other = other || strings.Contains(v, password) || strings.Contains(v, "p%40ss")
				}
			}
			if other {
				t.Errorf("fault %d: password in the URL or headers of %s %s", fault, r.Method, r.Path)
			}
			if !inBody && (strings.Contains(r.Body, password) || strings.Contains(r.Body, "p%40ss")) {
				t.Errorf("fault %d: password in the body of %s %s", fault, r.Method, r.Path)
			}
			if inBody {
				carriers++
				if r.Method != "POST" || !strings.HasSuffix(r.Path, "/SelfAsserted") || r.Host != strings.TrimPrefix(e.URL(), "https://") {
					t.Errorf("fault %d: password sent to %s %s%s", fault, r.Method, r.Host, r.Path)
				}
			}
		}
		if carriers != 1 {
			t.Errorf("fault %d: password sent %d times, want exactly once", fault, carriers)
		}
	}
}

// With a CAPTCHA on the page, only refusals that blame nothing else become
// captcha_needed: wrong credentials, a service in trouble and an expired
// transaction keep their keys.
func TestCaptchaExplainsOnlyUnexplainedRefusals(t *testing.T) {
	tests := []struct {
		name     string
		fault    emulator.Fault
		password string
		key      string
	}{
		{"wrong password", emulator.FaultNone, "not-the-password", provider.KeyInvalidAuth},
		{"transaction expired", emulator.FaultExpired, emulator.DemoPassword, KeySessionExpired},
		{"SelfAsserted 500", emulator.FaultSelfAssertedServerError, emulator.DemoPassword, provider.KeyCannotConnect},
		{"bot protection", emulator.FaultBlocked, emulator.DemoPassword, KeyCaptchaNeeded},
		{"unexplained 400 code", emulator.FaultRenamedField, emulator.DemoPassword, KeyCaptchaNeeded},
		{"JSON of another shape", emulator.FaultStrangeAnswer, emulator.DemoPassword, KeyCaptchaNeeded},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e, ca := startEmulator(t)
			e.SetVariant(emulator.Variant{CaptchaWidget: true})
			e.SetFault(tc.fault)
			_, err := providerFor(e, ca).Validate(context.Background(),
				provider.Input{FieldEmail: emulator.DemoEmail, FieldPassword: tc.password}, nil)
			wantKey(t, err, tc.key)
		})
	}
}
