package flow

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/setupwizard/setupwizard/internal/providers/provider"
	"github.com/setupwizard/setupwizard/internal/store"
)

// CheckState is what a check found.
type CheckState string

// Check states.
const (
	// CheckValid: the cache refreshed (or a concurrent writer just stored
	// a fresh one); auth_expired is not open.
	CheckValid CheckState = "valid"
	// CheckExpired: the service said the grant is dead and auth_expired is
	// recorded on the cache that was checked.
	CheckExpired CheckState = "expired"
)

// CheckResult is the outcome of CheckEntry.
type CheckResult struct {
	State CheckState
	// Entry is the entry as it stands after the check.
	Entry store.Entry
	// Cause is the provider's answer when State is CheckExpired, for the
	// trace; it holds no secret.
	Cause error
	// Raced is set when another command wrote the cache while this one
	// checked it, and the result reports that writer's state.
	Raced bool
}

// maxAttempts bounds how often TokenFor starts again after losing a
// compare-and-swap to another writer.
const maxAttempts = 5

// CheckEntry proves entry id's stored sign-in with the provider's silent
// refresh (what --status does): under the entry's refresh lock
// (store.LockRefresh; never entries.lock, so readers do not wait) it loads
// the cache and its version, calls the service, then stores the refreshed
// cache and clears auth_expired as compare-and-swaps on that version. The
// lock makes concurrent checks and --token calls of one entry take turns:
// each reads what the one before it stored, so a provider that needs no
// request for a cache refreshed moments ago makes none. auth_expired is
// recorded only when the provider returns provider.ErrAuthExpired, and only
// if the cache is still the one checked: a reauth or a refresh that
// committed meanwhile wins, and the result reports its state (Raced).
//
// An error means nothing was recorded: a *provider.Error (cannot_connect,
// timeout, ...), or a store failure (store.ErrKeyring for the keyring,
// store.ErrLocked, store.ErrCorrupt, store.ErrOutcomeUnknown, ...), or
// the context's.
func CheckEntry(ctx context.Context, p provider.Provider, st Store, id string) (CheckResult, error) {
	unlock, err := st.LockRefresh(ctx, id)
	if err != nil {
		return CheckResult{}, err
	}
	defer unlock()
	return checkLocked(ctx, p, st, id)
}

// checkLocked is CheckEntry with the entry's refresh lock held. Every
// provider's Check makes a request (docs: a real refresh), so the issue it
// clears is cleared on the service's word.
func checkLocked(ctx context.Context, p provider.Provider, st Store, id string) (CheckResult, error) {
	cache, ver, err := st.LoadCache(ctx, id)
	if err != nil {
		return CheckResult{}, err
	}
	updated, err := p.Check(ctx, cache)
	if ctx.Err() != nil {
		return CheckResult{}, ctx.Err()
	}
	if errors.Is(err, provider.ErrAuthExpired) {
		serr := st.SetIssue(ctx, id, store.IssueAuthExpired, true, ver)
		if errors.Is(serr, store.ErrConflict) {
			return winner(ctx, st, id)
		}
		if serr != nil {
			return CheckResult{}, fmt.Errorf("record %s on entry %s: %w", store.IssueAuthExpired, id, serr)
		}
		e, gerr := st.Get(ctx, id)
		if gerr != nil {
			return CheckResult{}, gerr
		}
		return CheckResult{State: CheckExpired, Entry: e, Cause: err}, nil
	}
	if err != nil {
		return CheckResult{}, err
	}
	cur := cache
	if len(updated) > 0 && !bytes.Equal(updated, cache) {
		nv, err := st.ReplaceCache(ctx, id, updated, ver)
		if errors.Is(err, store.ErrConflict) {
			return winner(ctx, st, id)
		}
		if err != nil {
			return CheckResult{}, fmt.Errorf("save the refreshed cache of entry %s: %w", id, err)
		}
		ver, cur = nv, updated
	}
	if err := learnIdentity(ctx, p, st, id, cur); err != nil {
		return CheckResult{}, err
	}
	if err := st.SetIssue(ctx, id, store.IssueAuthExpired, false, ver); errors.Is(err, store.ErrConflict) {
		return winner(ctx, st, id)
	} else if err != nil {
		return CheckResult{}, fmt.Errorf("clear %s on entry %s: %w", store.IssueAuthExpired, id, err)
	}
	e, err := st.Get(ctx, id)
	if err != nil {
		return CheckResult{}, err
	}
	return CheckResult{State: CheckValid, Entry: e}, nil
}

// winner reports the state another writer left after it replaced the cache
// this check read: it wrote a cache it had just obtained from the service
// (a reauth or a refresh), so the account is valid unless that writer
// itself recorded auth_expired afterwards.
func winner(ctx context.Context, st Store, id string) (CheckResult, error) {
	e, err := st.Get(ctx, id)
	if err != nil {
		return CheckResult{}, err
	}
	if e.HasIssue(store.IssueAuthExpired) {
		return CheckResult{State: CheckExpired, Entry: e, Raced: true}, nil
	}
	return CheckResult{State: CheckValid, Entry: e, Raced: true}, nil
}

// learnIdentity stores the identity an entry written before identities
// were kept holds in its cache, on the first successful write after.
func learnIdentity(ctx context.Context, p provider.Provider, st Store, id string, cache []byte) error {
	e, err := st.Get(ctx, id)
	if err != nil || e.Identity != "" {
		return err
	}
	who, err := p.Identity(cache)
	if err != nil || who == "" {
		return nil // nothing to learn; the unique id check stands alone
	}
	if err := st.SetIdentity(ctx, id, who); err != nil {
		return fmt.Errorf("record identity on entry %s: %w", id, err)
	}
	return nil
}

// TokenFor returns a credential from entry id's stored sign-in that stays
// valid for at least minValid (what --token prints). It holds the entry's
// refresh lock (store.LockRefresh) from the cache read to the store, so
// of many concurrent callers one refreshes and the others, once they hold
// the lock, read the cache it stored and use it as is: one refresh for
// the lot, and no refresh that ends a credential another caller just
// printed. A cached credential is used with no request; otherwise the
// provider refreshes and the updated cache is stored as a compare-and-swap
// on the version read. A writer that takes no refresh lock (a --reauth,
// which always wins) can still replace the cache meanwhile: this caller
// then loses the swap and starts again from the winner's cache.
// auth_expired is recorded as CheckEntry does, only on
// provider.ErrAuthExpired against an unchanged cache; the error then
// matches provider.ErrAuthExpired. Other errors record nothing.
//
// No credential the service refused is handed out: an entry with
// auth_expired recorded is first checked as CheckEntry does (a request
// made now: a forced refresh, a renewal); only if the service accepts it
// is the issue cleared and a credential returned, else the error matches
// provider.ErrAuthExpired and the issue stays. The issue is cleared only
// after such a request, never on a cached credential (a provider's reuse
// window of a recent refresh does not apply to a refused one).
func TokenFor(ctx context.Context, p provider.Provider, st Store, id string, minValid time.Duration) (provider.Credential, error) {
	unlock, err := st.LockRefresh(ctx, id)
	if err != nil {
		return provider.Credential{}, err
	}
	defer unlock()
	e, err := st.Get(ctx, id)
	if err != nil {
		return provider.Credential{}, err
	}
	if e.HasIssue(store.IssueAuthExpired) {
		res, err := checkLocked(ctx, p, st, id)
		if err != nil {
			return provider.Credential{}, err
		}
		if res.State == CheckExpired {
			cause := res.Cause
			if cause == nil {
				cause = provider.ErrAuthExpired
			}
			return provider.Credential{}, fmt.Errorf("entry %s: %w", id, cause)
		}
	}
	var last provider.Credential
	for range maxAttempts {
		cache, ver, err := st.LoadCache(ctx, id)
		if err != nil {
			return provider.Credential{}, err
		}
		cred, updated, err := p.Token(ctx, cache, minValid)
		if ctx.Err() != nil {
			return provider.Credential{}, ctx.Err()
		}
		if errors.Is(err, provider.ErrAuthExpired) {
			serr := st.SetIssue(ctx, id, store.IssueAuthExpired, true, ver)
			if errors.Is(serr, store.ErrConflict) {
				continue // a newer cache arrived: try that one
			}
			if serr != nil {
				return provider.Credential{}, fmt.Errorf("record %s on entry %s: %w", store.IssueAuthExpired, id, serr)
			}
			return provider.Credential{}, fmt.Errorf("entry %s: %w", id, err)
		}
		if err != nil {
			return provider.Credential{}, err
		}
		last = cred
		cur := cache
		refreshed := len(updated) > 0
		if len(updated) > 0 && !bytes.Equal(updated, cache) {
			nv, err := st.ReplaceCache(ctx, id, updated, ver)
			if errors.Is(err, store.ErrConflict) {
				continue // use the winner's cache
			}
			if err != nil {
				return provider.Credential{}, fmt.Errorf("save the refreshed cache of entry %s: %w", id, err)
			}
			ver, cur = nv, updated
		}
		e, err := st.Get(ctx, id)
		if err != nil {
			return provider.Credential{}, err
		}
		if e.Identity == "" {
			if err := learnIdentity(ctx, p, st, id, cur); err != nil {
				return provider.Credential{}, err
			}
		}
		if e.HasIssue(store.IssueAuthExpired) {
			// Recorded since the check above (by a writer that takes
			// no refresh lock): only a request made now clears it.
			if !refreshed {
				return provider.Credential{}, fmt.Errorf("entry %s: %w", id, provider.ErrAuthExpired)
			}
			err := st.SetIssue(ctx, id, store.IssueAuthExpired, false, ver)
			if err != nil && !errors.Is(err, store.ErrConflict) {
				return provider.Credential{}, fmt.Errorf("clear %s on entry %s: %w", store.IssueAuthExpired, id, err)
			}
		}
		return cred, nil
	}
	// Every attempt lost its swap to another writer: the credential the
	// service gave last is good (it was just issued); the store keeps the
	// winners' caches.
	if last.Value != "" {
		return last, nil
	}
	return provider.Credential{}, fmt.Errorf("entry %s: the token cache kept changing: %w", id, store.ErrConflict)
}

// ErrorKeys are every error key a provider's form can show: the shared
// ones the engine supplies (provider.SharedErrorKeys) and the provider's
// own, without repeats.
func ErrorKeys(p provider.Provider) []string {
	out := slices.Clone(provider.SharedErrorKeys)
	for _, k := range p.ErrorKeys() {
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}
