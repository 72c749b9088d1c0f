package store

import "github.com/setupwizard/setupwizard/internal/providers/provider"

// cleanText makes a title a server supplied safe to store and list: the
// providers clean server text already (provider.CleanText); the store does
// it again before writing and after reading, so no path can put terminal
// escape sequences or other control characters into entries.json or onto
// a screen that lists entries.
func cleanText(s string) string { return provider.CleanText(s) }
