package store

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/zalando/go-keyring"
)

var (
	// ErrCorrupt means a token cache in the keyring cannot be trusted: a
	// manifest that does not parse, a missing chunk, a hash mismatch. It is
	// not ErrKeyring: the keyring works, the data in it is bad; a reauth
	// (ReplaceCache) overwrites it.
	ErrCorrupt = errors.New("token cache in the keyring is corrupt")
	// ErrKept means a Remove failed before it deleted anything: the entry
	// and its cache are as they were, and nothing will finish it later.
	ErrKept = errors.New("nothing was removed; the entry is kept as it was")
	// ErrRemoveUnfinished means a Remove failed after it began deleting,
	// or when the keyring could not say whether it had: the next change
	// finishes it if it had begun, and keeps the entry otherwise.
	ErrRemoveUnfinished = errors.New("the remove did not finish; the next change finishes it if it had begun deleting")
	// ErrRemoved means the entry is gone from the index, or being removed
	// by another setupwizard: callers have their ids from the index, so
	// it was removed meanwhile. Errors matching it match ErrNotFound too.
	ErrRemoved = errors.New("the entry was removed")
	// ErrIndex means entries.json cannot be read safely (bad JSON, unknown
	// or future version). The file is left untouched so nothing is lost.
	ErrIndex = errors.New("entries index unreadable")
	// ErrLocked means another setupwizard held the entries lock longer
	// than the lock timeout.
	ErrLocked = errors.New("entries index is locked by another setupwizard")
	// ErrTooLarge means a token cache is over MaxCacheSize.
	ErrTooLarge = errors.New("token cache too large")
	// ErrNewer means a token cache's manifest was written by a newer
	// setupwizard (a higher format version). It is never overwritten or
	// deleted: the newer program's data would be lost.
	ErrNewer = errors.New("token cache written by a newer setupwizard")
)

// errItemMissing is how the timed keyring reports keyring.ErrNotFound: the
// item is absent, the keyring itself works.
var errItemMissing = keyring.ErrNotFound

// KeyringError is a failure of the OS keyring itself. It matches
// ErrKeyring with errors.Is (the command line maps it to exit code 3), and
// its message says what went wrong and how to fix it, because the user
// usually has to act outside setupwizard (start or unlock a keyring).
type KeyringError struct {
	Kind   KeyringKind // which situation, for the words a person is shown
	Op     string      // "get", "set" or "delete"
	Item   string      // service and user of the item, never its value
	Reason string      // what went wrong, in words
	Fix    string      // what the user can do
	Err    error       // the backend's error (D-Bus, Keychain, Credential Manager)
}

// Error says what failed, why and how to fix it. Backend errors never carry
// secret values (only item names), so the cause is safe to show.
func (e *KeyringError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "keyring %s %s: %s", e.Op, e.Item, e.Reason)
	if e.Err != nil {
		fmt.Fprintf(&b, " (%v)", e.Err)
	}
	if e.Fix != "" {
		b.WriteString("; ")
		b.WriteString(e.Fix)
	}
	return b.String()
}

// Unwrap makes errors.Is(err, ErrKeyring) true and keeps the cause reachable.
func (e *KeyringError) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrKeyring}
	}
	return []error{ErrKeyring, e.Err}
}

// KeyringKind is which of the situations a person meets on a machine
// without a working keyring a failure is: each needs a different fix
// (docs/storage.md, "When the keyring cannot be used").
type KeyringKind string

const (
	// KeyringNoBus: there is no D-Bus session bus to reach (none named,
	// no user bus, or the named one is gone). No bus is ever started.
	KeyringNoBus KeyringKind = "no_bus"
	// KeyringNoService: a bus, but nothing provides the Secret Service on it.
	KeyringNoService KeyringKind = "no_service"
	// KeyringLocked: a Secret Service whose collection stayed locked (the
	// unlock failed, or its prompt was dismissed or could not be shown).
	KeyringLocked KeyringKind = "locked"
	// KeyringPrompt: the keyring did not answer in time, as when a
	// password prompt waits on a desktop nobody is looking at.
	KeyringPrompt KeyringKind = "prompt"
	// KeyringOther: any other failure of the keyring.
	KeyringOther KeyringKind = "other"
)

// errTimeout is the cause of a KeyringError when a call did not return.
type errTimeout time.Duration

func (e errTimeout) Error() string {
	return fmt.Sprintf("no answer within %v", time.Duration(e))
}

// timeoutReason is the reason of a KeyringError when the keyring did not
// answer in time.
const timeoutReason = "the keyring did not answer (a password prompt may be waiting for an answer, or the keyring is locked)"

// errQueued is the cause of a KeyringError when a call never got its turn:
// an earlier call of this process is still stuck in the keyring.
type errQueued time.Duration

func (e errQueued) Error() string {
	return fmt.Sprintf("waited %v behind an earlier keyring call", time.Duration(e))
}

// keyringCause maps backend error texts to a reason and a fix. The texts are
// those go-keyring and godbus produce (docs/storage.md lists the situations); they are
// matched as substrings of the lower-cased message, first match wins.
var keyringCauses = []struct {
	kind        KeyringKind
	match       []string
	reason, fix string
}{
	{
		// A prompt the Secret Service client dismissed after the keyring
		// timeout (secretservice.ErrPromptTimeout): the same words as a
		// call that did not return, but nothing was changed.
		KeyringPrompt,
		[]string{"nobody answered the keyring's prompt"},
		timeoutReason,
		"unlock the keyring or answer its prompt, then retry",
	},
	{
		KeyringNoBus,
		[]string{"dbus-launch"},
		"no D-Bus session bus: DBUS_SESSION_BUS_ADDRESS is unset and dbus-launch is not installed",
		"run setupwizard in a desktop session, or start a session bus with a keyring for it: dbus-run-session -- sh -c 'gnome-keyring-daemon --unlock --components=secrets; setupwizard ...' (gnome-keyring-daemon reads the keyring password on stdin)",
	},
	{
		// The Secret Service client's own words (secretservice.NoBusError):
		// nothing named and no user bus, or the named bus is gone.
		KeyringNoBus,
		[]string{"no d-bus session bus"},
		"no D-Bus session bus (none is named and there is no user bus at $XDG_RUNTIME_DIR/bus, or the named one is gone)",
		"log in through systemd-logind with dbus-user-session installed (a user bus for every login, SSH included), or run setupwizard inside dbus-run-session; see README, Servers and SSH",
	},
	{
		KeyringNoBus,
		[]string{"couldn't determine address of session bus", "dial unix", "connection refused", "session bus"},
		"cannot connect to the D-Bus session bus",
		"check DBUS_SESSION_BUS_ADDRESS, or run setupwizard inside dbus-run-session",
	},
	{
		KeyringNoService,
		[]string{"org.freedesktop.secrets was not provided", "serviceunknown", "name has no owner", "namehasnoowner", "org.freedesktop.dbus.error.spawn."},
		"no Secret Service on the session bus",
		"install and start a Secret Service provider such as gnome-keyring (Debian/Ubuntu: apt install gnome-keyring) or KeePassXC with Secret Service integration enabled",
	},
	{
		KeyringLocked,
		[]string{"failed to unlock", "islocked", "is locked", "prompt dismissed"},
		"the keyring collection is locked (or its unlock prompt was dismissed)",
		"unlock the keyring (log in to the desktop, or use Passwords and Keys / Seahorse; headless: gnome-keyring-daemon --unlock reads the password on stdin) and retry",
	},
	{
		KeyringOther,
		[]string{"data passed to set was too big"},
		"the keyring refused an item as too big",
		"report this: setupwizard keeps every item under 2048 bytes",
	},
}

// classify turns a backend error into a KeyringError, or passes
// keyring.ErrNotFound through unchanged (an absent item is not a failure).
func classify(op, item string, err error) error {
	if err == nil || errors.Is(err, keyring.ErrNotFound) {
		return err
	}
	ke := &KeyringError{Kind: KeyringOther, Op: op, Item: item, Err: err}
	var to errTimeout
	if errors.As(err, &to) {
		ke.Kind = KeyringPrompt
		ke.Reason = timeoutReason
		ke.Fix = "unlock the keyring or answer its prompt, then retry (until the call returns, this setupwizard keeps entries.lock so no other one can interleave)"
		return ke
	}
	var tq errQueued
	if errors.As(err, &tq) {
		ke.Kind = KeyringPrompt
		ke.Reason = "an earlier keyring call never returned"
		ke.Fix = "restart setupwizard (answer or dismiss any keyring prompt first)"
		return ke
	}
	msg := strings.ToLower(err.Error())
	for _, c := range keyringCauses {
		for _, m := range c.match {
			if strings.Contains(msg, m) {
				ke.Kind, ke.Reason, ke.Fix = c.kind, c.reason, c.fix
				return ke
			}
		}
	}
	ke.Reason = "the OS keyring failed"
	ke.Fix = "check that a keyring (Secret Service such as gnome-keyring, macOS Keychain, Windows Credential Manager) is running and unlocked"
	return ke
}

// errGone is an entry id that is not in the index. It matches ErrNotFound
// and ErrRemoved: every caller got the id from the index, so the entry was
// removed since.
var errGone error = goneError{}

type goneError struct{}

func (goneError) Error() string { return ErrNotFound.Error() }

func (goneError) Is(target error) bool { return target == ErrNotFound || target == ErrRemoved }
