// Package e2e runs the real compiled setupwizard binary in a real
// pseudo-terminal against the service emulators and the real Secret Service,
// reading the screen as a person sees it. Only its tests hold code; run it
// with ./scripts/test (or go test ./e2e/ inside a session with a keyring).
package e2e
