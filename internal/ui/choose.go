package ui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/setupwizard/setupwizard/internal/ui/frontend"
)

// PickEntry asks which of items (pre-rendered lines, one per entry) to use
// and returns its index, or ErrCancelled.
func PickEntry(ctx context.Context, opts Options, items []string) (int, error) {
	if len(items) == 0 {
		return -1, errors.New("ui: nothing to pick from")
	}
	c := frontend.ChromeFor(opts.Lang)
	m := pickModel{cfg: config{Options: opts}, st: newStyles(opts.NoColor), chrome: c, width: opts.Width,
		picker: picker{title: c.PickEntry, items: items}}
	final, err := tea.NewProgram(m, programOptions(ctx, opts)...).Run()
	if err != nil {
		return -1, runError(err)
	}
	fm, _ := final.(pickModel)
	printSummary(opts, fm.summary())
	if !fm.chosen {
		return -1, ErrCancelled
	}
	return fm.picker.cursor, nil
}

// Confirm asks a yes/no question; no is the default (enter).
func Confirm(ctx context.Context, opts Options, question string) (bool, error) {
	c := frontend.ChromeFor(opts.Lang)
	m := confirmModel{st: newStyles(opts.NoColor), chrome: c, width: opts.Width, fixed: opts.Width > 0, question: question}
	final, err := tea.NewProgram(m, programOptions(ctx, opts)...).Run()
	if err != nil {
		return false, runError(err)
	}
	fm, _ := final.(confirmModel)
	printSummary(opts, fm.summary())
	if !fm.answered {
		return false, ErrCancelled
	}
	return fm.yes, nil
}

func runError(err error) error {
	if errors.Is(err, tea.ErrInterrupted) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%w: %w", ErrCancelled, err)
	}
	return fmt.Errorf("ui: %w", err)
}

type pickModel struct {
	cfg    config
	st     styles
	chrome frontend.Chrome
	width  int
	picker picker
	chosen bool
	quit   bool
}

func (m pickModel) Init() tea.Cmd { return nil }

func (m pickModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		if m.cfg.Width <= 0 {
			m.width = msg.Width
		}
	case tea.KeyPressMsg:
		switch msg.String() {
		case "ctrl+c", "esc":
			m.quit = true
			return m, tea.Quit
		}
		if m.picker.key(msg) {
			m.chosen, m.quit = true, true
			return m, tea.Quit
		}
	}
	return m, nil
}

func (m pickModel) View() tea.View {
	pg := &page{w: effectiveWidth(m.width)}
	m.picker.render(pg, m.st)
	pg.blank()
	pg.help(m.st.help, m.chrome.HelpPick)
	v := tea.NewView(pg.String())
	v.AltScreen = true // see model.View
	return v
}

// summary is the answer, left on the main screen.
func (m pickModel) summary() string {
	pg := &page{w: effectiveWidth(m.width)}
	switch {
	case m.chosen:
		pg.text(m.st.desc, 0, "", m.picker.title+": "+m.picker.items[m.picker.cursor])
	case m.quit:
		pg.text(m.st.err, 0, markErr, m.chrome.Cancelled)
	}
	return pg.String()
}

type confirmModel struct {
	st       styles
	chrome   frontend.Chrome
	width    int
	fixed    bool
	question string
	answered bool
	yes      bool
	quit     bool
}

func (m confirmModel) Init() tea.Cmd { return nil }

func (m confirmModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		if !m.fixed {
			m.width = msg.Width
		}
	case tea.KeyPressMsg:
		k := strings.ToLower(msg.String())
		switch {
		case k == "ctrl+c" || k == "esc":
			m.quit = true
			return m, tea.Quit
		case slices.Contains(m.chrome.Yes, k):
			m.answered, m.yes, m.quit = true, true, true
			return m, tea.Quit
		case slices.Contains(m.chrome.No, k) || k == "enter":
			m.answered, m.quit = true, true
			return m, tea.Quit
		}
	}
	return m, nil
}

func (m confirmModel) View() tea.View {
	pg := &page{w: effectiveWidth(m.width)}
	pg.text(m.st.title, 0, "", m.question+" "+m.chrome.YesNo)
	pg.blank()
	pg.help(m.st.help, m.chrome.HelpConfirm)
	v := tea.NewView(pg.String())
	v.AltScreen = true // see model.View
	return v
}

// summary is the question and its answer, left on the main screen.
func (m confirmModel) summary() string {
	pg := &page{w: effectiveWidth(m.width)}
	switch {
	case m.answered:
		a := m.chrome.No[1]
		if m.yes {
			a = m.chrome.Yes[1]
		}
		pg.text(m.st.desc, 0, "", m.question+" "+m.chrome.YesNo+" "+a)
	case m.quit:
		pg.text(m.st.err, 0, markErr, m.chrome.Cancelled)
	}
	return pg.String()
}
