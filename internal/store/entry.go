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
	// Identity is who the service vouched for at sign-in (provider
	// Account.Identity): a reauth as anyone else is refused. Empty for
	// entries written before identities were kept, until the next
	// successful write learns it from the cache.
	Identity string `json:"identity,omitempty"`
}

// Version is the generation of an entry's token cache as it was read
// (LoadCache). Writes given a Version succeed only if the cache is still
// that generation (compare-and-swap); "" means no condition.
type Version string

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
	// ErrConflict means a compare-and-swap write found the cache changed
	// since the Version it was given: another command wrote first, and
	// nothing was written. Re-read and use the winner's cache.
	ErrConflict = errors.New("token cache changed meanwhile")
	// ErrOutcomeUnknown means the switch to a new cache was abandoned
	// while in the keyring: the old or the new cache is in place (never a
	// mix), but which is not known. Check the entry (--status).
	ErrOutcomeUnknown = errors.New("the token cache may have been replaced; run --status to see which sign-in is in place")
)
