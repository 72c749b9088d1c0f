package keyrings

import (
	"errors"
	"fmt"
	"time"

	"github.com/godbus/dbus/v5"
)

// CreateLookAlike writes to the session bus's Secret Service, as another
// program would, an item with the service and username attributes
// setupwizard looks up by but another label, and returns its path. It
// creates with replace=false: a program replacing would (on gnome-keyring)
// take over setupwizard's item instead of adding one.
func CreateLookAlike(service, user, label, secret string) (dbus.ObjectPath, error) {
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		return "", err
	}
	defer conn.Close()
	var ignored dbus.Variant
	var session dbus.ObjectPath
	svc := conn.Object("org.freedesktop.secrets", "/org/freedesktop/secrets")
	if err := svc.Call("org.freedesktop.Secret.Service.OpenSession", 0, "plain", dbus.MakeVariant("")).Store(&ignored, &session); err != nil {
		return "", fmt.Errorf("open a session: %w", err)
	}
	props := map[string]dbus.Variant{
		"org.freedesktop.Secret.Item.Label":      dbus.MakeVariant(label),
		"org.freedesktop.Secret.Item.Attributes": dbus.MakeVariant(map[string]string{"service": service, "username": user}),
	}
	sec := struct {
		Session     dbus.ObjectPath
		Parameters  []byte
		Value       []byte
		ContentType string
	}{session, []byte{}, []byte(secret), "text/plain"}
	var item, prompt dbus.ObjectPath
	coll := conn.Object("org.freedesktop.secrets", "/org/freedesktop/secrets/aliases/default")
	if err := coll.Call("org.freedesktop.Secret.Collection.CreateItem", 0, props, sec, false).Store(&item, &prompt); err != nil {
		return "", err
	}
	if err := completePrompt(conn, prompt, 10*time.Second); err != nil {
		return "", fmt.Errorf("the look-alike's prompt: %w", err)
	}
	return item, nil
}

// DeleteItem deletes an item (a look-alike CreateLookAlike wrote) through
// the session bus's Secret Service.
func DeleteItem(item dbus.ObjectPath) error {
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Object("org.freedesktop.secrets", item).Call("org.freedesktop.Secret.Item.Delete", 0).Err
}

// completePrompt shows a prompt the service returned (KeePassXC returns one
// for CreateItem) and waits for it to complete, not dismissed.
func completePrompt(conn *dbus.Conn, prompt dbus.ObjectPath, timeout time.Duration) error {
	if prompt == "/" || prompt == "" {
		return nil
	}
	match := []dbus.MatchOption{dbus.WithMatchObjectPath(prompt), dbus.WithMatchInterface("org.freedesktop.Secret.Prompt")}
	if err := conn.AddMatchSignal(match...); err != nil {
		return err
	}
	ch := make(chan *dbus.Signal, 4)
	conn.Signal(ch)
	if err := conn.Object("org.freedesktop.secrets", prompt).Call("org.freedesktop.Secret.Prompt.Prompt", 0, "").Err; err != nil {
		return fmt.Errorf("call Prompt: %w", err)
	}
	expired := time.After(timeout)
	for {
		select {
		case s := <-ch:
			if s.Path == prompt && len(s.Body) > 0 {
				if dismissed, _ := s.Body[0].(bool); dismissed {
					return errors.New("dismissed")
				}
				return nil
			}
		case <-expired:
			return fmt.Errorf("not completed within %v", timeout)
		}
	}
}
