// Package ui is the Bubble Tea front end: a provider picker, the config-flow
// form (login + masked password), the validator running as a background
// command with a spinner and "Step n of m" progress, inline errors, and the
// final create_entry / abort screen. It holds no protocol code: it renders
// flow.Results and calls flow.Submit.
//
// The program runs inline (no alternate screen), so the final screen stays
// in the scrollback after it exits.
package ui
