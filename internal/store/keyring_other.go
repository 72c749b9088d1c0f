//go:build !(linux || freebsd || openbsd || netbsd || dragonfly)

package store

import "time"

// systemBackend is where SystemKeyring's calls go: go-keyring's own
// backend for this OS.
var systemBackend Keyring = GoKeyring{}

// CloseSystemKeyring has nothing to close here: go-keyring opens and
// closes what it needs for every call.
func CloseSystemKeyring(time.Duration) {}

// LeftBehind has nothing to report here: go-keyring's backends key items
// by service and user alone, so no look-alike can exist beside an item.
func LeftBehind(Entry) ([]string, error) { return nil, nil }
