package store

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"time"
)

// domainRE is what a provider domain may look like (Home Assistant's rule);
// it becomes part of the keyring service name.
var domainRE = regexp.MustCompile(`^[a-z0-9_]{1,64}$`)

// newEntryID is 16 random hex digits: unguessable, and short enough to type
// after --account.
func newEntryID(taken func(string) bool) string {
	for {
		var b [8]byte
		_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
		id := hex.EncodeToString(b[:])
		if !taken(id) {
			return id
		}
	}
}

// clone copies an entry so callers cannot alias the store's maps and slices.
func clone(e Entry) Entry {
	e.Data = maps.Clone(e.Data)
	e.Issues = slices.Clone(e.Issues)
	return e
}

// find returns the index of entry id, or -1.
func find(entries []Entry, id string) int {
	return slices.IndexFunc(entries, func(e Entry) bool { return e.ID == id })
}

// hasUnique reports whether an entry of domain already has uniqueID.
func hasUnique(entries []Entry, domain, uniqueID string) bool {
	return slices.ContainsFunc(entries, func(e Entry) bool {
		return e.Domain == domain && e.UniqueID == uniqueID
	})
}

// IssueSeverity is the severity recorded with a repair issue, as Home
// Assistant's repairs use it.
const IssueSeverity = "error"

// setIssue opens or closes issue on e and reports whether e changed.
func setIssue(e *Entry, issue string, open bool, now time.Time) bool {
	if open == e.HasIssue(issue) {
		return false
	}
	if open {
		e.Issues = append(e.Issues, Issue{ID: issue, Severity: IssueSeverity, Created: now})
	} else {
		e.Issues = slices.DeleteFunc(e.Issues, func(is Issue) bool { return is.ID == issue })
		if len(e.Issues) == 0 {
			e.Issues = nil
		}
	}
	return true
}

// checkNew checks what Add needs of a new entry.
func checkNew(e Entry) error {
	switch {
	case !domainRE.MatchString(e.Domain):
		return fmt.Errorf("add entry: bad domain %q", e.Domain)
	case e.UniqueID == "":
		return errors.New("add entry: empty unique id")
	}
	return nil
}
