package flameconnect

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

// saOutcome is what a SelfAsserted 200 answer says.
type saOutcome int

const (
	saAccepted saOutcome = iota // {"status":"200"}
	saRefused                   // {"status":"400"}: key() says why
	saOther                     // JSON with another status
)

// saAnswer is a parsed SelfAsserted answer. B2C's localized message is not
// kept: the flow has its own strings.
type saAnswer struct {
	Outcome        saOutcome
	Status         string
	ErrorCode      string // "" when absent or unreadable
	CodeUnreadable bool   // an errorCode was sent but is not short and plain
}

// codeText is the error code for a cause.
func (a saAnswer) codeText() string {
	switch {
	case a.ErrorCode != "":
		return a.ErrorCode
	case a.CodeUnreadable:
		return "(unreadable errorCode)"
	}
	return "(no errorCode)"
}

// key is what a refusal (status 400) means, from b2cErrorCodes: a refusal
// without a code is read as wrong credentials, as B2C's own page does; a
// code the table does not know (or one that is unreadable) is unknown.
func (a saAnswer) key() string {
	if a.ErrorCode == "" && !a.CodeUnreadable {
		return provider.KeyInvalidAuth
	}
	if key, ok := b2cErrorKey(a.ErrorCode); ok {
		return key
	}
	return provider.KeyUnknown
}

// errNotJSON: B2C answers with a page, not JSON, when it rejected the
// transaction or the CSRF token; it says nothing about the password.
var errNotJSON = errors.New("SelfAsserted answered with a page instead of JSON (transaction or CSRF rejected)")

// parseSelfAsserted reads the JSON answer of SelfAsserted. The status may be
// a string or a number, with any spacing; a body that is not a JSON object
// is errNotJSON.
func parseSelfAsserted(body []byte) (saAnswer, error) {
	body = bytes.TrimSpace(bytes.TrimPrefix(bytes.TrimSpace(body), []byte("\xef\xbb\xbf")))
	if len(body) == 0 || body[0] != '{' {
		return saAnswer{}, errNotJSON
	}
	var raw struct {
		Status    json.RawMessage `json:"status"`
		ErrorCode json.RawMessage `json:"errorCode"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		return saAnswer{}, fmt.Errorf("%w: %w", errNotJSON, err)
	}
	status, ok := scalar(raw.Status)
	if !ok {
		return saAnswer{}, errors.New("SelfAsserted answer has no status")
	}
	code, _ := scalar(raw.ErrorCode)
	a := saAnswer{Status: status, ErrorCode: code}
	if code != "" && !codeSafe(code) {
		a.ErrorCode, a.CodeUnreadable = "", true
	}
	switch status {
	case "200":
		a.Outcome = saAccepted
	case "400":
		a.Outcome = saRefused
	default:
		a.Outcome = saOther
		if !codeSafe(status) {
			a.Status = "?"
		}
	}
	return a, nil
}

// scalar reads a JSON string or number as text.
func scalar(v json.RawMessage) (string, bool) {
	if len(v) == 0 {
		return "", false
	}
	var s string
	if err := json.Unmarshal(v, &s); err == nil {
		return s, true
	}
	var n json.Number
	if err := json.Unmarshal(v, &n); err == nil {
		if i, err := strconv.ParseInt(n.String(), 10, 64); err == nil {
			return strconv.FormatInt(i, 10), true
		}
		return n.String(), true
	}
	return "", false
}

// codeSafe keeps server-chosen codes (AADB2C90053) short and plain before
// they go into an error cause.
func codeSafe(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.') {
			return false
		}
	}
	return true
}
