package librus

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strings"

	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

// requiredActionsMarker is the text that names the required-actions page:
// its form posts action=requiredActions, and 2026 clients recognise the
// page by this text alone, at whichever hop it appears (docs/librus.md).
var requiredActionsMarker = []byte("requiredactions")

// requiredActionsPage reports whether a walk ended on a required-actions
// page: a 2xx answer at an authorization hop of the API host (api's
// /OAuth/Authorization and anything under it, before the code is issued)
// that holds the requiredActions marker, or, as in March 2026, the 2FA step
// answering a page with a form. Only then may the skip be posted: a skip
// sent after the code was issued spoils the session.
func requiredActionsPage(api, u *url.URL, status int, body []byte) bool {
	if status < 200 || status > 299 || !authorizationHop(api, u) {
		return false
	}
	low := bytes.ToLower(body)
	if bytes.Contains(low, requiredActionsMarker) {
		return true
	}
	return strings.HasSuffix(strings.ToLower(strings.TrimRight(u.Path, "/")), "/oauth/authorization/2fa") &&
		!json.Valid(body) && bytes.Contains(low, []byte("<form"))
}

// authorizationHop reports whether u is one of the API host's OAuth
// authorization pages (api.librus.pl/OAuth/Authorization*, under the
// configured base's path prefix), over https: the hops where the sign-in
// may stop for a required action, and the only places a login answer's
// redirect may send it.
func authorizationHop(api, u *url.URL) bool {
	if api == nil || u == nil || u.Scheme != "https" {
		return false
	}
	n, p := provider.HostKey(u)
	an, ap := provider.HostKey(api)
	if n != an || p != ap {
		return false
	}
	prefix := strings.ToLower(strings.TrimRight(api.Path, "/"))
	path := strings.ToLower(u.Path)
	return strings.HasPrefix(path, prefix+"/oauth/authorization")
}

// parseSkip reads the answer to the skip post (redirects already handled
// by the caller): {"status":"ok","goTo":...} walks on; a refusal, or the
// page served again (a form, or the requiredActions marker), means the
// account needs something only a browser can do (account_action_required).
// A 2xx that names no next step (an empty body, "ok" without goTo, a page
// without a form) returns "" and no
// error: a public client ignores the skip's answer and GETs Grant next
// (docs/librus.md). Any other answer is a changed service.
func parseSkip(status int, body []byte) (string, error) {
	const step = "required actions"
	var obj map[string]json.RawMessage
	if json.Unmarshal(body, &obj) != nil || obj == nil {
		low := bytes.ToLower(body)
		switch {
		case success(status) && (bytes.Contains(low, []byte("<form")) || bytes.Contains(low, requiredActionsMarker)):
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
