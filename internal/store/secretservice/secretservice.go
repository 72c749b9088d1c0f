// Package secretservice is a client of the freedesktop Secret Service
// (gnome-keyring, KeePassXC, KWallet's bridge) over D-Bus that keeps one
// bus connection and one "plain" session for the life of the process.
//
// go-keyring v0.2.8 opens a session, unlocks the collection and closes the
// session again for every item (six or more D-Bus round trips each); the
// store reads a manifest and up to four chunks per token cache, so a
// `--token` spent most of its time there (bench/README.md). Here a Get is
// two calls once the session is open: SearchItems and GetSecret.
//
// The items are exactly go-keyring's: the same attributes (service,
// username), the same label ("Password for 'USER' on 'SERVICE'"), the same
// collection (login if it exists, else the default alias), created with
// replace=true. Items written by either are the same items, so caches
// written by older setupwizards stay readable and the other way round.
//
// Missing items are reported as keyring.ErrNotFound (go-keyring's), and
// error texts carry the D-Bus error name and message, which the store's
// classification matches (internal/store/errors.go).
package secretservice

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/godbus/dbus/v5"
	"github.com/zalando/go-keyring"
)

// D-Bus names of the Secret Service API, as go-keyring uses them.
const (
	serviceName         = "org.freedesktop.secrets"
	servicePath         = "/org/freedesktop/secrets"
	serviceInterface    = "org.freedesktop.Secret.Service"
	collectionInterface = "org.freedesktop.Secret.Collection"
	itemInterface       = "org.freedesktop.Secret.Item"
	sessionInterface    = "org.freedesktop.Secret.Session"
	promptInterface     = "org.freedesktop.Secret.Prompt"

	loginCollection      = dbus.ObjectPath("/org/freedesktop/secrets/collection/login")
	loginCollectionAlias = dbus.ObjectPath("/org/freedesktop/secrets/aliases/default")
	noPrompt             = dbus.ObjectPath("/")
)

// secret is the Secret Service's (oayays) secret struct.
type secret struct {
	Session     dbus.ObjectPath
	Parameters  []byte
	Value       []byte
	ContentType string
}

// Client talks to the Secret Service on the session bus. The connection,
// session and collection are set up on first use and kept; a call that
// finds them gone (the daemon restarted, the bus connection dropped) sets
// them up again and is retried once. A Client is safe for concurrent use;
// its calls run one at a time. The zero value is ready to use.
type Client struct {
	mu sync.Mutex
	// conn, session and collection are nil/empty until the first call and
	// after a reset. Guarded by mu.
	conn       *dbus.Conn
	session    dbus.ObjectPath
	collection dbus.ObjectPath
	// unlocked is set once the collection was unlocked through this
	// session (go-keyring unlocks it on every call; once is enough unless
	// it is locked again, which GetSecret reports). Guarded by mu.
	unlocked bool
	// sessions counts the sessions opened, for tests. Guarded by mu.
	sessions int
	// shut is set by Shutdown: no call opens a connection again. Guarded
	// by mu.
	shut bool
	// connect dials the session bus; tests replace it.
	connect func() (*dbus.Conn, error)
}

// Get reads the secret of the item with attributes service and username;
// a missing item is keyring.ErrNotFound.
func (c *Client) Get(service, user string) (string, error) {
	var v string
	err := c.do(func() error {
		var err error
		v, err = c.get(service, user)
		return err
	})
	return v, err
}

// Set creates the item or replaces its secret, as go-keyring does.
func (c *Client) Set(service, user, secret string) error {
	return c.do(func() error { return c.set(service, user, secret) })
}

// Delete removes the item; a missing item is keyring.ErrNotFound.
func (c *Client) Delete(service, user string) error {
	return c.do(func() error { return c.delete(service, user) })
}

// Close closes the session and the bus connection; the next call opens
// new ones.
func (c *Client) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.conn == nil {
		return nil
	}
	if c.session != "" {
		_ = c.conn.Object(serviceName, c.session).Call(sessionInterface+".Close", 0).Err
	}
	err := c.conn.Close()
	c.reset()
	return err
}

// ErrShutdown is the error of a call made after Shutdown.
var ErrShutdown = errors.New("secret service: the client was shut down")

// Shutdown waits for the call in flight, if any, to be answered, closes
// the connection, and refuses every later call. A process calls it before
// it exits: gnome-keyring 42 can abort (assertion 'client' failed) when a
// client's connection closes while its OpenSession is still being
// dispatched (docs/storage.md, "Leaving the keyring"), so a process should
// not simply exit with a call on the wire. The session is not closed by a
// call of its own: the service drops a client's sessions when its
// connection closes, and a round trip would only slow every exit. It
// blocks as long as the call in flight does; callers bound the wait.
func (c *Client) Shutdown() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.shut = true
	var err error
	if c.conn != nil {
		err = c.conn.Close()
	}
	c.reset()
	return err
}

// Sessions reports how many sessions the client has opened, so tests can
// check one is kept across calls.
func (c *Client) Sessions() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sessions
}

// do runs f with the session open, and once more on a fresh connection
// and session if f failed because they are gone.
func (c *Client) do(f func() error) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.shut {
		return ErrShutdown
	}
	fresh := c.conn == nil
	if err := c.open(); err != nil {
		return err
	}
	err := f()
	if err == nil || fresh || !gone(err) {
		return err
	}
	c.drop()
	if err := c.open(); err != nil {
		return err
	}
	return f()
}

// open connects, opens a plain session and picks the collection, unless
// done already. c.mu is held.
func (c *Client) open() error {
	if c.conn != nil && c.conn.Connected() {
		return nil
	}
	c.drop()
	connect := c.connect
	if connect == nil {
		connect = connectSessionBus // bus.go: never a bus of its own
	}
	conn, err := connect()
	if err != nil {
		return fmt.Errorf("secret service: %w", err)
	}
	var ignored dbus.Variant
	var session dbus.ObjectPath
	err = conn.Object(serviceName, servicePath).
		Call(serviceInterface+".OpenSession", 0, "plain", dbus.MakeVariant("")).
		Store(&ignored, &session)
	if err != nil {
		_ = conn.Close()
		return wrap("OpenSession", err)
	}
	c.conn, c.session = conn, session
	c.sessions++
	c.collection = c.loginCollection()
	return nil
}

// loginCollection is go-keyring's choice: the collection named login if
// the service lists it, else the default alias. c.mu is held.
func (c *Client) loginCollection() dbus.ObjectPath {
	v, err := c.conn.Object(serviceName, servicePath).GetProperty(serviceInterface + ".Collections")
	if err == nil {
		if paths, ok := v.Value().([]dbus.ObjectPath); ok {
			for _, p := range paths {
				if p == loginCollection {
					return loginCollection
				}
			}
		}
	}
	return loginCollectionAlias
}

// drop forgets a connection found broken (or a session found gone) and
// closes it. c.mu is held.
func (c *Client) drop() {
	if c.conn != nil {
		_ = c.conn.Close()
	}
	c.reset()
}

func (c *Client) reset() {
	c.conn, c.session, c.collection, c.unlocked = nil, "", "", false
}

// gone reports whether err says the connection, the session or an object
// of the service no longer exists, as after a daemon restart: worth one
// retry on a fresh connection and session.
func gone(err error) bool {
	if errors.Is(err, dbus.ErrClosed) {
		return true
	}
	switch errorName(err) {
	case "org.freedesktop.Secret.Error.NoSession",
		"org.freedesktop.DBus.Error.UnknownObject",
		"org.freedesktop.DBus.Error.UnknownMethod",
		"org.freedesktop.DBus.Error.NoReply",
		"org.freedesktop.DBus.Error.Disconnected":
		return true
	}
	return false
}

// vanished recognises the service's answer about an item object that was
// deleted after SearchItems found it (another setupwizard dropping an old
// generation's chunks while this one reads them): gnome-keyring answers
// UnknownMethod "Object does not exist at path ...", others "No such
// interface org.freedesktop.Secret.Item" or UnknownObject. Such an item is
// missing, not a keyring failure, and no reason to reconnect.
func vanished(err error) bool {
	switch errorName(err) {
	case "org.freedesktop.DBus.Error.UnknownMethod", "org.freedesktop.DBus.Error.UnknownObject":
		return true
	}
	msg := strings.ToLower(err.Error())
	return strings.Contains(msg, "object does not exist at path") ||
		(strings.Contains(msg, "no such interface") && strings.Contains(msg, "org.freedesktop.secret.item"))
}

// wrap names the failed method and keeps the D-Bus error name in the text
// (the store classifies errors by their text: "IsLocked", "ServiceUnknown").
func wrap(method string, err error) error {
	if name := errorName(err); name != "" && err.Error() != name {
		return fmt.Errorf("secret service %s: %w [%s]", method, err, name)
	}
	return fmt.Errorf("secret service %s: %w", method, err)
}

// errorName is the D-Bus error name in err, or "".
func errorName(err error) string {
	var de dbus.Error
	if errors.As(err, &de) {
		return de.Name
	}
	var dp *dbus.Error
	if errors.As(err, &dp) && dp != nil {
		return dp.Name
	}
	return ""
}

// isLocked reports whether err is the service's IsLocked error.
func isLocked(err error) bool {
	return errorName(err) == "org.freedesktop.Secret.Error.IsLocked"
}

func attributes(service, user string) map[string]string {
	return map[string]string{"username": user, "service": service}
}

// unlockCollection unlocks the collection, once per session, prompting if
// the service asks to. c.mu is held.
func (c *Client) unlockCollection() error {
	if c.unlocked {
		return nil
	}
	if err := c.unlock(c.collection); err != nil {
		return err
	}
	c.unlocked = true
	return nil
}

// unlock is go-keyring's Unlock: it fails unless path (or, for the default
// alias, one object) ends up unlocked, with go-keyring's message, which the
// store classifies as a locked keyring. c.mu is held.
func (c *Client) unlock(path dbus.ObjectPath) error {
	var unlocked []dbus.ObjectPath
	var prompt dbus.ObjectPath
	err := c.conn.Object(serviceName, servicePath).
		Call(serviceInterface+".Unlock", 0, []dbus.ObjectPath{path}).
		Store(&unlocked, &prompt)
	if err != nil {
		return wrap("Unlock", err)
	}
	v, err := c.prompt(prompt)
	if err != nil {
		return err
	}
	if more, ok := v.Value().([]dbus.ObjectPath); ok {
		unlocked = append(unlocked, more...)
	}
	if len(unlocked) != 1 || (path != loginCollectionAlias && unlocked[0] != path) {
		return fmt.Errorf("secret service Unlock: failed to unlock correct collection '%v'", path)
	}
	return nil
}

// prompt shows the service's prompt, if any, and waits for its Completed
// signal, as go-keyring does (no timeout here: the store's timed keyring
// bounds every call). A dismissed prompt yields an empty result. c.mu is
// held.
func (c *Client) prompt(path dbus.ObjectPath) (dbus.Variant, error) {
	if path == noPrompt || path == "" {
		return dbus.MakeVariant(""), nil
	}
	match := []dbus.MatchOption{dbus.WithMatchObjectPath(path), dbus.WithMatchInterface(promptInterface)}
	if err := c.conn.AddMatchSignal(match...); err != nil {
		return dbus.Variant{}, wrap("AddMatch", err)
	}
	defer func() { _ = c.conn.RemoveMatchSignal(match...) }()
	ch := make(chan *dbus.Signal, 4)
	c.conn.Signal(ch)
	defer c.conn.RemoveSignal(ch)
	if err := c.conn.Object(serviceName, path).Call(promptInterface+".Prompt", 0, "").Err; err != nil {
		return dbus.Variant{}, wrap("Prompt", err)
	}
	for sig := range ch {
		if sig.Path != path || sig.Name != promptInterface+".Completed" || len(sig.Body) < 2 {
			continue
		}
		dismissed, _ := sig.Body[0].(bool)
		result, _ := sig.Body[1].(dbus.Variant)
		if dismissed {
			return dbus.MakeVariant(""), nil
		}
		return result, nil
	}
	return dbus.Variant{}, fmt.Errorf("secret service Prompt: %w", dbus.ErrClosed)
}

// search lists the items of the collection with the two attributes.
// c.mu is held.
func (c *Client) search(service, user string) ([]dbus.ObjectPath, error) {
	var items []dbus.ObjectPath
	err := c.conn.Object(serviceName, c.collection).
		Call(collectionInterface+".SearchItems", 0, attributes(service, user)).
		Store(&items)
	if err != nil {
		return nil, wrap("SearchItems", err)
	}
	return items, nil
}

// find returns the first item with the two attributes, unlocking the
// collection first as go-keyring does (once per session).
func (c *Client) find(service, user string) (dbus.ObjectPath, error) {
	if err := c.unlockCollection(); err != nil {
		return "", err
	}
	items, err := c.search(service, user)
	if err != nil {
		return "", err
	}
	if len(items) == 0 {
		return "", keyring.ErrNotFound
	}
	return items[0], nil
}

func (c *Client) get(service, user string) (string, error) {
	item, err := c.find(service, user)
	if err != nil {
		return "", err
	}
	return c.read(item)
}

// read returns the secret of the item found at path. c.mu is held.
func (c *Client) read(item dbus.ObjectPath) (string, error) {
	var s secret
	call := func() error {
		return c.conn.Object(serviceName, item).Call(itemInterface+".GetSecret", 0, c.session).Store(&s)
	}
	err := call()
	if isLocked(err) {
		// Locked since we unlocked it (go-keyring unlocks the item every
		// time): unlock the item, then read again.
		c.unlocked = false
		if err := c.unlock(item); err != nil {
			return "", err
		}
		err = call()
	}
	if err != nil && vanished(err) {
		return "", fmt.Errorf("%w (deleted while it was read: %v)", keyring.ErrNotFound, err)
	}
	if err != nil {
		return "", wrap("GetSecret", err)
	}
	return string(s.Value), nil
}

func (c *Client) set(service, user, value string) error {
	// go-keyring unlocks before every write; a collection locked since is
	// reported as IsLocked, and then unlocked again below.
	if err := c.unlockCollection(); err != nil {
		return err
	}
	props := map[string]dbus.Variant{
		itemInterface + ".Label":      dbus.MakeVariant(fmt.Sprintf("Password for '%s' on '%s'", user, service)),
		itemInterface + ".Attributes": dbus.MakeVariant(attributes(service, user)),
	}
	sec := secret{Session: c.session, Parameters: []byte{}, Value: []byte(value), ContentType: "text/plain; charset=utf8"}
	create := func() error {
		var item, prompt dbus.ObjectPath
		err := c.conn.Object(serviceName, c.collection).
			Call(collectionInterface+".CreateItem", 0, props, sec, true).
			Store(&item, &prompt)
		if err != nil {
			return err
		}
		_, err = c.prompt(prompt)
		return err
	}
	err := create()
	if isLocked(err) {
		c.unlocked = false
		if err := c.unlockCollection(); err != nil {
			return err
		}
		err = create()
	}
	if err != nil {
		return wrap("CreateItem", err)
	}
	return nil
}

func (c *Client) delete(service, user string) error {
	item, err := c.find(service, user)
	if err != nil {
		return err
	}
	var prompt dbus.ObjectPath
	if err := c.conn.Object(serviceName, item).Call(itemInterface+".Delete", 0).Store(&prompt); err != nil {
		if vanished(err) {
			return fmt.Errorf("%w (deleted meanwhile: %v)", keyring.ErrNotFound, err)
		}
		return wrap("Delete", err)
	}
	_, err = c.prompt(prompt)
	return err
}
