package secretservice

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/zalando/go-keyring"
)

// Item naming. An item is found by its attributes service and username,
// as go-keyring finds it; the two things below only tell setupwizard's own
// items from look-alikes another program wrote with the same two
// attributes (docs/storage.md, "Items in the keyring").
const (
	// markerAttribute, with the value markerValue, is on every item this
	// client creates. A search with it finds only setupwizard's items.
	markerAttribute = "application"
	markerValue     = "setupwizard"
)

// ErrDismissed is the cause of an operation whose prompt (an unlock or
// access dialog of the keyring) ended dismissed: the operation did not
// happen. Its text says "prompt dismissed", which the store classifies as
// a locked keyring.
var ErrDismissed = errors.New("secret service: the keyring's prompt dismissed: nothing was changed")

// ErrPromptTimeout is the cause of an operation whose prompt nobody
// answered within Client.PromptTimeout: the client dismissed it, so the
// operation did not happen.
var ErrPromptTimeout = errors.New("secret service: nobody answered the keyring's prompt (a password prompt may be waiting)")

// isLocked reports whether err is the service's IsLocked error.
func isLocked(err error) bool {
	return errorName(err) == "org.freedesktop.Secret.Error.IsLocked"
}

func attributes(service, user string) map[string]string {
	return map[string]string{"username": user, "service": service}
}

func ownAttributes(service, user string) map[string]string {
	a := attributes(service, user)
	a[markerAttribute] = markerValue
	return a
}

// Label is the label of the items this client creates: the service and
// the user, with every "/" made a space. KWallet turns a "/" in a label
// into a folder that stays after the item is deleted, and chunk users
// ("id/generation/index") have two.
func Label(service, user string) string {
	return strings.ReplaceAll(service+" "+user, "/", " ")
}

// legacyLabel is go-keyring's label, which setupwizards before the marker
// attribute gave every item: such an item is setupwizard's own too.
func legacyLabel(service, user string) string {
	return fmt.Sprintf("Password for '%s' on '%s'", user, service)
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
		return fmt.Errorf("secret service Unlock: failed to unlock correct collection '%v': %w", path, err)
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
// signal. A prompt that completes dismissed is ErrDismissed: the operation
// it stood for did not happen. c.mu is held on entry and on return but not
// while waiting, so the process's other calls (and Shutdown) are not stuck
// behind a dialog nobody answers; after PromptTimeout (if set) the prompt
// is dismissed and the call fails with ErrPromptTimeout.
func (c *Client) prompt(path dbus.ObjectPath) (dbus.Variant, error) {
	if path == noPrompt || path == "" {
		return dbus.MakeVariant(""), nil
	}
	conn := c.conn
	match := []dbus.MatchOption{dbus.WithMatchObjectPath(path), dbus.WithMatchInterface(promptInterface)}
	if err := conn.AddMatchSignal(match...); err != nil {
		return dbus.Variant{}, wrap("AddMatch", err)
	}
	// The rule goes with the connection; while it lasts, it is removed
	// (a closed or shut down connection gets no call on its way out).
	defer func() {
		if c.conn == conn && !c.shut {
			_ = conn.RemoveMatchSignal(match...)
		}
	}()
	ch := make(chan *dbus.Signal, 4)
	conn.Signal(ch)
	defer conn.RemoveSignal(ch)
	if err := conn.Object(serviceName, path).Call(promptInterface+".Prompt", 0, "").Err; err != nil {
		return dbus.Variant{}, wrap("Prompt", err)
	}
	c.prompting = append(c.prompting, path)
	onPrompt := c.onPrompt
	c.mu.Unlock()
	if onPrompt != nil {
		onPrompt(path)
	}
	var expired <-chan time.Time
	if c.PromptTimeout > 0 {
		timer := time.NewTimer(c.PromptTimeout)
		defer timer.Stop()
		expired = timer.C
	}
	var sig *dbus.Signal
wait:
	for {
		select {
		case s, ok := <-ch:
			if !ok {
				break wait
			}
			if s.Path == path && s.Name == promptInterface+".Completed" && len(s.Body) >= 2 {
				sig = s
				break wait
			}
		case <-expired:
			_ = conn.Object(serviceName, path).Call(promptInterface+".Dismiss", 0).Err
			c.mu.Lock()
			c.donePrompt(path)
			return dbus.Variant{}, ErrPromptTimeout
		}
	}
	c.mu.Lock()
	c.donePrompt(path)
	if sig == nil {
		return dbus.Variant{}, fmt.Errorf("secret service Prompt: %w", dbus.ErrClosed)
	}
	if dismissed, _ := sig.Body[0].(bool); dismissed {
		return dbus.Variant{}, ErrDismissed
	}
	result, _ := sig.Body[1].(dbus.Variant)
	if c.conn != conn {
		// Shut down or dropped while the prompt was open: the outcome is
		// known, but no later call may use the old connection.
		if c.shut {
			return result, ErrShutdown
		}
		return result, fmt.Errorf("secret service Prompt: %w", dbus.ErrClosed)
	}
	return result, nil
}

// donePrompt forgets an open prompt. c.mu is held.
func (c *Client) donePrompt(path dbus.ObjectPath) {
	for i, p := range c.prompting {
		if p == path {
			c.prompting = append(c.prompting[:i], c.prompting[i+1:]...)
			return
		}
	}
}

// dismissPrompts dismisses the prompts still open, so no dialog of this
// process outlives it. c.mu is held.
func (c *Client) dismissPrompts() {
	if c.conn == nil {
		return
	}
	for _, p := range c.prompting {
		_ = c.conn.Object(serviceName, p).Call(promptInterface+".Dismiss", 0).Err
	}
}

// searchAttrs lists the items of the collection with the attributes.
// c.mu is held.
func (c *Client) searchAttrs(attrs map[string]string) ([]dbus.ObjectPath, error) {
	var items []dbus.ObjectPath
	err := c.conn.Object(serviceName, c.collection).
		Call(collectionInterface+".SearchItems", 0, attrs).
		Store(&items)
	if err != nil {
		return nil, wrap("SearchItems", err)
	}
	return items, nil
}

// search lists the items of the collection with the two attributes, own
// and foreign. c.mu is held.
func (c *Client) search(service, user string) ([]dbus.ObjectPath, error) {
	return c.searchAttrs(attributes(service, user))
}

// own returns setupwizard's own items with the two attributes (those with
// the marker attribute first, then those with go-keyring's label, as older
// setupwizards wrote them, or this client's label: go-keyring replacing an
// item with CreateItem may drop the marker on some keyrings), unlocking the collection first (once per
// session) as go-keyring does. Items of other programs with the same two
// attributes are never returned: a lookup must not read them, nor a delete
// remove them. c.mu is held.
func (c *Client) own(service, user string) ([]dbus.ObjectPath, error) {
	if err := c.unlockCollection(); err != nil {
		return nil, err
	}
	items, err := c.searchAttrs(ownAttributes(service, user))
	if err != nil || len(items) > 0 {
		return items, err
	}
	all, err := c.search(service, user)
	if err != nil {
		return nil, err
	}
	var legacy []dbus.ObjectPath
	for _, it := range all {
		label, err := c.label(it)
		if err != nil {
			if vanished(err) {
				continue
			}
			return nil, err
		}
		if label == legacyLabel(service, user) || label == Label(service, user) {
			legacy = append(legacy, it)
		}
	}
	return legacy, nil
}

// label reads an item's label. c.mu is held.
func (c *Client) label(item dbus.ObjectPath) (string, error) {
	v, err := c.conn.Object(serviceName, item).GetProperty(itemInterface + ".Label")
	if err != nil {
		return "", wrap("Label", err)
	}
	s, _ := v.Value().(string)
	return s, nil
}

func (c *Client) get(service, user string) (string, error) {
	items, err := c.own(service, user)
	if err != nil {
		return "", err
	}
	if len(items) == 0 {
		return "", keyring.ErrNotFound
	}
	return c.read(items[0])
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

// set replaces the secret of setupwizard's own item with Item.SetSecret,
// and creates the item only when there is none: KeePassXC up to 2.7.5
// opens an access dialog, whatever its settings, when CreateItem replaces
// an item another connection created (docs/storage.md). Further own items
// with the same attributes (a duplicate an older version or a race left)
// are deleted, so a later lookup cannot find a stale value.
func (c *Client) set(service, user, value string) error {
	items, err := c.own(service, user)
	if err != nil {
		return err
	}
	sec := secret{Session: c.session, Parameters: []byte{}, Value: []byte(value), ContentType: "text/plain; charset=utf8"}
	if len(items) > 0 {
		err := c.setSecret(items[0], sec)
		if err == nil {
			for _, dup := range items[1:] {
				if err := c.deleteItem(dup); err != nil && !errors.Is(err, keyring.ErrNotFound) {
					return err
				}
			}
			return nil
		}
		if !errors.Is(err, keyring.ErrNotFound) {
			return err
		}
		// Deleted between the search and the write: create it below.
	}
	return c.create(service, user, sec)
}

// setSecret writes sec into an existing item. c.mu is held.
func (c *Client) setSecret(item dbus.ObjectPath, sec secret) error {
	call := func() error {
		return c.conn.Object(serviceName, item).Call(itemInterface+".SetSecret", 0, sec).Err
	}
	err := call()
	if isLocked(err) {
		c.unlocked = false
		if err := c.unlock(item); err != nil {
			return err
		}
		err = call()
	}
	if err != nil && vanished(err) {
		return fmt.Errorf("%w (deleted while it was written: %v)", keyring.ErrNotFound, err)
	}
	if err != nil {
		return wrap("SetSecret", err)
	}
	return nil
}

// create makes a new item with the marker attribute and a label without
// "/". replace=true only matters when another writer created the same item
// since the search: the service then replaces that one (same attributes,
// marker included) instead of adding a second. c.mu is held.
func (c *Client) create(service, user string, sec secret) error {
	props := map[string]dbus.Variant{
		itemInterface + ".Label":      dbus.MakeVariant(Label(service, user)),
		itemInterface + ".Attributes": dbus.MakeVariant(ownAttributes(service, user)),
	}
	call := func() error {
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
	err := call()
	if isLocked(err) {
		c.unlocked = false
		if err := c.unlockCollection(); err != nil {
			return err
		}
		err = call()
	}
	if err != nil {
		return wrap("CreateItem", err)
	}
	return nil
}

// delete removes every one of setupwizard's own items with the two
// attributes (normally one); a look-alike of another program stays (see
// Foreign). None of its own is keyring.ErrNotFound.
func (c *Client) delete(service, user string) error {
	items, err := c.own(service, user)
	if err != nil {
		return err
	}
	if len(items) == 0 {
		return keyring.ErrNotFound
	}
	gone := 0
	for _, it := range items {
		err := c.deleteItem(it)
		switch {
		case err == nil:
			gone++
		case errors.Is(err, keyring.ErrNotFound):
		default:
			return err
		}
	}
	if gone == 0 {
		return fmt.Errorf("%w (deleted meanwhile)", keyring.ErrNotFound)
	}
	return nil
}

// deleteItem deletes one item, answering its prompt; a dismissed prompt
// is a failure (the item stays). c.mu is held.
func (c *Client) deleteItem(item dbus.ObjectPath) error {
	var prompt dbus.ObjectPath
	if err := c.conn.Object(serviceName, item).Call(itemInterface+".Delete", 0).Store(&prompt); err != nil {
		if vanished(err) {
			return fmt.Errorf("%w (deleted meanwhile: %v)", keyring.ErrNotFound, err)
		}
		return wrap("Delete", err)
	}
	if _, err := c.prompt(prompt); err != nil {
		return fmt.Errorf("secret service Delete: %w", err)
	}
	return nil
}

// ForeignItem is an item of service that is not setupwizard's own: another
// program wrote it with the same attributes.
type ForeignItem struct {
	User  string // its username attribute
	Label string // its label, as the keyring shows it
}

// Foreign lists the items of service whose username attribute match
// accepts and that are not setupwizard's own (no marker attribute, not
// go-keyring's label): what a remove leaves behind on purpose.
func (c *Client) Foreign(service string, match func(user string) bool) ([]ForeignItem, error) {
	var out []ForeignItem
	err := c.do(func() error {
		out = nil
		if err := c.unlockCollection(); err != nil {
			return err
		}
		items, err := c.searchAttrs(map[string]string{"service": service})
		if err != nil {
			return err
		}
		for _, it := range items {
			v, err := c.conn.Object(serviceName, it).GetProperty(itemInterface + ".Attributes")
			if err != nil {
				if vanished(err) {
					continue
				}
				return wrap("Attributes", err)
			}
			attrs, _ := v.Value().(map[string]string)
			user := attrs["username"]
			if !match(user) || attrs[markerAttribute] == markerValue {
				continue
			}
			label, err := c.label(it)
			if err != nil {
				if vanished(err) {
					continue
				}
				return err
			}
			if label != legacyLabel(service, user) && label != Label(service, user) {
				out = append(out, ForeignItem{User: user, Label: label})
			}
		}
		return nil
	})
	return out, err
}
