package store

import (
	"time"

	"github.com/zalando/go-keyring"
)

// DefaultKeyringTimeout bounds every keyring call. A locked keyring may open
// a prompt nobody answers (KWallet, a desktop over SSH) and go-keyring then
// blocks forever; 10 s leaves time to type a password, unlike gh's 3 s.
const DefaultKeyringTimeout = 10 * time.Second

// Keyring is the part of an OS keyring the store uses. It exists so tests
// can inject a failure at an exact call. A missing item must be reported
// with an error matching keyring.ErrNotFound (go-keyring's).
type Keyring interface {
	Get(service, user string) (string, error)
	Set(service, user, secret string) error
	Delete(service, user string) error
}

// SystemKeyring is the OS keyring through github.com/zalando/go-keyring
// (Secret Service, macOS Keychain, Windows Credential Manager). It follows
// keyring.MockInit too, which unit tests use.
type SystemKeyring struct{}

// Get reads an item.
func (SystemKeyring) Get(service, user string) (string, error) { return keyring.Get(service, user) }

// Set creates or overwrites an item.
func (SystemKeyring) Set(service, user, secret string) error {
	return keyring.Set(service, user, secret)
}

// Delete removes an item.
func (SystemKeyring) Delete(service, user string) error { return keyring.Delete(service, user) }

// timedKeyring runs every call of k in a goroutine and gives up after
// timeout, so a hung keyring cannot hang the wizard. A call that timed out
// keeps running in the background and may still land later; the replace
// protocol (cache.go) is written so that a late write leaves the old or
// the new cache, never a mix. Errors come back classified (classify).
type timedKeyring struct {
	k       Keyring
	timeout time.Duration
	// turn is held by the goroutine making a call, so calls reach the
	// keyring one at a time and in order: a hung call makes the following
	// ones time out instead of overtaking it.
	turn chan struct{}
}

func newTimedKeyring(k Keyring, timeout time.Duration) timedKeyring {
	return timedKeyring{k: k, timeout: timeout, turn: make(chan struct{}, 1)}
}

type result struct {
	val string
	err error
}

func (t timedKeyring) run(op, service, user string, f func() (string, error)) (string, error) {
	ch := make(chan result, 1) // buffered: a late answer must not block the goroutine forever
	gaveUp := make(chan struct{})
	go func() {
		t.turn <- struct{}{}
		defer func() { <-t.turn }()
		select {
		case <-gaveUp: // timed out while queued: never reach the keyring
			return
		default:
		}
		v, err := f()
		ch <- result{v, err}
	}()
	timer := time.NewTimer(t.timeout)
	defer timer.Stop()
	select {
	case r := <-ch:
		return r.val, classify(op, service+" "+user, r.err)
	case <-timer.C:
		close(gaveUp)
		return "", classify(op, service+" "+user, errTimeout(t.timeout))
	}
}

func (t timedKeyring) get(service, user string) (string, error) {
	return t.run("get", service, user, func() (string, error) { return t.k.Get(service, user) })
}

func (t timedKeyring) set(service, user, secret string) error {
	_, err := t.run("set", service, user, func() (string, error) { return "", t.k.Set(service, user, secret) })
	return err
}

func (t timedKeyring) delete(service, user string) error {
	_, err := t.run("delete", service, user, func() (string, error) { return "", t.k.Delete(service, user) })
	return err
}
