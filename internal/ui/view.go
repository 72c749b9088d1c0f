package ui

import (
	"fmt"

	"github.com/charmbracelet/x/ansi"
	"github.com/setupwizard/setupwizard/internal/flow"
)

// Line markers, plain characters so they read the same without colour.
const (
	markErr  = "✗ "
	markOK   = "✓ "
	markWarn = "! "
)

func (m model) render() string {
	pg := &page{w: m.w()}
	if m.cfg.Notice != "" {
		pg.text(m.st.desc, 0, "", m.cfg.Notice)
		pg.blank()
	}
	switch m.phase {
	case phasePick:
		m.picker.render(pg, m.st)
		pg.blank()
		pg.help(m.st.help, m.chrome.HelpPick)
	case phaseForm, phaseValidating, phaseCancelling:
		m.renderForm(pg)
	case phaseDone:
		m.renderDone(pg)
	}
	return pg.String()
}

func (m model) renderForm(pg *page) {
	t, res := m.text(), m.res
	ph := res.Placeholders
	pg.text(m.st.title, 0, "", t.StepTitle(res.StepID, ph))
	if d := t.StepDescription(res.StepID, ph); d != "" {
		pg.blank()
		pg.text(m.st.desc, 0, "", d)
	}
	pg.blank()
	for _, fl := range m.form.fields {
		name := fl.spec.Name
		pg.text(m.st.label, 0, "", t.Label(res.StepID, name, ph))
		if m.phase == phaseForm {
			pg.raw(ansi.Truncate(fl.in.View(), pg.w, ""))
		} else {
			pg.raw(ansi.Truncate(fl.frozenView(), pg.w, "…"))
		}
		pg.text(m.st.help, 2, "", t.FieldDescription(res.StepID, name, ph))
		if key, bad := res.Errors[name]; bad {
			pg.text(m.st.err, 2, markErr, t.Error(key, ph))
		}
		pg.blank()
	}
	if key, bad := res.Errors[flow.Base]; bad {
		pg.text(m.st.err, 0, markErr, t.Error(key, ph))
		pg.blank()
	}
	switch m.phase {
	case phaseValidating:
		what := m.chrome.Working + "…"
		if m.prog.Key != "" {
			what = t.Progress(m.prog)
		}
		pg.text(m.st.desc, 0, m.spin.View()+" ", what)
		pg.blank()
		pg.help(m.st.help, m.chrome.HelpValidating)
	case phaseCancelling:
		pg.text(m.st.desc, 0, m.spin.View()+" ", m.chrome.Cancelling+"…")
		pg.blank()
		pg.help(m.st.help, m.chrome.HelpValidating)
	default:
		if m.note != "" {
			pg.text(m.st.warn, 0, markWarn, m.note)
			pg.blank()
		}
		pg.help(m.st.help, m.chrome.HelpForm)
	}
}

func (m model) renderDone(pg *page) {
	switch {
	case m.fatal != nil:
		// The caller reports the error (and picks the exit code).
		return
	case m.cancelled:
		pg.text(m.st.err, 0, markErr, m.chrome.CancelledNote)
		return
	}
	t, res := m.text(), m.res
	pg.text(m.st.title, 0, "", t.FlowTitle(m.choices[m.cur].p.Domain()))
	switch res.Type {
	case flow.ResultCreateEntry:
		pg.text(m.st.ok, 0, markOK, fmt.Sprintf(m.chrome.Created, res.Entry.Title))
		pg.text(m.st.desc, 2, "", fmt.Sprintf(m.chrome.UniqueID, res.Entry.UniqueID))
	case flow.ResultAbort:
		if res.Reason == flow.AbortReauthSuccessful {
			pg.text(m.st.ok, 0, markOK, t.Abort(res.Reason, res.Placeholders))
		} else {
			pg.text(m.st.err, 0, markErr, t.Abort(res.Reason, res.Placeholders))
		}
	}
	if res.ReloadErr != nil {
		pg.text(m.st.warn, 0, markWarn, fmt.Sprintf(m.chrome.ReloadWarning, res.ReloadErr))
	}
}
