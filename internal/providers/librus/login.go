package librus

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

// Markers in login answers, as the protocol facts list them.
var (
	captchaMarkers = []string{"captcha", "nie jestem robotem"} // covers recaptcha and g-recaptcha
	expiredMarkers = []string{"termin ważności konta", "konto wygasło"}
	portalMarkers  = []string{"nie do konta librus"}
	badCredMarkers = []string{"nieprawidłowy login", "nieprawidłowe hasło", "nieprawidłowy"}
)

// loginReply is the step 2 JSON answer.
type loginReply struct {
	Status string          `json:"status"`
	GoTo   string          `json:"goTo"`
	Errors json.RawMessage `json:"errors"`
}

// parseLogin reads the answer to the login POST (status is its HTTP code,
// already cleared of 5xx and maintenance by the caller). It returns the
// goTo path on success, or a *provider.Error: a rejection maps to the most
// specific key its text allows and otherwise to invalid_auth.
func parseLogin(status int, body []byte) (string, error) {
	var r loginReply
	if err := json.Unmarshal(body, &r); err != nil {
		// Not JSON: only a page that says what is wrong is a rejection.
		if key := rejectionKey(string(body)); key != "" {
			return "", loginError(key, "login rejected by a non-JSON page (HTTP %d)", status)
		}
		return "", provider.Fail(provider.KeyUnknown, "login: answer is not JSON (HTTP %d)", status)
	}
	switch strings.ToLower(r.Status) {
	case "ok":
		if status < 200 || status > 299 {
			return "", provider.Fail(provider.KeyUnknown, "login: status ok with HTTP %d", status)
		}
		if strings.TrimSpace(r.GoTo) == "" {
			return "", provider.Fail(provider.KeyUnknown, "login: status ok without goTo")
		}
		return r.GoTo, nil
	case "error":
		msgs := errorMessages(r.Errors)
		key := rejectionKey(strings.Join(msgs, "\n") + "\n" + string(body))
		if key == "" {
			key = provider.KeyInvalidAuth
		}
		return "", loginError(key, "login rejected (HTTP %d): %s", status, clip(strings.Join(msgs, "; ")))
	}
	if containsAny(string(body), captchaMarkers) {
		return "", loginError(KeyCaptchaNeeded, "login answer asks for a CAPTCHA (HTTP %d)", status)
	}
	return "", provider.Fail(provider.KeyUnknown, "login: unexpected answer (HTTP %d, status %q)", status, clip(r.Status))
}

// rejectionKey finds a specific cause in a rejection's text: an expired
// account beats a CAPTCHA, which beats wrong credentials, because only the
// more specific one tells the user what would help.
func rejectionKey(text string) string {
	switch {
	case containsAny(text, expiredMarkers):
		return KeyAccountActionRequired
	case containsAny(text, captchaMarkers):
		return KeyCaptchaNeeded
	case containsAny(text, portalMarkers):
		return KeyEmailNotLogin
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
