package librus

import (
	"bytes"
	"encoding/json"
	"html"
	"strings"

	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

// Markers in login answers, as docs/librus.md lists them: the service's
// own sentences first, then the words older clients looked for.
var (
	captchaMarkers   = []string{"captcha", "nie jestem robotem"} // covers recaptcha and g-recaptcha
	captchaSentences = []string{"nie jestem robotem"}
	expiredMarkers   = []string{"termin ważności konta", "konto wygasło"}
	portalMarkers    = []string{"nie do konta librus"}
	badCredSentences = []string{"nieprawidłowy login", "nieprawidłowe hasło"}
	badCredMarkers   = []string{"nieprawidłowy login", "nieprawidłowe hasło", "nieprawidłowy"}
)

// loginVerdict is what a login answer says. named marks a rejection
// whose messages named a known cause, which the caller trusts over the
// HTTP status (a rejection's status is not known).
type loginVerdict struct {
	goTo  string
	err   *provider.Error
	named bool
}

// parseLogin reads the answer to the login POST (status is its HTTP code,
// already cleared of 5xx and maintenance by the caller). It returns the
// goTo path on success, or a *provider.Error: a rejection maps to the most
// specific key its text allows and otherwise to invalid_auth; an answer of
// no known shape is service_changed.
func parseLogin(status int, body []byte) (string, error) {
	v := readLogin(status, body)
	if v.err != nil {
		return "", v.err
	}
	return v.goTo, nil
}

// readLogin classifies a login answer. Success is the one known shape,
// {"status":"ok","goTo":...} with a 2xx; a rejection is status "error", a
// status that is not a string, or (as older clients judged) "error" or
// "errors" without an ok status.
func readLogin(status int, body []byte) loginVerdict {
	var obj map[string]json.RawMessage
	if json.Unmarshal(body, &obj) != nil || obj == nil {
		// Not a JSON object: only a page that says what is wrong is a rejection.
		if key := rejectionKey(html.UnescapeString(string(body))); key != "" {
			return loginVerdict{err: loginError(key, "login rejected by a non-JSON page (HTTP %d)", status)}
		}
		return loginVerdict{err: provider.Fail(provider.KeyServiceChanged, "login: answer is not a JSON object (HTTP %d)", status)}
	}
	if v, ok := explicitLogin(status, obj); ok {
		return v
	}
	st, stString, stSet := jsonString(obj["status"])
	_, hasErrors := present(obj, "errors")
	_, hasError := present(obj, "error")
	lst := strings.ToLower(st)
	switch {
	case stString && lst == "ok":
		if !success(status) {
			return loginVerdict{err: provider.Fail(provider.KeyServiceChanged, "login: status ok with HTTP %d", status)}
		}
		goTo, _, _ := jsonString(obj["goTo"])
		if strings.TrimSpace(goTo) == "" {
			return loginVerdict{err: provider.Fail(provider.KeyServiceChanged, "login: status ok without goTo")}
		}
		return loginVerdict{goTo: goTo}
	case stString && lst == "error", stSet && !stString, hasErrors || hasError:
		var msgs []string
		for _, k := range []string{"errors", "error", "message"} {
			msgs = append(msgs, errorMessages(obj[k])...)
		}
		key, named := rejectionKey(strings.Join(msgs, "\n")), true
		switch {
		case key != "":
		case containsAny(string(body), captchaMarkers):
			// The raw body is only a fallback: a field that merely
			// mentions a CAPTCHA must not override what the messages say.
			key, named = KeyCaptchaNeeded, false
		default:
			key, named = provider.KeyInvalidAuth, false
		}
		return loginVerdict{err: loginError(key, "login rejected (HTTP %d): %s", status, provider.CleanText(strings.Join(msgs, "; "))), named: named}
	}
	if containsAny(string(body), captchaMarkers) {
		return loginVerdict{err: loginError(KeyCaptchaNeeded, "login answer asks for a CAPTCHA (HTTP %d)", status)}
	}
	return loginVerdict{err: provider.Fail(provider.KeyServiceChanged, "login: unexpected answer (HTTP %d, status %q)", status, provider.CleanText(st))}
}

// Fields a login answer may carry to say what the person must do, as
// public clients check them (docs/librus.md): a second factor or another
// action only a browser can take, or a CAPTCHA. Matched without regard to
// case; only a truthy value counts ("captchaRequired": false is no
// CAPTCHA). A bare "captcha" or "recaptcha" field counts only as true
// itself: as an object it may just configure a widget nobody asked to
// solve.
var (
	actionFields      = []string{"twofactorrequired", "requiresaction"}
	captchaFields     = []string{"captcharequired", "requirescaptcha", "iscaptcharequired", "showcaptcha", "needcaptcha", "captcha_required"}
	captchaFlagFields = []string{"captcha", "recaptcha"}
)

// explicitLogin reads the fields a login answer sets to ask for something
// only a browser can do. A truthy twoFactorRequired or requiresAction is
// account_action_required whatever else the answer says; a truthy CAPTCHA
// field is captcha_needed unless the messages name a more specific cause
// (an expired account, a portal account). ok is false when the answer
// sets none of them.
func explicitLogin(status int, obj map[string]json.RawMessage) (loginVerdict, bool) {
	if name := truthyField(obj, actionFields, truthy); name != "" {
		return loginVerdict{err: loginError(KeyAccountActionRequired, "login answer says %s (HTTP %d): the account needs a browser", name, status), named: true}, true
	}
	name := truthyField(obj, captchaFields, truthy)
	if name == "" {
		name = truthyField(obj, captchaFlagFields, isTrue)
	}
	if name == "" {
		return loginVerdict{}, false
	}
	var msgs []string
	for _, k := range []string{"errors", "error", "message"} {
		msgs = append(msgs, errorMessages(obj[k])...)
	}
	if key := rejectionKey(strings.Join(msgs, "\n")); key == KeyAccountActionRequired || key == KeyEmailNotLogin {
		return loginVerdict{err: loginError(key, "login rejected (HTTP %d): %s", status, provider.CleanText(strings.Join(msgs, "; "))), named: true}, true
	}
	return loginVerdict{err: loginError(KeyCaptchaNeeded, "login answer says %s (HTTP %d)", name, status), named: true}, true
}

// truthyField is the first field of obj named (case aside) in names whose
// value passes test, or "".
func truthyField(obj map[string]json.RawMessage, names []string, test func(json.RawMessage) bool) string {
	for _, want := range names {
		for k, raw := range obj {
			if strings.EqualFold(k, want) && test(raw) {
				return provider.CleanText(k)
			}
		}
	}
	return ""
}

// truthy is JavaScript's truthiness of a JSON value: false, null, 0, ""
// are falsy; so are the strings "false" and "0", which a server writing
// flags as text means as false.
func truthy(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return false
	}
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case float64:
		return x != 0
	case string:
		t := strings.TrimSpace(strings.ToLower(x))
		return t != "" && t != "false" && t != "0"
	}
	return true
}

// isTrue is the JSON value true and nothing else.
func isTrue(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "true" }

// jsonString decodes a JSON string; set says the field is there and not null.
func jsonString(raw json.RawMessage) (s string, isString, set bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", false, false
	}
	if json.Unmarshal(raw, &s) == nil {
		return s, true, true
	}
	return "", false, true
}

// present is a field that is there and not null.
func present(obj map[string]json.RawMessage, key string) (json.RawMessage, bool) {
	raw := bytes.TrimSpace(obj[key])
	return raw, len(raw) > 0 && string(raw) != "null"
}

// rejectionKey finds a specific cause in a rejection's text: an expired
// account beats a CAPTCHA, which beats wrong credentials, because only the
// more specific one tells the user what would help. The service's own
// sentences beat bare words: a sign-in page that says the password is
// wrong may carry a dormant reCAPTCHA widget ("g-recaptcha"), which alone
// does not mean a CAPTCHA was asked for; "Nieprawidłowy kod captcha" (a
// wrong CAPTCHA code) still is one.
func rejectionKey(text string) string {
	switch {
	case containsAny(text, expiredMarkers):
		return KeyAccountActionRequired
	case containsAny(text, captchaSentences):
		return KeyCaptchaNeeded
	case containsAny(text, portalMarkers):
		return KeyEmailNotLogin
	case containsAny(text, badCredSentences):
		return provider.KeyInvalidAuth
	case containsAny(text, captchaMarkers):
		return KeyCaptchaNeeded
	case containsAny(text, badCredMarkers):
		return provider.KeyInvalidAuth
	}
	return ""
}

func loginError(key, format string, args ...any) *provider.Error {
	e := provider.Fail(key, format, args...)
	if key == KeyEmailNotLogin {
		e.Field = FieldUsername
	}
	return e
}

func containsAny(text string, markers []string) bool {
	low := strings.ToLower(text)
	for _, m := range markers {
		if strings.Contains(low, m) {
			return true
		}
	}
	return false
}

// errorMessages reads "errors" in the shapes seen or plausible: a list of
// {"message": ...}, a list of strings, or one object or string.
func errorMessages(raw json.RawMessage) []string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil
	}
	var objs []struct {
		Message string `json:"message"`
	}
	if json.Unmarshal(raw, &objs) == nil {
		var out []string
		for _, o := range objs {
			if o.Message != "" {
				out = append(out, o.Message)
			}
		}
		return out
	}
	var strs []string
	if json.Unmarshal(raw, &strs) == nil {
		return strs
	}
	var one struct {
		Message string `json:"message"`
	}
	if json.Unmarshal(raw, &one) == nil && one.Message != "" {
		return []string{one.Message}
	}
	var s string
	if json.Unmarshal(raw, &s) == nil && s != "" {
		return []string{s}
	}
	return nil
}
