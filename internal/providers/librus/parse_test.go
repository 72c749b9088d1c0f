package librus

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

func readFixture(t testing.TB, dir, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// fixtures lists a testdata dir, for the fuzz seed corpora.
func fixtures(t testing.TB, dir string) [][]byte {
	t.Helper()
	names, err := filepath.Glob(filepath.Join("testdata", dir, "*"))
	if err != nil || len(names) == 0 {
		t.Fatalf("no fixtures in testdata/%s: %v", dir, err)
	}
	var out [][]byte
	for _, n := range names {
		out = append(out, readFixture(t, dir, filepath.Base(n)))
	}
	return out
}

func TestParseLogin(t *testing.T) {
	tests := []struct {
		file   string
		status int
		goTo   string
		key    string
	}{
		{"ok.json", 200, "/OAuth/Authorization/2FA?client_id=46", ""},
		{"ok.json", 401, "", "service_changed"},
		{"ok_without_goto.json", 200, "", "service_changed"},
		{"bad_credentials.json", 401, "", "invalid_auth"},
		{"bad_credentials.json", 200, "", "invalid_auth"},
		{"bad_credentials_escaped.json", 403, "", "invalid_auth"},
		{"error_without_message.json", 400, "", "invalid_auth"},
		{"errors_as_strings.json", 400, "", "invalid_auth"},
		{"expired.json", 403, "", "account_action_required"},
		{"captcha.json", 403, "", "captcha_needed"},
		{"portal_account.json", 403, "", "email_not_login"},
		{"recaptcha_page.html", 200, "", "captcha_needed"},
		{"bad_credentials_page.html", 200, "", "invalid_auth"},
		{"unrelated_page.html", 200, "", "service_changed"},
		{"odd_status.json", 200, "", "service_changed"},
		{"array.json", 200, "", "service_changed"},
		// A wrong password stays invalid_auth when the body mentions a
		// CAPTCHA only outside its messages.
		{"bad_credentials_captcha_field.json", 400, "", "invalid_auth"},
		{"error_recaptcha_field.json", 400, "", "captcha_needed"},
		// Older clients: "error"/"errors" without an ok status is a failure.
		{"errors_without_status.json", 400, "", "invalid_auth"},
		{"error_string.json", 400, "", "invalid_auth"},
		{"expired_bool_status_escaped.json", 200, "", "account_action_required"},
		{"expired_escaped.json", 403, "", "account_action_required"},
		{"ok_with_empty_errors.json", 200, "/OAuth/Authorization/2FA?client_id=46", ""},
		// HTML entities are decoded before markers are matched.
		{"bad_credentials_entities.html", 200, "", "invalid_auth"},
		// A page that says the password is wrong and carries a dormant
		// reCAPTCHA widget is a wrong password: full error sentences beat
		// widget words; a wrong CAPTCHA code is still a CAPTCHA.
		{"bad_credentials_recaptcha_page.html", 401, "", "invalid_auth"},
		{"wrong_captcha_code.json", 400, "", "captcha_needed"},
		{"expired_entities_page.html", 200, "", "account_action_required"},
		// Fields that say the person must act in a browser (a public
		// client checks twoFactorRequired and requiresAction), or that a
		// CAPTCHA is required, win over an ok or a wrong-password message;
		// false flags and a widget's settings say nothing.
		{"two_factor_required.json", 200, "", "account_action_required"},
		{"two_factor_required.json", 403, "", "account_action_required"},
		{"requires_action_with_goto.json", 200, "", "account_action_required"},
		{"ok_with_false_flags.json", 200, "/OAuth/Authorization/2FA?client_id=46", ""},
		{"bad_credentials_captcha_required.json", 401, "", "captcha_needed"},
		{"captcha_flag.json", 400, "", "captcha_needed"},
		{"bad_credentials_captcha_config.json", 401, "", "invalid_auth"},
		{"expired_captcha_required.json", 403, "", "account_action_required"},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			goTo, err := parseLogin(tc.status, readFixture(t, "login", tc.file))
			if goTo != tc.goTo || errKey(err) != tc.key {
				t.Errorf("parseLogin = %q, %v; want %q, key %q", goTo, err, tc.goTo, tc.key)
			}
		})
	}
}

func TestParseGateway(t *testing.T) {
	tests := []struct {
		file            string
		status          int
		id, name        string
		expired, down   bool
		malformed, noID bool
	}{
		{file: "token_info.json", status: 200, id: "5550001"},
		{file: "token_info_no_identifier.json", status: 200, noID: true},
		{file: "token_info_numeric_identifier.json", status: 200, noID: true},
		{file: "user_info.json", status: 200, id: "5550001", name: "Anna Kowalska"},
		{file: "user_info_wrapped.json", status: 200, noID: true, name: "Jan Nowak"},
		{file: "user_info_no_names.json", status: 200, id: "5550001"},
		{file: "user_info_hostile.json", status: 200, id: "5550001", name: "Anna Kowalska"},
		{file: "token_info_changed.json", status: 200, noID: true},
		{file: "token_expired.json", status: 401, expired: true},
		{file: "token_expired.json", status: 200, expired: true},
		{file: "insufficient_scopes.json", status: 401},
		{file: "maintenance.json", status: 503, down: true},
		{file: "not_json.html", status: 200, malformed: true},
		{file: "not_json.html", status: 401, expired: true},
		{file: "null.json", status: 200, malformed: true},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			fields, err := parseGateway(tc.status, readFixture(t, "gateway", tc.file))
			var ge *gatewayError
			isGE := errors.As(err, &ge)
			switch {
			case tc.malformed:
				if err == nil || isGE {
					t.Fatalf("err = %v, want a malformed-answer error", err)
				}
			case tc.expired || tc.down || (tc.status != 200):
				if !isGE || ge.expired() != tc.expired || ge.down() != tc.down {
					t.Fatalf("err = %#v, want expired=%v down=%v", err, tc.expired, tc.down)
				}
			default:
				if err != nil {
					t.Fatal(err)
				}
				id, err := userIdentifier(fields)
				if (err != nil) != tc.noID || id != tc.id {
					t.Errorf("userIdentifier = %q, %v", id, err)
				}
				if got := userName(fields); got != tc.name {
					t.Errorf("userName = %q, want %q", got, tc.name)
				}
			}
		})
	}
}

func FuzzParseLogin(f *testing.F) {
	for _, b := range fixtures(f, "login") {
		for _, status := range []int{200, 401, 403} {
			f.Add(status, b)
		}
	}
	keys := append(slices.Clone(provider.SharedErrorKeys), New(providersDefaults()).ErrorKeys()...)
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if v := readLogin(status, body); v.named && (v.err == nil || v.goTo != "") {
			t.Fatalf("named rejection without an error: %+v", v)
		}
		goTo, err := parseLogin(status, body)
		if err == nil {
			if strings.TrimSpace(goTo) == "" || status < 200 || status > 299 {
				t.Fatalf("success with goTo %q, status %d", goTo, status)
			}
			return
		}
		var pe *provider.Error
		if !errors.As(err, &pe) || !slices.Contains(keys, pe.Key) {
			t.Fatalf("err = %v (%T), want a *provider.Error with a declared key", err, err)
		}
		if (pe.Field == FieldUsername) != (pe.Key == KeyEmailNotLogin) || pe.Field != "" && pe.Field != FieldUsername {
			t.Fatalf("field %q for key %q", pe.Field, pe.Key)
		}
		if goTo != "" || len(err.Error()) > 600 {
			t.Fatalf("goTo %q with error; error of %d bytes", goTo, len(err.Error()))
		}
		assertPlainCause(t, err.Error())
	})
}

// assertPlainCause fails when server text reached an error's cause
// without provider.CleanText: the cause goes to the trace and the screen.
func assertPlainCause(t *testing.T, cause string) {
	t.Helper()
	for _, r := range cause {
		if r < 0x20 || r >= 0x7f && r <= 0x9f || r == 0x202e || r == 0x2066 {
			t.Fatalf("control %U in the cause %q", r, cause)
		}
	}
}

func FuzzParseGateway(f *testing.F) {
	for _, b := range fixtures(f, "gateway") {
		for _, status := range []int{200, 401, 503} {
			f.Add(status, b)
		}
	}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		fields, err := parseGateway(status, body)
		if err == nil {
			if fields == nil || status < 200 || status > 299 {
				t.Fatalf("success with %v fields, status %d", fields, status)
			}
			if id, err := userIdentifier(fields); err == nil && (provider.CleanText(id) != id || id == "") {
				t.Fatalf("identity %q is not plain text", id)
			}
			if n := userName(fields); provider.CleanText(n) != n {
				t.Fatalf("name %q is not plain text", n)
			}
			return
		}
		var ge *gatewayError
		if errors.As(err, &ge) {
			_ = ge.expired()
			if ge.down() != (status >= 500) || len(ge.Error()) > 600 {
				t.Fatalf("gatewayError %v for status %d", ge, status)
			}
			assertPlainCause(t, ge.Error())
			if status >= 200 && status <= 299 && !ge.expired() && !strings.EqualFold(readStatus(body), "Error") {
				t.Fatalf("2xx error without an envelope: %v", ge)
			}
		}
		assertPlainCause(t, maintenanceNote(body))
	})
}

// readStatus is the envelope's Status field, for the fuzz invariant.
func readStatus(body []byte) string {
	var obj map[string]any
	if jsonUnmarshal(body, &obj) != nil {
		return ""
	}
	s, _ := obj["Status"].(string)
	return s
}
