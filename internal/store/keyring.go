package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
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

// SystemKeyring is the OS keyring. Where go-keyring talks to the Secret
// Service (Linux and the BSDs) it is package secretservice, which keeps
// one D-Bus session for the whole process instead of one per item;
// elsewhere (macOS Keychain, Windows Credential Manager) it is GoKeyring.
// Both store the same items, so either reads what the other wrote.
type SystemKeyring struct{}

// Get reads an item.
func (SystemKeyring) Get(service, user string) (string, error) {
	return systemBackend.Get(service, user)
}

// Set creates or overwrites an item.
func (SystemKeyring) Set(service, user, secret string) error {
	return systemBackend.Set(service, user, secret)
}

// Delete removes an item.
func (SystemKeyring) Delete(service, user string) error { return systemBackend.Delete(service, user) }

// GoKeyring is github.com/zalando/go-keyring's package functions as they
// are: the system keyring on macOS and Windows, and the one that follows
// keyring.MockInit, which unit tests use.
type GoKeyring struct{}

// Get reads an item. An item deleted between the search and the read
// (another setupwizard dropping an old generation's chunks while this one
// reads them) is missing, not a keyring failure: the Secret Service then
// names an object that no longer exists (see vanished; package
// secretservice has its own check).
func (GoKeyring) Get(service, user string) (string, error) {
	v, err := keyring.Get(service, user)
	if err != nil && vanished(err) {
		return "", fmt.Errorf("%w (deleted while it was read: %v)", keyring.ErrNotFound, err)
	}
	return v, err
}

// vanished recognises the Secret Service's answers about an item object
// that was deleted after it was found: gnome-keyring says "Object does not
// exist at path ..." or "No such interface org.freedesktop.Secret.Item on
// object ...", D-Bus itself UnknownObject.
func vanished(err error) bool {
	msg := strings.ToLower(err.Error())
	return strings.Contains(msg, "object does not exist at path") ||
		(strings.Contains(msg, "no such interface") && strings.Contains(msg, "org.freedesktop.secret.item")) ||
		strings.Contains(msg, "org.freedesktop.dbus.error.unknownobject")
}

// Set creates or overwrites an item.
func (GoKeyring) Set(service, user, secret string) error { return keyring.Set(service, user, secret) }

// Delete removes an item.
func (GoKeyring) Delete(service, user string) error { return keyring.Delete(service, user) }

// timedKeyring runs every call of k in a goroutine and gives up after
// timeout, so a hung keyring cannot hang the wizard. A call that timed out
// while in the keyring keeps running and may still land later: it is
// counted as hung until it returns, and the Store keeps entries.lock until
// then (Store.with), so the late write cannot interleave with another
// process's change. Errors come back classified (classify).
type timedKeyring struct {
	k       Keyring
	timeout time.Duration
	// turn is held by the goroutine making a call, so calls reach the
	// keyring one at a time and in order: a hung call makes the following
	// ones time out instead of overtaking it.
	turn chan struct{}

	mu sync.Mutex
	// hung counts calls abandoned while in the keyring that have not
	// returned; queued counts clean-up work (queue) not yet done.
	hung, queued int
	// idle is closed while hung and queued are both 0.
	idle chan struct{}
	// queuedExit, when set (tests), runs when a call that timed out before
	// its turn came ends its goroutine.
	queuedExit func()
}

func newTimedKeyring(k Keyring, timeout time.Duration) *timedKeyring {
	idle := make(chan struct{})
	close(idle)
	return &timedKeyring{k: k, timeout: timeout, turn: make(chan struct{}, 1), idle: idle}
}

type result struct {
	val string
	err error
}

// call is the state of one run, guarded by timedKeyring.mu.
type call struct {
	running, done, gaveUp bool
}

// addBusy and doneBusy keep idle in step with hung + queued; t.mu is held.
func (t *timedKeyring) addBusy(hung, queued int) {
	if t.hung+t.queued == 0 {
		t.idle = make(chan struct{})
	}
	t.hung += hung
	t.queued += queued
	if t.hung+t.queued == 0 {
		close(t.idle)
	}
}

// busy reports whether an abandoned call or queued clean-up has yet to
// finish.
func (t *timedKeyring) busy() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.hung+t.queued > 0
}

// idleCh is closed once nothing is hung or queued (at the time of the call).
func (t *timedKeyring) idleCh() <-chan struct{} {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.idle
}

func (t *timedKeyring) exitQueued() {
	t.mu.Lock()
	f := t.queuedExit
	t.mu.Unlock()
	if f != nil {
		f()
	}
}

// errMayHaveLanded marks an error of a write or delete that was abandoned
// while in the keyring: it may still take effect.
var errMayHaveLanded = errors.New("the call may still take effect")

// mayHaveLanded is err, also matching errMayHaveLanded, with err's text.
type mayHaveLanded struct{ err error }

func (m mayHaveLanded) Error() string   { return m.err.Error() }
func (m mayHaveLanded) Unwrap() []error { return []error{m.err, errMayHaveLanded} }

// run makes one keyring call, giving up after the timeout or when ctx
// ends. A call abandoned while in the keyring returns an error matching
// errMayHaveLanded; one abandoned before its turn never reaches the keyring.
func (t *timedKeyring) run(ctx context.Context, op, service, user string, f func() (string, error)) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	item := service + " " + user
	c := &call{}
	ch := make(chan result, 1) // buffered: a late answer must not block the goroutine forever
	gaveUp := make(chan struct{})
	go func() {
		select {
		case t.turn <- struct{}{}:
		case <-gaveUp: // timed out while queued: never reach the keyring
			t.exitQueued()
			return
		}
		t.mu.Lock()
		if c.gaveUp { // the turn came just as the caller gave up
			t.mu.Unlock()
			<-t.turn
			t.exitQueued()
			return
		}
		c.running = true
		t.mu.Unlock()
		v, err := f()
		ch <- result{v, err}
		t.mu.Lock()
		c.done = true
		if c.gaveUp {
			t.addBusy(-1, 0)
		}
		t.mu.Unlock()
		<-t.turn
	}()
	timer := time.NewTimer(t.timeout)
	defer timer.Stop()
	var ctxErr error
	select {
	case r := <-ch:
		return r.val, classify(op, item, r.err)
	case <-timer.C:
	case <-ctx.Done():
		ctxErr = ctx.Err()
	}
	t.mu.Lock()
	if c.done { // answered as the timer fired
		t.mu.Unlock()
		r := <-ch
		return r.val, classify(op, item, r.err)
	}
	c.gaveUp = true
	running := c.running
	if running {
		t.addBusy(1, 0)
	}
	t.mu.Unlock()
	close(gaveUp)
	switch {
	case ctxErr != nil && running:
		return "", mayHaveLanded{fmt.Errorf("keyring %s %s: %w", op, item, ctxErr)}
	case ctxErr != nil:
		return "", fmt.Errorf("keyring %s %s: %w", op, item, ctxErr)
	case running:
		return "", mayHaveLanded{classify(op, item, errTimeout(t.timeout))}
	}
	return "", classify(op, item, errQueued(t.timeout))
}

// queue runs f with the turn once every call made before has returned, with
// no timeout: it is clean-up a timed-out operation could not do (the
// deletes of a failed Add). It may wait forever if the keyring never
// answers; entries.lock stays held until it has run.
func (t *timedKeyring) queue(f func(Keyring)) {
	t.mu.Lock()
	t.addBusy(0, 1)
	t.mu.Unlock()
	go func() {
		t.turn <- struct{}{}
		f(t.k)
		t.mu.Lock()
		t.addBusy(0, -1)
		t.mu.Unlock()
		<-t.turn
	}()
}

func (t *timedKeyring) get(ctx context.Context, service, user string) (string, error) {
	return t.run(ctx, "get", service, user, func() (string, error) { return t.k.Get(service, user) })
}

func (t *timedKeyring) set(ctx context.Context, service, user, secret string) error {
	_, err := t.run(ctx, "set", service, user, func() (string, error) { return "", t.k.Set(service, user, secret) })
	return err
}

func (t *timedKeyring) delete(ctx context.Context, service, user string) error {
	_, err := t.run(ctx, "delete", service, user, func() (string, error) { return "", t.k.Delete(service, user) })
	return err
}
