// Package mockinit holds the store tests that switch go-keyring to its
// in-memory mock (keyring.MockInit). The switch is global and cannot be
// undone, so these tests live in their own test binary, away from the
// tests that need the real Secret Service.
package mockinit
