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

// Pick is what the account picker asks (the same type as prompt.Pick).
type Pick = frontend.Pick

// Account is one line of the account picker (the same type as prompt.Account).
type Account = frontend.Account

// PickEntry asks which of items (pre-rendered lines, one per entry) to use
// and returns its index, or ErrCancelled. PickAccount asks it better.
func PickEntry(ctx context.Context, opts Options, items []string) (int, error) {
	return PickAccount(ctx, opts, frontend.PickOf(items))
}

// PickAccount shows the question and the accounts on one screen, urgent
// ones (Account.Urgent: an expired sign-in) first with the cursor on the
// first of them, and leaves a one-line summary of the answer behind. It
// returns the chosen account's index in p.Accounts, or ErrCancelled (esc,
// ctrl+c).
func PickAccount(ctx context.Context, opts Options, p Pick) (int, error) {
	if len(p.Accounts) == 0 {
		return -1, errors.New("ui: nothing to pick from")
	}
	c := frontend.ChromeFor(opts.Lang)
	order := p.Order()
	m := pickModel{cfg: config{Options: opts}, st: newStyles(opts.NoColor), chrome: c, width: opts.Width, height: opts.Height,
		picker: picker{title: p.Title(c)}, order: order}
	for row, i := range order {
		a := p.Accounts[i]
		m.picker.items = append(m.picker.items, pickItem{label: frontend.Clean(a.Label), note: frontend.Clean(a.Note)})
		if i == p.Start-1 {
			m.picker.cursor = row
		}
	}
	final, err := tea.NewProgram(m, programOptions(ctx, opts)...).Run()
	if err != nil {
		return -1, runError(err)
	}
	fm, _ := final.(pickModel)
	printSummary(opts, fm.summary())
	if !fm.chosen {
		return -1, ErrCancelled
	}
	return order[fm.picker.cursor], nil
}

// Confirm asks a yes/no question on one line, inline (the output above it
// stays in sight), and leaves the question and its answer behind. No is
// the default (enter). It returns false for no, and ErrCancelled for esc
// or ctrl+c; the command line treats both as a cancel.
func Confirm(ctx context.Context, opts Options, question string) (bool, error) {
	c := frontend.ChromeFor(opts.Lang)
	m := confirmModel{st: newStyles(opts.NoColor), chrome: c, width: opts.Width, fixed: opts.Width > 0, question: frontend.Clean(question)}
	final, err := tea.NewProgram(m, programOptions(ctx, opts)...).Run()
	if err != nil {
		return false, runError(err)
	}
	fm, _ := final.(confirmModel)
	// Bubble Tea erases an inline program's last frame when it exits.
	printSummary(opts, fm.render())
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
	cfg           config
	st            styles
	chrome        frontend.Chrome
	width, height int
	picker        picker
	order         []int // picker row -> index in Pick.Accounts
	chosen        bool
	quit          bool
}

func (m pickModel) Init() tea.Cmd { return nil }

func (m pickModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		if m.cfg.Width <= 0 {
			m.width = msg.Width
		}
		if m.cfg.Height <= 0 {
			m.height = msg.Height
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
	w := effectiveWidth(m.width)
	body, foot := &page{w: w}, &page{w: w}
	var fr frame
	fr.from, fr.to = m.picker.render(body, m.st)
	fr.want = fr.to
	body.blank()
	foot.help(m.st.help, m.chrome.HelpPick(false))
	fr.body, fr.foot = body.lines, foot.lines
	s := fr.join()
	if m.height > 0 && fr.height() > m.height {
		s = fr.fit(m.height)
	}
	v := tea.NewView(s)
	v.AltScreen = true // see model.View
	return v
}

// summary is the answer in one line, left on the main screen.
func (m pickModel) summary() string {
	pg := &page{w: effectiveWidth(m.width)}
	switch {
	case m.chosen:
		q := m.picker.title
		if !strings.HasSuffix(q, "?") {
			q += ":"
		}
		pg.text(m.st.desc, 0, "", q+" "+m.picker.items[m.picker.cursor].label)
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

// View is one line (wrapped when narrow) that only ever grows: the
// question, then the answer or the cancel mark after it. Inline, a frame
// that shrank could leave a stale line behind.
func (m confirmModel) View() tea.View { return tea.NewView(m.render()) }

func (m confirmModel) render() string {
	pg := &page{w: effectiveWidth(m.width)}
	line := m.question + " " + m.chrome.YesNo + " "
	switch {
	case m.answered && m.yes:
		pg.text(m.st.title, 0, "", line+m.chrome.Yes[1])
	case m.answered:
		pg.text(m.st.title, 0, "", line+m.chrome.No[1])
	case m.quit:
		pg.text(m.st.title, 0, "", line+markErr+m.chrome.Cancelled)
	default:
		pg.text(m.st.title, 0, "", line)
	}
	return pg.String()
}
