package ui

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/setupwizard/setupwizard/internal/flow"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

// Prompts mark the focused field, so focus shows without colour.
const (
	promptFocused = "> "
	promptBlurred = "  "
)

// form is the schema's fields as text inputs. A password stays in its
// input while the validator runs, so it can be kept after a network
// failure; it is cleared after an auth failure or a cancel.
type form struct {
	fields []formField
	focus  int
}

type formField struct {
	spec provider.Field
	in   textinput.Model
}

func newForm(schema provider.Schema, st styles, defaults map[string]string) form {
	f := form{}
	for _, spec := range schema {
		in := textinput.New()
		in.SetStyles(st.input)
		in.Prompt = promptBlurred
		// The engine's cap, enforced here while typing (edit refuses the
		// key or paste with too_long) rather than only on submit.
		in.CharLimit = flow.MaxFieldBytes
		// ctrl+v would read the clipboard and insert it with tabs and
		// newlines turned into spaces: a silent change. A terminal's own
		// paste arrives as a bracketed paste, which edit checks.
		in.KeyMap.Paste.SetEnabled(false)
		if spec.Kind == provider.Password {
			in.EchoMode = textinput.EchoPassword
			in.EchoCharacter = '*'
		} else if v := defaults[spec.Name]; v != "" {
			in.SetValue(v)
		}
		f.fields = append(f.fields, formField{spec: spec, in: in})
	}
	return f
}

// focusOn moves the focus to field i.
func (f *form) focusOn(i int) tea.Cmd {
	if len(f.fields) == 0 {
		return nil
	}
	i = (i%len(f.fields) + len(f.fields)) % len(f.fields)
	for j := range f.fields {
		f.fields[j].in.Blur()
		f.fields[j].in.Prompt = promptBlurred
	}
	f.focus = i
	f.fields[i].in.Prompt = promptFocused
	f.fields[i].in.CursorEnd()
	return f.fields[i].in.Focus()
}

func (f *form) blur() {
	for j := range f.fields {
		f.fields[j].in.Blur()
		f.fields[j].in.Prompt = promptBlurred
	}
}

// firstFocus is the field to focus when a form (re)appears: the first
// field with an error, else the first empty one, else the last.
func (f *form) firstFocus(errs map[string]string) int {
	for i, fl := range f.fields {
		if _, bad := errs[fl.spec.Name]; bad {
			return i
		}
	}
	for i, fl := range f.fields {
		if fl.in.Value() == "" {
			return i
		}
	}
	return max(len(f.fields)-1, 0)
}

func (f *form) onLast() bool { return f.focus >= len(f.fields)-1 }

func (f *form) setWidth(w int) {
	for i := range f.fields {
		// prompt (2) + one cell for the cursor at the end.
		f.fields[i].in.SetWidth(max(w-len(promptFocused)-1, 1))
	}
}

// focused is the name of the focused field ("" when there is none).
func (f *form) focused() string {
	if len(f.fields) == 0 {
		return ""
	}
	return f.fields[f.focus].spec.Name
}

// edit passes a key press or a paste to the focused input after the checks
// the engine would make on submit, so a bad value is refused at once and
// nothing is changed silently. It returns the error key for the focused
// field ("" when the edit was accepted) and whether the value changed.
func (f *form) edit(msg tea.Msg) (errKey string, changed bool, cmd tea.Cmd) {
	if len(f.fields) == 0 {
		return "", false, nil
	}
	in := &f.fields[f.focus].in
	before := in.Value()
	switch msg := msg.(type) {
	case tea.PasteMsg:
		text := dropTrailingNewline(msg.Content)
		if key := checkInsert(before, text); key != "" {
			return key, false, nil
		}
		pos := in.Position()
		r := []rune(before)
		in.SetValue(string(r[:pos]) + text + string(r[pos:]))
		in.SetCursor(pos + utf8.RuneCountInString(text))
	case tea.KeyPressMsg:
		if msg.Text != "" {
			if key := checkInsert(before, msg.Text); key != "" {
				return key, false, nil
			}
		}
		*in, cmd = in.Update(msg)
	default:
		*in, cmd = in.Update(msg)
	}
	return "", in.Value() != before, cmd
}

// dropTrailingNewline drops exactly one trailing line break of a paste (a
// copied line usually brings one), as --password-stdin does.
func dropTrailingNewline(s string) string {
	switch {
	case strings.HasSuffix(s, "\r\n"):
		return s[:len(s)-2]
	case strings.HasSuffix(s, "\n"), strings.HasSuffix(s, "\r"):
		return s[:len(s)-1]
	}
	return s
}

// checkInsert is the engine's field rules for text about to be inserted
// into value: invalid_characters for any control or invisible format
// character (tab, newline, BEL, ESC), too_long past the byte cap.
func checkInsert(value, text string) string {
	if !utf8.ValidString(text) || strings.IndexFunc(text, isControl) >= 0 {
		return flow.ErrInvalidCharacters
	}
	if len(value)+len(text) > flow.MaxFieldBytes {
		return flow.ErrTooLong
	}
	return ""
}

// isControl matches what the engine refuses as invalid_characters, and
// pasteESC (an escape sequence inside a paste).
func isControl(r rune) bool {
	return unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || unicode.Is(unicode.Cf, r) || r == pasteESC
}

// input builds the validator's input. The runner clears the map once
// Submit returns; the form keeps its own copy of the password until the
// outcome says whether it was wrong.
func (f *form) input() provider.Input {
	in := provider.Input{}
	for i := range f.fields {
		in[f.fields[i].spec.Name] = f.fields[i].in.Value()
	}
	return in
}

// values are the non-secret fields' values (kept when going back a step).
func (f *form) values() map[string]string {
	out := map[string]string{}
	for _, fl := range f.fields {
		if fl.spec.Kind != provider.Password {
			out[fl.spec.Name] = fl.in.Value()
		}
	}
	return out
}

// setDefaults puts the engine's (trimmed) defaults into non-secret fields.
func (f *form) setDefaults(defaults map[string]string) {
	for i := range f.fields {
		if f.fields[i].spec.Kind == provider.Password {
			continue
		}
		if v, ok := defaults[f.fields[i].spec.Name]; ok {
			f.fields[i].in.SetValue(v)
		}
	}
}

// clearPasswords empties the password fields (after an auth failure or a
// cancel: the person types the password again).
func (f *form) clearPasswords() {
	for i := range f.fields {
		if f.fields[i].spec.Kind == provider.Password {
			f.fields[i].in.Reset()
		}
	}
}

// keepPassword reports whether a form's errors leave the typed password
// standing: only network failures (the password was never judged) and
// errors of other fields do; an auth failure or any other base error, or
// an error on the password itself, clears it.
func (f *form) keepPassword(errs map[string]string) bool {
	for field, key := range errs {
		if field == flow.Base {
			if key != provider.KeyCannotConnect && key != provider.KeyTimeout {
				return false
			}
			continue
		}
		for _, fl := range f.fields {
			if fl.spec.Name == field && fl.spec.Kind == provider.Password {
				return false
			}
		}
	}
	return true
}

// frozenView renders a field without its input widget, for the validating
// screen: values are fixed and the password shows only as its mask.
func (fl formField) frozenView() string {
	if fl.spec.Kind == provider.Password {
		return promptBlurred + strings.Repeat("*", utf8.RuneCountInString(fl.in.Value()))
	}
	return promptBlurred + fl.in.Value()
}
