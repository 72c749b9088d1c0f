// Package store keeps config entries: the entries index (entries.json, never
// a secret) and each entry's token cache in the OS keyring, split into
// chunks under a manifest so no item exceeds what every OS keyring accepts.
package store

import (
	"errors"
	"time"
)

// IssueAuthExpired is the repair issue recorded when a token cache can no
// longer be refreshed; a successful reauth deletes it.
const IssueAuthExpired = "auth_expired"

// Entry is one configured account as kept in the entries index. It holds
// nothing secret: the token cache lives in the keyring under Keyring.
type Entry struct {
	ID       string            `json:"entry_id"`
	Domain   string            `json:"domain"`
	Title    string            `json:"title"`
	UniqueID string            `json:"unique_id"`
	Data     map[string]string `json:"data,omitempty"`
	Created  time.Time         `json:"created_at"`
	Modified time.Time         `json:"modified_at"`
	Keyring  KeyringRef        `json:"keyring"`
	Issues   []Issue           `json:"issues,omitempty"`
}

// DataLogin is the Data key holding the login / e-mail the entry was made
// with, to prefill reauth and to match --account.
const DataLogin = "login"

// KeyringRef says where an entry's token cache lives in the keyring.
type KeyringRef struct {
	Service string `json:"service"`
	Item    string `json:"item"`
}

// Issue is an open repair issue on an entry.
type Issue struct {
	ID       string    `json:"issue_id"`
	Severity string    `json:"severity"`
	Created  time.Time `json:"created_at"`
}

// HasIssue reports whether the entry has the repair issue id open.
func (e Entry) HasIssue(id string) bool {
	for _, is := range e.Issues {
		if is.ID == id {
			return true
		}
	}
	return false
}

// Login is the login the entry was created with.
func (e Entry) Login() string { return e.Data[DataLogin] }

var (
	// ErrNotFound means no entry (or no cache) has that id.
	ErrNotFound = errors.New("not found")
	// ErrDuplicate means an entry of the same domain already has the unique id.
	ErrDuplicate = errors.New("unique id already configured")
	// ErrKeyring marks every failure of the OS keyring (exit code 3).
	ErrKeyring = errors.New("keyring unavailable")
)
