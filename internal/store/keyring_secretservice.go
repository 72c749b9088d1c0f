//go:build linux || freebsd || openbsd || netbsd || dragonfly

package store

import "github.com/setupwizard/setupwizard/internal/store/secretservice"

// sessionClient is the process's one Secret Service client: its session
// is opened on first use and kept.
var sessionClient secretservice.Client

// systemBackend is where SystemKeyring's calls go: the Secret Service,
// through the session client.
var systemBackend Keyring = &sessionClient
