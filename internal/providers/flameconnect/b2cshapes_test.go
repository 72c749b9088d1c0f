package flameconnect

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/setupwizard/setupwizard/internal/providers/flameconnect/emulator"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

// SelfAsserted answers as other servers write them (independent B2C
// implementations, proxies): the code in another case, with text after
// it, only in message, a numeric status, a byte order mark, text after the
// object. The code decides, never the message's words.
func TestSelfAssertedAnswerShapes(t *testing.T) {
	tests := []struct {
		name, body, key, text string
	}{
		{"lower-case code", `{"status":"400","errorCode":"aadb2c90114","message":"x"}`, KeyAccountLocked, "AADB2C90114"},
		{"code with its text", `{"status":"400","errorCode":"AADB2C90053: Your password is incorrect.","message":"x"}`, provider.KeyInvalidAuth, "AADB2C90053"},
		{"code after words", `{"status":"400","errorCode":"Error AADB2C90244"}`, KeyTooManyAttempts, "AADB2C90244"},
		{"code spaced", `{"status" : "400" , "errorCode" : " AADB2C90111 "}`, KeyAccountBlocked, "AADB2C90111"},
		{"code only in message", `{"status":"400","message":"AADB2C90114: Your account is temporarily locked to prevent unauthorized use."}`, KeyAccountLocked, "AADB2C90114"},
		{"empty code, code in message", `{"status":"400","errorCode":"","message":"AADB2C90157: User has exceeded the maximum number for retries."}`, KeyTooManyAttempts, "AADB2C90157"},
		{"null code, code in message", `{"status":"400","errorCode":null,"message":"aadb2c90035: unavailable"}`, provider.KeyCannotConnect, "AADB2C90035"},
		{"message without a code", `{"status":"400","message":"Your password is incorrect."}`, provider.KeyInvalidAuth, "(no errorCode)"},
		{"unknown code only in message", `{"status":"400","message":"AADB2C99999: ?"}`, provider.KeyUnknown, "AADB2C99999"},
		{"numeric status", `{"status":400,"errorCode":"AADB2C90157"}`, KeyTooManyAttempts, "AADB2C90157"},
		{"byte order mark", "\ufeff{\"status\":\"400\",\"errorCode\":\"AADB2C90046\"}", KeySessionExpired, "AADB2C90046"},
		{"text after the object", "{\"status\":\"400\",\"errorCode\":\"AADB2C90053\"}\n<!-- served by x -->", provider.KeyInvalidAuth, "AADB2C90053"},
		{"code glued to an escape sequence", `{"status":"400","errorCode":"\u001b[31mAADB2C90114"}`, provider.KeyUnknown, "(unreadable errorCode)"},
		{"code too long", `{"status":"400","errorCode":"AADB2C901140"}`, provider.KeyUnknown, "AADB2C901140"},
		{"a plain code that is not B2C's", `{"status":"400","errorCode":"90053","message":"AADB2C90114"}`, provider.KeyUnknown, "90053"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, err := parseSelfAsserted([]byte(tc.body))
			if err != nil || a.Outcome != saRefused {
				t.Fatalf("%+v, %v; want a refusal", a, err)
			}
			if a.key() != tc.key || a.codeText() != tc.text {
				t.Errorf("key %q, code %q; want %q, %q", a.key(), a.codeText(), tc.key, tc.text)
			}
			err = submitVerdict("SelfAsserted", &provider.Answer{Status: http.StatusOK, Body: []byte(tc.body)})
			pe := wantKey(t, err, tc.key)
			if strings.Contains(pe.Error(), "Your") || strings.Contains(pe.Error(), "\x1b") {
				t.Errorf("cause %q carries the service's text", pe)
			}
		})
	}
}

// The same shapes through real TLS and the flow: SelfAsserted answers
// text/json as the captured service does (with HTTP 200, or with an error
// status whose body names a code the table knows), the sign-in ends on
// the form with the code's key and stores nothing.
func TestSelfAssertedAnswerShapesThroughTLS(t *testing.T) {
	tests := []struct {
		name, body string
		status     int
		key        string
	}{
		{"lower-case code", `{"status":"400","errorCode":"aadb2c90114","message":"Your account is temporarily locked."}`, 0, KeyAccountLocked},
		{"code with its text", `{"status": "400", "errorCode": "AADB2C90244: There are too many requests at this moment."}`, 0, KeyTooManyAttempts},
		{"code only in message", `{"status":"400","message":"AADB2C90111: Your account has been locked.\r\nCorrelation ID: 1"}`, 0, KeyAccountBlocked},
		{"byte order mark, numeric status", "\ufeff{\"status\":400,\"errorCode\":\"AADB2C90212\"}", 0, KeySessionExpired},
		{"no code at all", `{"status":"400","message":"\u001b[31mYour password is incorrect."}`, 0, provider.KeyInvalidAuth},
		{"HTTP 400 with a wrong-password code", `{"status":"400","errorCode":"AADB2C90053","message":"Your password is incorrect."}`, 400, provider.KeyInvalidAuth},
		{"HTTP 429 with a throttling code", `{"status":"400","errorCode":"AADB2C90244"}`, 429, KeyTooManyAttempts},
		{"HTTP 400 with JSON and no code", `{"status":"400"}`, 400, KeySessionExpired},
		{"HTTP 403 with a code nobody lists", `{"status":"400","errorCode":"AADB2C99999"}`, 403, KeyBlocked},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e, ca := startEmulator(t)
			e.Refuse(emulator.DemoEmail, emulator.Refusal{Body: tc.body, Status: tc.status})
			p := providerFor(e, ca)
			res := submitRefused(t, p, tc.key)
			if s := res.Cause.Error(); strings.Contains(s, "Correlation") || strings.Contains(s, "\x1b") || strings.Contains(s, "Your") {
				t.Errorf("cause %q carries the service's text", s)
			}
			assertWords(t, p, tc.key)
		})
	}
}

// Errors on the app's redirect as other servers write them: the code in
// lower case or after words, %3a and '+', a '/' before '?', no state or
// another state (an error is an error: it never yields a code), an empty
// error beside a code, a description with a bad escape after the code, an
// OAuth error in capitals.
func TestRedirectErrorShapes(t *testing.T) {
	tests := []struct {
		name, loc, key string
	}{
		{"lower-case code", RedirectURI + "?error=access_denied&error_description=aadb2c90157%3a+User+has+exceeded&state=s1", KeyTooManyAttempts},
		{"slash before the query", RedirectURI + "/?error=access_denied&error_description=AADB2C90114%3a+locked&state=s1", KeyAccountLocked},
		{"code after words", RedirectURI + "?error=access_denied&error_description=Error+code+AADB2C90111&state=s1", KeyAccountBlocked},
		{"no state", RedirectURI + "?error=access_denied&error_description=AADB2C90157%3a+User+has+exceeded", KeyTooManyAttempts},
		{"another state", RedirectURI + "?error=access_denied&error_description=AADB2C90244&state=other", KeyTooManyAttempts},
		{"empty error beside a code", RedirectURI + "?error=&error_description=AADB2C90114%3a+locked&state=s1", KeyAccountLocked},
		{"no error beside a code", RedirectURI + "?error_description=AADB2C90046%3a+state+lost&state=s1", KeySessionExpired},
		{"bad escape after the code", RedirectURI + "?error=access_denied&error_description=AADB2C90244:+100%+busy&state=s1", KeyTooManyAttempts},
		{"OAuth error in capitals", RedirectURI + "?error=LOGIN_REQUIRED&state=s1", KeyLoginRequired},
		{"unknown OAuth error with a known code", RedirectURI + "?error=unexpected_thing&error_description=AADB2C90035%3a+unavailable&state=s1", provider.KeyCannotConnect},
		{"code glued to other letters", RedirectURI + "?error=access_denied&error_description=xAADB2C90114&state=s1", provider.KeyUnknown},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, err := codeFromRedirect(tc.loc, "s1")
			var re *redirectError
			if code != "" || !errors.As(err, &re) {
				t.Fatalf("code %q, %v; want a redirect error", code, err)
			}
			if got := redirectErrorKey(err); got != tc.key {
				t.Errorf("key %q (%v), want %q", got, err, tc.key)
			}
		})
	}
	// A code beside an empty error is still the code: the error is not
	// taken for a failure then.
	if code, err := codeFromRedirect(RedirectURI+"?error=&error_description=AADB2C90114&code=abc&state=s1", "s1"); code != "abc" || err != nil {
		t.Errorf("code beside an empty error: %q, %v", code, err)
	}
}

// Through real TLS: the error comes back on the authorize request itself
// (a 302, or a 200 "Object moved" page instead of the sign-in page), or
// after the password without state; each ends with its key, never with
// service_changed or unknown, and stores nothing.
func TestRedirectErrorsThroughTLS(t *testing.T) {
	desc := "AADB2C90157: User has exceeded the maximum number for retries for a self-asserted step.\r\nCorrelation ID: 1"
	tests := []struct {
		name      string
		authorize bool
		inPage    bool
		refusal   emulator.Refusal
		key       string
	}{
		{"authorize 302, code", true, false, emulator.Refusal{RedirectError: "access_denied", Description: desc}, KeyTooManyAttempts},
		{"authorize 302, no state", true, false, emulator.Refusal{RedirectError: "access_denied", Description: desc, NoState: true}, KeyTooManyAttempts},
		{"authorize 302, server_error", true, false, emulator.Refusal{RedirectError: "server_error"}, provider.KeyCannotConnect},
		{"authorize page, code", true, true, emulator.Refusal{RedirectError: "access_denied", Description: "AADB2C90114: locked"}, KeyAccountLocked},
		{"authorize page, login_required", true, true, emulator.Refusal{RedirectError: "login_required"}, KeyLoginRequired},
		{"authorize page, empty error and a code", true, true, emulator.Refusal{Description: "AADB2C90289: try later"}, provider.KeyCannotConnect},
		{"confirmed, no state", false, false, emulator.Refusal{RedirectError: "access_denied", Description: desc, NoState: true}, KeyTooManyAttempts},
		{"confirmed, interaction_required, no state", false, false, emulator.Refusal{RedirectError: "interaction_required", NoState: true}, KeyInteractionRequired},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e, ca := startEmulator(t)
			if tc.authorize {
				e.SetAuthorizeRefusal(tc.refusal, tc.inPage)
			} else {
				e.Refuse(emulator.DemoEmail, tc.refusal)
			}
			p := providerFor(e, ca)
			res := submitRefused(t, p, tc.key)
			if strings.Contains(res.Cause.Error(), "Correlation") {
				t.Errorf("cause %q carries the service's text", res.Cause)
			}
			if tc.authorize {
				for _, r := range e.Log() {
					if strings.HasSuffix(r.Path, "/SelfAsserted") {
						t.Fatal("the password was posted after the authorize request failed")
					}
				}
			}
			assertNoSecrets(t, res.Cause, e, emulator.DemoPassword)
			// Once the error ends, the same provider signs in.
			e.SetAuthorizeRefusal(emulator.Refusal{}, false)
			e.Refuse(emulator.DemoEmail, emulator.Refusal{})
			if _, err := p.Validate(context.Background(), demoInput(), nil); err != nil {
				t.Fatalf("after the error ends: %v", err)
			}
		})
	}
}

// Token answers as other servers write them: a byte order mark, text
// after the object, a page naming the code, an OAuth error in capitals.
// A grant that is gone is expiry; a service that is unavailable or
// throttling is not, whatever OAuth error it puts beside the code; and a
// body that merely says "no token found" is not MSAL's empty cache.
func TestTokenErrorShapes(t *testing.T) {
	tests := []struct {
		name    string
		status  int
		body    string
		expired bool
		key     string // when not expired
	}{
		{"byte order mark", 400, "\ufeff{\"error\":\"invalid_grant\",\"error_description\":\"AADB2C90080: The provided grant has expired.\"}", true, ""},
		{"text after the object", 400, "{\"error\":\"invalid_request\",\"error_description\":\"AADB2C90129: revoked\"}\n<!-- x -->", true, ""},
		{"a page naming the code", 400, "<html><body>AADB2C90128: The account associated with this grant no longer exists.</body></html>", true, ""},
		{"lower-case code", 400, `{"error":"invalid_request","error_description":"aadb2c90080: expired"}`, true, ""},
		{"OAuth error in capitals", 400, `{"error":"INVALID_GRANT"}`, true, ""},
		{"invalid_grant, service unavailable", 400, `{"error":"invalid_grant","error_description":"AADB2C90035: The service is temporarily unavailable."}`, false, provider.KeyCannotConnect},
		{"invalid_grant, throttled", 400, `{"error":"invalid_grant","error_description":"AADB2C90244: There are too many requests at this moment."}`, false, KeyTooManyAttempts},
		{"a body saying no token found", 400, `{"error":"invalid_request","error_description":"no token found"}`, false, provider.KeyUnknown},
		{"a page, no code", 403, `<html>Forbidden</html>`, false, provider.KeyUnknown},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := checkError(context.Background(), tokenCallErr(tc.status, tc.body, "http call failed: "+tc.body))
			if got := errors.Is(err, provider.ErrAuthExpired); got != tc.expired {
				t.Fatalf("expired = %v (%v), want %v", got, err, tc.expired)
			}
			if !tc.expired {
				wantKey(t, err, tc.key)
			}
		})
	}
}

// Through real TLS: a refresh answered with invalid_grant and a code for
// an unavailable service is not expiry in Check or Token (the stored
// grant is kept), and a revoked grant under another OAuth error is.
func TestRefreshUnavailableIsNotExpiryThroughTLS(t *testing.T) {
	e, ca := startEmulator(t)
	p := providerFor(e, ca)
	e.SetAccessTokenLifetime(time.Minute) // Token must refresh
	acct, err := p.Validate(context.Background(), demoInput(), nil)
	if err != nil {
		t.Fatal(err)
	}
	e.SetRefreshError("invalid_grant", "AADB2C90035: The service is temporarily unavailable. Please retry after a few minutes.")
	_, checkErr := p.Check(context.Background(), acct.Cache)
	_, _, tokenErr := p.Token(context.Background(), acct.Cache, minValid)
	for name, err := range map[string]error{"Check": checkErr, "Token": tokenErr} {
		if errors.Is(err, provider.ErrAuthExpired) {
			t.Fatalf("%s: an unavailable service read as expiry: %v", name, err)
		}
		wantKey(t, err, provider.KeyCannotConnect)
	}
	e.SetRefreshError("", "")
	if _, err := p.Check(context.Background(), acct.Cache); err != nil {
		t.Fatalf("after the service is back: %v", err)
	}
}
