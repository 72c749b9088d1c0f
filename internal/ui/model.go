package ui

import (
	"context"
	"errors"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"github.com/setupwizard/setupwizard/internal/flow"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
	"github.com/setupwizard/setupwizard/internal/ui/frontend"
)

// config is Options plus switches only tests set.
type config struct {
	frontend.Options
	// staticSpinner keeps the spinner on its first frame (golden screens).
	staticSpinner bool
	// onStart receives the program before it runs, so tests can Send to it.
	onStart func(*tea.Program)
}

type phase int

const (
	phasePick       phase = iota // choosing a provider
	phaseForm                    // editing the form
	phaseValidating              // flow.Submit running
	phaseCancelling              // esc pressed: waiting for Submit to return
	phaseDone                    // finished, cancelled or failed: the program quits
)

// choice is a provider and its strings.
type choice struct {
	p    provider.Provider
	text frontend.Text
}

// model is the whole add / reauth program: picker, form, validation, end.
type model struct {
	cfg     config
	st      styles
	chrome  frontend.Chrome
	r       *runner
	newFlow func(provider.Provider) (*flow.Flow, error)
	choices []choice
	width   int
	height  int // 0: unknown (no scrolling)

	phase  phase
	picker picker
	cur    int // index into choices
	flows  map[int]*flow.Flow
	kept   map[int]map[string]string // what was typed before esc went back
	fl     *flow.Flow
	res    flow.Result       // the form on screen, or the final result
	errs   map[string]string // the errors on screen: res.Errors as edited since
	form   form
	spin   spinner.Model
	sub    *submission
	prog   provider.Progress
	note   string // a one-line notice above the help ("cancelled")

	cancelled bool
	back      bool // the cancel was esc at the first screen, with Options.Back
	fatal     error
}

// newModel starts on the picker, or straight on the form when there is one
// provider (newFlow's error is then returned before any program starts).
func newModel(cfg config, r *runner, choices []choice, newFlow func(provider.Provider) (*flow.Flow, error)) (model, error) {
	m := model{
		cfg:     cfg,
		st:      newStyles(cfg.NoColor),
		chrome:  frontend.ChromeFor(cfg.Lang),
		r:       r,
		newFlow: newFlow,
		choices: choices,
		width:   cfg.Width,
		height:  cfg.Height,
		flows:   map[int]*flow.Flow{},
		kept:    map[int]map[string]string{},
	}
	if len(choices) == 1 {
		next, _ := m.start(0)
		m = next.(model)
		return m, m.fatal
	}
	m.phase = phasePick
	m.picker = picker{title: m.chrome.PickProvider}
	for _, c := range choices {
		m.picker.items = append(m.picker.items, pickItem{label: c.text.FlowTitle(c.p.Domain())})
	}
	return m, nil
}

// start makes the chosen provider's flow (once: going back and choosing it
// again reuses it) and shows its first form with what was typed before.
// newFlow runs here, on the event loop, rather than as a command: keys
// typed while it ran would otherwise reach a form that does not exist yet.
func (m model) start(i int) (tea.Model, tea.Cmd) {
	m.cur = i
	f := m.flows[i]
	if f == nil {
		var err error
		if f, err = m.newFlow(m.choices[i].p); err != nil {
			m.fatal = err
			m.phase = phaseDone
			return m, tea.Quit
		}
		m.flows[i] = f
	}
	m.fl = f
	res := f.Start()
	if kept := m.kept[i]; kept != nil {
		res.Defaults = kept
	}
	return m.showForm(res)
}

// back leaves the form for the provider picker, keeping what was typed
// (not the password) for when this provider is chosen again.
func (m model) backToPicker() (tea.Model, tea.Cmd) {
	m.kept[m.cur] = m.form.values()
	m.form.clearPasswords()
	m.form.blur()
	m.errs, m.note = nil, ""
	m.picker.cursor = m.cur
	m.phase = phasePick
	return m, nil
}

// canGoBack says whether esc on the form goes back to a picker, or to the
// caller's step before the session.
func (m model) canGoBack() bool { return len(m.choices) > 1 || m.cfg.Back }

// escFirst is esc on the session's first screen: back to the caller's
// previous step when it has one, else a cancel.
func (m model) escFirst() (tea.Model, tea.Cmd) {
	next, cmd := m.quitCancelled()
	nm := next.(model)
	nm.back = m.cfg.Back
	return nm, cmd
}

func (m model) Init() tea.Cmd { return nil }

func (m model) text() frontend.Text { return m.choices[m.cur].text }

func (m model) w() int { return effectiveWidth(m.width) }

func (m model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		if m.cfg.Width <= 0 {
			m.width = msg.Width
		}
		if m.cfg.Height <= 0 {
			m.height = msg.Height
		}
		m.form.setWidth(m.w())
		return m, nil
	case tea.KeyPressMsg:
		if msg.String() == "ctrl+c" {
			return m.quitCancelled()
		}
		return m.key(msg)
	case tea.PasteMsg:
		if m.phase == phaseForm {
			return m.edit(msg)
		}
		return m, nil
	case progressMsg:
		if m.sub == nil || msg.id != m.sub.id {
			return m, nil
		}
		m.prog = msg.p
		return m, m.sub.next()
	case doneMsg:
		if m.sub == nil || msg.id != m.sub.id {
			return m, nil
		}
		m.sub = nil
		return m.done(msg.o)
	case spinner.TickMsg:
		if m.phase == phaseValidating || m.phase == phaseCancelling {
			var cmd tea.Cmd
			m.spin, cmd = m.spin.Update(msg)
			return m, cmd
		}
		return m, nil
	}
	return m, nil
}

func (m model) key(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	switch m.phase {
	case phasePick:
		if msg.String() == "esc" {
			return m.escFirst()
		}
		if m.picker.key(msg) {
			return m.start(m.picker.cursor)
		}
	case phaseForm:
		return m.formKey(msg)
	case phaseValidating:
		if msg.String() == "esc" {
			// Cancel the requests at once; the form comes back when Submit
			// has returned, so two Submits never overlap on one Flow.
			m.sub.cancel()
			m.phase = phaseCancelling
		}
	}
	return m, nil
}

func (m model) formKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	switch msg.String() {
	case "esc":
		if len(m.choices) > 1 {
			return m.backToPicker()
		}
		return m.escFirst()
	case "tab", "down":
		return m, m.form.focusOn(m.form.focus + 1)
	case "shift+tab", "up":
		return m, m.form.focusOn(m.form.focus - 1)
	case "enter":
		if !m.form.onLast() {
			return m, m.form.focusOn(m.form.focus + 1)
		}
		return m.submit()
	}
	return m.edit(msg)
}

// edit applies a key or a paste to the focused field: a refused edit shows
// its error under the field at once; an accepted change clears the field's
// old error (it was about the value that is gone).
func (m model) edit(msg tea.Msg) (tea.Model, tea.Cmd) {
	key, changed, cmd := m.form.edit(msg)
	name := m.form.focused()
	switch {
	case key != "":
		m.errs = withErr(m.errs, name, key)
	case changed:
		delete(m.errs, name)
	}
	return m, cmd
}

// withErr is errs (copied, as res.Errors may be shared) with field's error set.
func withErr(errs map[string]string, field, key string) map[string]string {
	out := make(map[string]string, len(errs)+1)
	for k, v := range errs {
		out[k] = v
	}
	out[field] = key
	return out
}

func (m model) submit() (tea.Model, tea.Cmd) {
	in := m.form.input()
	m.form.blur()
	m.sub = m.r.start(m.fl, in)
	m.phase = phaseValidating
	m.prog = provider.Progress{}
	m.note = ""
	m.errs = nil // old errors, the base one too, are not shown under the spinner
	m.spin = spinner.New(spinner.WithSpinner(spinner.MiniDot))
	cmds := []tea.Cmd{m.sub.next()}
	if !m.cfg.staticSpinner {
		cmds = append(cmds, m.spin.Tick)
	}
	return m, tea.Batch(cmds...)
}

// showForm puts a flow's first form on screen: login from Defaults,
// password empty, focus on the first field in error (else the first empty
// one).
func (m model) showForm(res flow.Result) (tea.Model, tea.Cmd) {
	m.res = res
	m.errs = copyErrs(res.Errors)
	m.form = newForm(res.Schema, m.st, res.Defaults)
	m.form.setWidth(m.w())
	m.phase = phaseForm
	return m, m.form.focusOn(m.form.firstFocus(res.Errors))
}

// reshowForm puts the form back after a failed submit: the login as the
// engine trimmed it, the password kept only when it was not the problem.
func (m model) reshowForm(res flow.Result) (tea.Model, tea.Cmd) {
	m.res = res
	m.errs = copyErrs(res.Errors)
	m.form.setDefaults(res.Defaults)
	if !m.form.keepPassword(res.Errors) {
		m.form.clearPasswords()
	}
	m.phase = phaseForm
	return m, m.form.focusOn(m.form.firstFocus(res.Errors))
}

func copyErrs(errs map[string]string) map[string]string {
	out := make(map[string]string, len(errs))
	for k, v := range errs {
		out[k] = v
	}
	return out
}

func (m model) done(o outcome) (tea.Model, tea.Cmd) {
	if o.err != nil {
		if errors.Is(o.err, context.Canceled) || errors.Is(o.err, context.DeadlineExceeded) {
			if m.phase == phaseCancelling {
				// esc: back to the form, login kept, password gone.
				m.form.clearPasswords()
				m.note = m.chrome.StoppedNote
				m.phase = phaseForm
				return m, m.form.focusOn(m.form.firstFocus(nil))
			}
			return m.quitCancelled()
		}
		m.fatal = o.err
		m.phase = phaseDone
		return m, tea.Quit
	}
	if o.res.Type == flow.ResultForm {
		return m.reshowForm(o.res)
	}
	// create_entry or abort (even when esc came too late to stop it: what
	// happened is shown).
	m.form.clearPasswords()
	m.res = o.res
	m.phase = phaseDone
	return m, tea.Quit
}

// quitCancelled cancels any running Submit and quits; RunFlow waits for the
// Submit goroutine before it returns.
func (m model) quitCancelled() (tea.Model, tea.Cmd) {
	if m.sub != nil {
		m.sub.cancel()
	}
	m.form.clearPasswords()
	m.cancelled = true
	m.phase = phaseDone
	return m, tea.Quit
}

// View draws on the alternate screen: Bubble Tea's inline renderer leaves
// stale lines behind when a frame shrinks, and forms shrink (an error goes
// away, the spinner ends). The outcome is printed on the main screen after
// the program ends (see summary).
func (m model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	return v
}

// summary is what stays on the terminal after the program: the final
// screen, or the cancel note; empty after a failure the caller reports.
func (m model) summary() string {
	pg := &page{w: m.w()}
	m.renderDone(pg)
	return pg.String()
}
