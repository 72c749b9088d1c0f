package ui

import (
	"charm.land/bubbles/v2/textinput"
	"charm.land/lipgloss/v2"
)

// styles are built once per program; with NoColor every style is plain so
// no colour escape is ever produced (the colour profile is also set to
// ASCII as a second guard).
type styles struct {
	title, label, desc, help, err, warn, ok, cursor lipgloss.Style
	input                                           textinput.Styles
}

func newStyles(noColor bool) styles {
	plain := lipgloss.NewStyle()
	in := textinput.DefaultDarkStyles()
	// A static cursor: no blink ticks, so frames only change on input.
	in.Cursor.Blink = false
	if noColor {
		in.Focused = textinput.StyleState{Text: plain, Placeholder: plain, Suggestion: plain, Prompt: plain}
		in.Blurred = in.Focused
		in.Cursor.Color = nil
		return styles{title: plain.Bold(true), label: plain, desc: plain, help: plain, err: plain, warn: plain, ok: plain, cursor: plain, input: in}
	}
	return styles{
		title:  plain.Bold(true),
		label:  plain.Bold(true),
		desc:   plain,
		help:   plain.Faint(true),
		err:    plain.Foreground(lipgloss.Color("9")),
		warn:   plain.Foreground(lipgloss.Color("11")),
		ok:     plain.Foreground(lipgloss.Color("10")),
		cursor: plain.Foreground(lipgloss.Color("12")),
		input:  in,
	}
}
