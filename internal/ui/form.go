package ui

import (
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

// Prompts mark the focused field, so focus shows without colour.
const (
	promptFocused = "> "
	promptBlurred = "  "
)

// form is the schema's fields as text inputs. Password fields hold their
// value only until input() hands it to the validator.
type form struct {
	fields []formField
	focus  int
}

type formField struct {
	spec provider.Field
	in   textinput.Model
	// masked is how many mask characters to show while the validator runs,
	// after the password itself has left the model.
	masked int
}

func newForm(schema provider.Schema, st styles, defaults map[string]string) form {
	f := form{}
	for _, spec := range schema {
		in := textinput.New()
		in.SetStyles(st.input)
		in.Prompt = promptBlurred
		in.CharLimit = 4096 // the engine rejects >1024 bytes with too_long; this only bounds memory
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

// firstEmpty is the field to focus when a form (re)appears: the first
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

// update passes a message to the focused input.
func (f *form) update(msg tea.Msg) tea.Cmd {
	if len(f.fields) == 0 {
		return nil
	}
	var cmd tea.Cmd
	f.fields[f.focus].in, cmd = f.fields[f.focus].in.Update(msg)
	return cmd
}

// input builds the validator's input and at once drops every password from
// the model, remembering only how many mask characters to keep showing.
func (f *form) input() provider.Input {
	in := provider.Input{}
	for i := range f.fields {
		fl := &f.fields[i]
		in[fl.spec.Name] = fl.in.Value()
		if fl.spec.Kind == provider.Password {
			fl.masked = len([]rune(in[fl.spec.Name]))
			fl.in.Reset()
		}
	}
	return in
}

// clearPasswords empties the password fields and their masks (after an
// error or a cancel: the person types the password again).
func (f *form) clearPasswords() {
	for i := range f.fields {
		if f.fields[i].spec.Kind == provider.Password {
			f.fields[i].in.Reset()
			f.fields[i].masked = 0
		}
	}
}

// frozenView renders a field without its input widget, for the validating
// screen: values are fixed and the password shows only as its mask.
func (fl formField) frozenView() string {
	if fl.spec.Kind == provider.Password {
		return promptBlurred + strings.Repeat("*", fl.masked)
	}
	return promptBlurred + fl.in.Value()
}
