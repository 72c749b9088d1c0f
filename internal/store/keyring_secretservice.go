//go:build linux || freebsd || openbsd || netbsd || dragonfly

package store

import (
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
