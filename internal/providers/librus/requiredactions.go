package librus

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strings"

	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

// requiredActionsPage reports whether a walk ended on the required-actions
// page: the 2FA step of the grant answered with a 2xx page holding a form
// instead of redirecting onward (docs/librus.md). Only then may the skip be
// posted: a skip sent after the code was issued spoils the session.
func requiredActionsPage(u *url.URL, status int, body []byte) bool {
	if u == nil || status < 200 || status > 299 {
		return false
	}
	if !strings.HasSuffix(strings.ToLower(strings.TrimRight(u.Path, "/")), "/oauth/authorization/2fa") {
		return false
	}
	if json.Valid(body) {
		return false
	}
	return bytes.Contains(bytes.ToLower(body), []byte("<form"))
}

// parseSkip reads the answer to the skip post (redirects already handled
// by the caller): {"status":"ok","goTo":...} walks on; a refusal, or the
// page served again, means the account needs something only a browser
// can do (account_action_required). A 2xx that names no next step (an
// empty body, "ok" without goTo, a page without a form) returns "" and no
// error: a public client ignores the skip's answer and GETs Grant next
// (docs/librus.md). Any other answer is a changed service.
func parseSkip(status int, body []byte) (string, error) {
	const step = "required actions"
	var obj map[string]json.RawMessage
	if json.Unmarshal(body, &obj) != nil || obj == nil {
		switch {
		case success(status) && bytes.Contains(bytes.ToLower(body), []byte("<form")):
			return "", provider.Fail(KeyAccountActionRequired, "%s: the page was served again (HTTP %d): it cannot be skipped", step, status)
		case success(status) && !json.Valid(body):
			return "", nil
		}
		return "", provider.Fail(provider.KeyServiceChanged, "%s: answer is not a JSON object (HTTP %d)", step, status)
	}
	st, _, _ := jsonString(obj["status"])
	switch strings.ToLower(st) {
	case "ok":
		if !success(status) {
			return "", provider.Fail(provider.KeyServiceChanged, "%s: status ok with HTTP %d", step, status)
		}
		goTo, _, _ := jsonString(obj["goTo"])
		return strings.TrimSpace(goTo), nil
	case "error":
		var msgs []string
		for _, k := range []string{"errors", "error", "message"} {
			msgs = append(msgs, errorMessages(obj[k])...)
		}
		return "", provider.Fail(KeyAccountActionRequired, "%s: the skip was refused (HTTP %d): %s", step, status, provider.CleanText(strings.Join(msgs, "; ")))
	}
	return "", provider.Fail(provider.KeyServiceChanged, "%s: unexpected answer (HTTP %d, status %q)", step, status, provider.CleanText(st))
}
