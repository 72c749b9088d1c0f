package ui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"
	"github.com/setupwizard/setupwizard/internal/flow"
	"github.com/setupwizard/setupwizard/internal/ui/frontend"
)

// Line markers, plain characters so they read the same without colour.
const (
	markErr  = "✗ "
	markOK   = "✓ "
	markWarn = "! "
)

// render is the screen: the whole frame when it fits the terminal, else
// the compact frame (one-line notice, no spacing in the foot, only the
// focused field's description) scrolled to the focus.
func (m model) render() string {
	if m.phase == phaseDone {
		pg := &page{w: m.w()}
		m.renderDone(pg)
		return pg.String()
	}
	full := m.frame(false)
	if m.height <= 0 || full.height() <= m.height {
		return full.join()
	}
	return m.frame(true).fit(m.height)
}

func (m model) frame(compact bool) frame {
	var fr frame
	body, foot := &page{w: m.w()}, &page{w: m.w()}
	domain := ""
	if m.phase != phasePick {
		domain = m.choices[m.cur].p.Domain()
	}
	if m.cfg.Notice != "" {
		if compact {
			fr.head = []string{m.st.desc.Render(briefNotice(m.cfg.Options, domain, m.w()))}
		} else {
			body.text(m.st.desc, 0, "", m.cfg.Notice)
			body.blank()
		}
	}
	switch m.phase {
	case phasePick:
		fr.from, fr.to = m.picker.render(body, m.st)
		fr.want = fr.to
		foot.help(m.st.help, m.chrome.HelpPick(m.cfg.Back))
	default:
		fr.from, fr.to, fr.want = m.renderForm(body, foot, compact)
	}
	body.trim()
	if !compact {
		body.blank()
	}
	fr.body, fr.foot = body.lines, foot.lines
	return fr
}

// briefNotice is the one-line notice of a compact frame: NoticeBrief's
// line for the domain, else the notice's part about the domain ("Demo:
// example: a@b.c / pw" from a notice listing every service), else
// its first sentence; cut to the width.
func briefNotice(o Options, domain string, w int) string {
	s, ok := o.NoticeBrief[domain]
	if !ok {
		s, ok = o.NoticeBrief[""]
	}
	if !ok {
		s = noticePart(o.Notice, domain)
	}
	return ansi.Truncate(strings.TrimSpace(s), w, "…")
}

func noticePart(notice, domain string) string {
	first, _, _ := strings.Cut(notice, ". ")
	if domain == "" {
		return first
	}
	lead := ""
	if word, _, ok := strings.Cut(first, " "); ok && strings.HasSuffix(word, ":") {
		lead = word + " "
	}
	for _, sentence := range strings.Split(notice, ". ") {
		for _, part := range strings.Split(sentence, ";") {
			part = strings.TrimSpace(part)
			if strings.HasPrefix(strings.ToLower(part), strings.ToLower(domain)+":") {
				return lead + strings.TrimSuffix(part, ".")
			}
		}
	}
	return first
}

// renderForm adds the form to body and its status and hints to foot. It
// returns the body lines of the focused field (label to error) and where
// its description ends; while validating, the last field.
func (m model) renderForm(body, foot *page, compact bool) (from, to, want int) {
	t, res := m.text(), m.res
	ph := res.Placeholders
	body.text(m.st.title, 0, "", t.StepTitle(res.StepID, ph))
	if d := t.StepDescription(res.StepID, ph); d != "" {
		body.blank()
		body.text(m.st.desc, 0, "", d)
	}
	body.blank()
	for i, fl := range m.form.fields {
		name := fl.spec.Name
		focused := i == m.form.focus && m.phase == phaseForm
		last := i == len(m.form.fields)-1 && m.phase != phaseForm
		start := len(body.lines)
		body.text(m.st.label, 0, "", t.Label(res.StepID, name, ph))
		if m.phase == phaseForm {
			body.raw(ansi.Truncate(fl.in.View(), body.w, ""))
		} else {
			body.raw(ansi.Truncate(fl.frozenView(), body.w, "…"))
		}
		if key, bad := m.errs[name]; bad {
			body.text(m.st.err, 2, markErr, t.Error(key, ph))
		}
		end := len(body.lines)
		if !compact || focused || last {
			body.text(m.st.help, 2, "", t.FieldDescription(res.StepID, name, ph))
		}
		if focused || last {
			from, to, want = start, end, len(body.lines)
		}
		body.blank()
	}
	if !compact {
		foot.blank()
	}
	switch m.phase {
	case phaseValidating:
		what := m.chrome.Working + "…"
		if m.prog.Key != "" {
			what = t.Progress(m.prog)
		}
		foot.text(m.st.desc, 0, m.spin.View()+" ", what)
		m.gap(foot, compact)
		foot.help(m.st.help, m.chrome.HelpValidating())
	case phaseCancelling:
		foot.text(m.st.desc, 0, m.spin.View()+" ", m.chrome.Cancelling+"…")
		m.gap(foot, compact)
		foot.help(m.st.help, m.chrome.HelpValidating())
	default:
		if key, bad := m.errs[flow.Base]; bad {
			foot.text(m.st.err, 0, markErr, t.Error(key, ph))
			m.gap(foot, compact)
		}
		if m.note != "" {
			foot.text(m.st.warn, 0, markWarn, m.note)
			m.gap(foot, compact)
		}
		foot.help(m.st.help, m.chrome.HelpForm(m.canGoBack()))
	}
	return from, to, want
}

// gap is a blank line between parts of the foot, left out when compact.
func (m model) gap(pg *page, compact bool) {
	if !compact {
		pg.blank()
	}
}

func (m model) renderDone(pg *page) {
	switch {
	case m.fatal != nil:
		// The caller reports the error (and picks the exit code).
		return
	case m.back:
		// The caller shows its previous step; nothing to leave behind.
		return
	case m.cancelled:
		pg.text(m.st.err, 0, markErr, m.chrome.CancelledNote)
		return
	}
	t, res := m.text(), m.res
	// A success is one line naming the service, as a scripted sign-in
	// says it; an abort's reason follows the service's name.
	service := t.FlowTitle(m.choices[m.cur].p.Domain())
	switch {
	case res.Type == flow.ResultCreateEntry:
		pg.text(m.st.ok, 0, markOK, fmt.Sprintf(m.chrome.Created, service, frontend.Clean(res.Entry.Title)))
	case res.Type == flow.ResultAbort && res.Reason == flow.AbortReauthSuccessful:
		pg.text(m.st.ok, 0, markOK, fmt.Sprintf(m.chrome.ReauthDone, service, frontend.Clean(res.Entry.Title)))
	case res.Type == flow.ResultAbort:
		pg.text(m.st.title, 0, "", service)
		pg.text(m.st.err, 0, markErr, t.Abort(res.Reason, res.Placeholders))
	}
	if res.ReloadErr != nil {
		pg.text(m.st.warn, 0, markWarn, fmt.Sprintf(m.chrome.ReloadWarning, t.Cause(res.ReloadErr, res.Placeholders)))
	}
}
