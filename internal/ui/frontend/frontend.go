// Package frontend holds what the two interactive front ends (the Bubble Tea
// TUI in internal/ui and the accessible line prompts in internal/ui/prompt)
// share, so the command line can switch between them with one flag and both
// report cancellation the same way. It imports no terminal library, which
// keeps the accessible mode's start-up free of Bubble Tea.
package frontend

import (
	"errors"
	"io"
)

// ErrCancelled is returned when the person cancelled (esc, ctrl+c, or end
// of input). Nothing was saved; the command line exits 130.
var ErrCancelled = errors.New("cancelled")

// ErrBack is returned when the person pressed esc on the first screen of a
// session whose caller has a step before it (Options.Back): the caller
// shows that step again. Nothing was saved.
var ErrBack = errors.New("back to the previous step")

// Options configures one interactive session.
type Options struct {
	// In and Out are the terminal (nil: os.Stdin / os.Stdout).
	In  io.Reader
	Out io.Writer
	// Lang is a language code such as "pl"; strings a provider does not
	// ship in it fall back to English.
	Lang string
	// NoColor disables every colour escape code (NO_COLOR is read by the caller).
	NoColor bool
	// Width and Height fix the screen size; 0 asks the terminal.
	Width, Height int
	// Notice is shown above every screen (the TUI runs on the alternate
	// screen, so text printed before it is out of sight): --demo puts the
	// demo credentials here.
	Notice string
	// Back says the caller has a step before this session (the account
	// picker before a reauth form): esc on the session's first screen then
	// returns ErrBack instead of cancelling, and the hints say "esc back".
	Back bool
	// NoticeBrief is Notice condensed to one short line, shown instead of
	// it (and kept in sight) when the terminal is too small for the whole
	// screen. Keyed by provider domain, so a form can show just its own
	// service's part; the "" key is for screens with no provider chosen.
	// Missing: Notice's first sentence, cut to the width.
	NoticeBrief map[string]string
	// Printed, when set, is told each text the front end leaves on the
	// main screen (a summary of an answer or of a flow's end), so a
	// caller keeping output in sight above a menu (Pick.Keep) can count
	// its lines.
	Printed func(text string)
}

// Pick is what an account picker asks.
type Pick struct {
	// Question is the picker's title ("": Chrome.PickEntry); the command
	// line passes Chrome.ReauthQuestion when an account signs in again.
	Question string
	Accounts []Account
	// Start is 1 + the index in Accounts of the account the cursor starts
	// on (after esc came back from that account's form); 0 starts on the
	// first one listed.
	Start int
	// Menu draws the picker below the output already on the terminal
	// instead of on the alternate screen, for a menu asked again after
	// each answer (the demo's next steps): the output of the last choice
	// stays in sight. esc (end of input in line prompts) is the person
	// being done with the menu, not a cancel: it returns ErrBack and
	// leaves no "Cancelled" behind (the caller says how it ended); ctrl+c
	// still cancels.
	Menu bool
	// Keep is, on a menu, how many lines just above it must stay in sight
	// (the last choice's summary and its output): the menu shrinks to the
	// rows left below them, down to the cursor's line alone.
	Keep int
}

// Account is one account in a picker.
type Account struct {
	// Label names the account the way a person reads it, on one line:
	// "Example Service · user@example.com".
	Label string
	// Note is shown dimmed after the label ("sign-in expired"), not in the
	// summary left after the choice.
	Note string
	// Urgent accounts (an expired sign-in) are listed first, in their
	// given order, and the first of them is preselected.
	Urgent bool
}

// PickOf is a Pick of plain lines with the default question.
func PickOf(items []string) Pick {
	p := Pick{}
	for _, it := range items {
		p.Accounts = append(p.Accounts, Account{Label: it})
	}
	return p
}

// Title is the question, or lang's default one.
func (p Pick) Title(c Chrome) string {
	if p.Question != "" {
		return p.Question
	}
	return c.PickEntry
}

// Order lists the indices of Accounts in the order shown: urgent ones
// first, each group in its given order.
func (p Pick) Order() []int {
	var urgent, rest []int
	for i, a := range p.Accounts {
		if a.Urgent {
			urgent = append(urgent, i)
		} else {
			rest = append(rest, i)
		}
	}
	return append(urgent, rest...)
}
