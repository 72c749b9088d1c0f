//go:build linux || freebsd || openbsd || netbsd || dragonfly

package store

import (
	"strings"
	"time"

	"github.com/setupwizard/setupwizard/internal/store/secretservice"
)

// sessionClient is the process's one Secret Service client: its session
// is opened on first use and kept. A prompt nobody answers is dismissed
// after the default keyring timeout, so nothing is half-done.
var sessionClient = secretservice.Client{PromptTimeout: DefaultKeyringTimeout}

// systemBackend is where SystemKeyring's calls go: the Secret Service,
// through the session client.
var systemBackend Keyring = &sessionClient

// CloseSystemKeyring ends the process's use of the Secret Service: once the
// call in flight (if any) is answered, the session and the connection are
// closed and no later call reaches the keyring. It waits at most wait, for
// a keyring that hangs must not hold up the exit; the process calls it last,
// before it exits (secretservice.Client.Shutdown says why).
func CloseSystemKeyring(wait time.Duration) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = sessionClient.Shutdown()
	}()
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-done:
	case <-timer.C:
	}
}

// LeftBehind lists the keyring items that look like entry e's (its
// service, and its item or one of its chunks as the username) but were
// written by another program: setupwizard never reads or deletes them, so
// after a Remove they are what is left. Each is described by its label
// (an untrusted text: escape it before showing it). It is empty with a
// keyring that holds none, and on systems without a Secret Service.
func LeftBehind(e Entry) ([]string, error) {
	ref := e.Keyring
	type answer struct {
		items []secretservice.ForeignItem
		err   error
	}
	ch := make(chan answer, 1)
	go func() {
		items, err := sessionClient.Foreign(ref.Service, func(user string) bool {
			return user == ref.Item || strings.HasPrefix(user, ref.Item+"/")
		})
		ch <- answer{items, err}
	}()
	timer := time.NewTimer(DefaultKeyringTimeout)
	defer timer.Stop()
	var a answer
	select {
	case a = <-ch:
	case <-timer.C:
		a.err = errTimeout(DefaultKeyringTimeout)
	}
	if a.err != nil {
		return nil, classify("search", ref.Service+" "+ref.Item, a.err)
	}
	labels := make([]string, 0, len(a.items))
	for _, it := range a.items {
		labels = append(labels, it.Label)
	}
	return labels, nil
}
