package prompt

import (
	"errors"
	"fmt"

	"github.com/setupwizard/setupwizard/internal/flow"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
	"github.com/setupwizard/setupwizard/internal/ui/frontend"
)

// formRun asks a flow's form until the flow ends.
type formRun struct {
	s *session
	t frontend.Text
}

func (fr formRun) run(f *flow.Flow) (flow.Result, error) {
	s, t := fr.s, fr.t
	res := f.Start()
	ph := res.Placeholders
	s.say("%s", t.StepTitle(res.StepID, ph))
	if d := t.StepDescription(res.StepID, ph); d != "" {
		s.say("%s", d)
	}
	s.printf("\n")
	first := true
	for res.Type == flow.ResultForm {
		fr.printErrors(res)
		in, err := fr.ask(res, first)
		if err != nil {
			// errEsc at the first field goes back a step (RunFlow).
			return flow.Result{}, err
		}
		first = false
		res, err = f.Submit(s.ctx, in, func(p provider.Progress) {
			s.say("%s...", t.Progress(p))
		})
		clear(in)
		if err != nil {
			if s.ctx.Err() != nil {
				return flow.Result{}, s.cancelled(err)
			}
			return flow.Result{}, err
		}
	}
	fr.printEnd(res)
	return res, nil
}

// ask reads every field: the login with its default shown as "[login]"
// (empty keeps it), the password without echo on a terminal. esc at a
// field goes back to the one before it; at the first field it returns
// errEsc for the caller's step before the form.
func (fr formRun) ask(res flow.Result, first bool) (provider.Input, error) {
	s, t := fr.s, fr.t
	in := provider.Input{}
	for i := 0; i < len(res.Schema); i++ {
		field := res.Schema[i]
		label := t.Label(res.StepID, field.Name, res.Placeholders)
		if d := t.FieldDescription(res.StepID, field.Name, res.Placeholders); d != "" && first {
			// A help line of its own, not "Label: text": read aloud, that
			// sounds like a prompt already answered.
			s.say("(%s)", d)
		}
		if field.Kind == provider.Password {
			v, err := s.askSecret(label + ": ")
			if errors.Is(err, errEsc) && i > 0 {
				i -= 2
				continue
			}
			if err != nil {
				clear(in)
				return nil, err
			}
			in[field.Name] = v
			continue
		}
		def := res.Defaults[field.Name]
		if v, ok := in[field.Name]; ok && v != "" {
			def = v // back from a later field: what was typed is kept
		}
		prompt := label + ": "
		if def != "" {
			// A default is typed text or a stored login: cleaned, so a
			// control character is never echoed back to the terminal.
			prompt = fmt.Sprintf("%s [%s]: ", label, frontend.Clean(def))
		}
		v, err := s.ask(prompt)
		if errors.Is(err, errEsc) && i > 0 {
			i -= 2
			continue
		}
		if err != nil {
			clear(in)
			return nil, err
		}
		if v == "" {
			v = def
		}
		in[field.Name] = v
	}
	return in, nil
}

// printErrors lists a form's errors: field errors in form order, named by
// their label, then the base error.
func (fr formRun) printErrors(res flow.Result) {
	s, t := fr.s, fr.t
	for _, field := range res.Schema {
		if key, ok := res.Errors[field.Name]; ok {
			s.say("%s%s: %s", markErr, t.Label(res.StepID, field.Name, res.Placeholders), t.Error(key, res.Placeholders))
		}
	}
	if key, ok := res.Errors[flow.Base]; ok {
		s.say("%s%s", markErr, t.Error(key, res.Placeholders))
	}
}

func (fr formRun) printEnd(res flow.Result) {
	s, t := fr.s, fr.t
	service := t.FlowTitle(res.Entry.Domain)
	switch res.Type {
	case flow.ResultCreateEntry:
		s.say("%s%s", markOK, fmt.Sprintf(s.chrome.Created, service, frontend.Clean(res.Entry.Title)))
	case flow.ResultAbort:
		if res.Reason == flow.AbortReauthSuccessful {
			s.say("%s%s", markOK, fmt.Sprintf(s.chrome.ReauthDone, service, frontend.Clean(res.Entry.Title)))
		} else {
			s.say("%s%s", markErr, t.Abort(res.Reason, res.Placeholders))
		}
	}
	if res.ReloadErr != nil {
		s.say("%s%s", markWarn, fmt.Sprintf(s.chrome.ReloadWarning, t.Cause(res.ReloadErr, res.Placeholders)))
	}
}
