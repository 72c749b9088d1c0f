package librus

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

// gatewayError is a gateway answer that is not a success: an HTTP error or
// the {"Status":"Error","Code":...} envelope.
type gatewayError struct {
	Status  int
	Code    string
	Message string
}

func (e *gatewayError) Error() string {
	s := fmt.Sprintf("gateway HTTP %d", e.Status)
	if e.Code != "" {
		s += " " + e.Code
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// expired: the session is dead. 401 means so unless it only complains
// about scopes (the endpoint is not allowed for this account).
func (e *gatewayError) expired() bool {
	if strings.EqualFold(e.Code, "TokenIsExpired") {
		return true
	}
	return e.Status == 401 && !e.insufficientScopes()
}

// linkedAccount: the 401 {"Status":"Error","Message":"Request is denied"}
// without a Code that a Synergia account linked to Konto LIBRUS gets from
// every gateway call after a sign-in the password passed (docs/librus.md).
// A dead session's refusal names its Code (TokenIsExpired).
func (e *gatewayError) linkedAccount() bool {
	return e.Status == 401 && e.Code == "" && strings.EqualFold(strings.TrimSpace(e.Message), "Request is denied")
}

// insufficientScopes: a 401 that only says the endpoint is not allowed for
// this account; the session itself lives.
func (e *gatewayError) insufficientScopes() bool {
	return e.Status == 401 && strings.Contains(strings.ToLower(e.Code+" "+e.Message), "insufficient scopes")
}

// down: maintenance or a server fault, never the user's doing.
func (e *gatewayError) down() bool { return e.Status >= 500 }

// parseGateway reads a gateway answer: a 2xx JSON object is returned as
// fields; anything else is a *gatewayError, or a plain error when a 2xx
// answer is not a JSON object.
func parseGateway(status int, body []byte) (map[string]json.RawMessage, error) {
	var obj map[string]json.RawMessage
	if json.Unmarshal(body, &obj) != nil {
		obj = nil
	}
	code, msg, isErr := envelope(obj)
	if status >= 200 && status <= 299 && !isErr {
		if obj == nil {
			return nil, fmt.Errorf("HTTP %d answer is not a JSON object", status)
		}
		return obj, nil
	}
	return nil, &gatewayError{Status: status, Code: provider.CleanText(code), Message: provider.CleanText(msg)}
}

// envelope reads the error envelope's Code and Message; Message is a string
// on the gateway and a list of {"description": ...} in maintenance answers.
func envelope(obj map[string]json.RawMessage) (code, msg string, isErr bool) {
	if obj == nil {
		return "", "", false
	}
	var status string
	_ = json.Unmarshal(obj["Status"], &status)
	_ = json.Unmarshal(obj["Code"], &code)
	msg = messageText(obj["Message"])
	if msg == "" {
		msg = messageText(obj["MessagePL"])
	}
	isErr = strings.EqualFold(status, "Error") || strings.EqualFold(code, "TokenIsExpired")
	return code, msg, isErr
}

func messageText(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var list []struct {
		Description string `json:"description"`
	}
	if json.Unmarshal(raw, &list) == nil {
		var parts []string
		for _, d := range list {
			if d.Description != "" {
				parts = append(parts, d.Description)
			}
		}
		return strings.Join(parts, "; ")
	}
	return ""
}

// maintenanceNote quotes a 503 answer's description, for the cause.
func maintenanceNote(body []byte) string {
	var obj map[string]json.RawMessage
	if json.Unmarshal(body, &obj) != nil {
		return ""
	}
	if m := messageText(obj["Message"]); m != "" {
		return ": " + provider.CleanText(m)
	}
	return ""
}

// userIdentifier is TokenInfo's one required field. It becomes the
// account's identity, stored in the entries index and compared on reauth,
// so it must be plain text as it stands: one that provider.CleanText would
// change (controls, escapes, bidi marks, odd spaces, over 200 runes) is
// refused, never cleaned into a different identity.
func userIdentifier(fields map[string]json.RawMessage) (string, error) {
	var id string
	if err := json.Unmarshal(fields["UserIdentifier"], &id); err != nil || strings.TrimSpace(id) == "" {
		return "", provider.Fail(provider.KeyServiceChanged, "token info: no UserIdentifier string in the answer")
	}
	if clean := provider.CleanText(id); clean != id {
		return "", provider.Fail(provider.KeyServiceChanged, "token info: UserIdentifier is not plain text (%q)", clean)
	}
	return id, nil
}

// userName is "FirstName LastName" from UserInfo, at the top level or under
// a wrapper object as other gateway resources have, made safe for a
// terminal and the index by provider.CleanText; "" when absent (UserInfo
// in some clients' models has no names at all).
func userName(fields map[string]json.RawMessage) string {
	return provider.CleanText(rawUserName(fields))
}

func rawUserName(fields map[string]json.RawMessage) string {
	if n := nameOf(fields); n != "" {
		return n
	}
	for _, wrap := range []string{"UserInfo", "User", "Account", "Me"} {
		var inner map[string]json.RawMessage
		if json.Unmarshal(fields[wrap], &inner) == nil {
			if n := nameOf(inner); n != "" {
				return n
			}
		}
	}
	return ""
}

func nameOf(fields map[string]json.RawMessage) string {
	var first, last string
	_ = json.Unmarshal(fields["FirstName"], &first)
	_ = json.Unmarshal(fields["LastName"], &last)
	return strings.Join(strings.Fields(first+" "+last), " ")
}
