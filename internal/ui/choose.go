package ui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/setupwizard/setupwizard/internal/ui/frontend"
	xterm "golang.org/x/term"
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
// ctrl+c); on a menu (Pick.Menu) esc returns ErrBack.
func PickAccount(ctx context.Context, opts Options, p Pick) (int, error) {
	if len(p.Accounts) == 0 {
		return -1, errors.New("ui: nothing to pick from")
	}
	c := frontend.ChromeFor(opts.Lang)
	order := p.Order()
	m := pickModel{cfg: config{Options: opts}, st: newStyles(opts.NoColor), chrome: c, width: opts.Width, height: opts.Height,
		picker: picker{title: p.Title(c)}, order: order, menu: p.Menu, keep: p.Keep}
	if p.Menu && m.height <= 0 {
		// An inline menu must know its room from its first frame: one
		// drawn taller before the size arrives scrolls the output it is
		// meant to keep in sight off the screen for good.
		m.width, m.height = termSize(opts, m.width)
	}
	for row, i := range order {
		a := p.Accounts[i]
		m.picker.items = append(m.picker.items, pickItem{label: frontend.Clean(a.Label), note: frontend.Clean(a.Note)})
		if i == p.Start-1 {
			m.picker.cursor = row
		}
	}
	final, err := tea.NewProgram(m, programOptions(ctx, opts)...).Run()
	fm, _ := final.(pickModel)
	if fm.menu {
		eraseInline(opts, fm.frame())
	}
	if err != nil {
		return -1, runError(err)
	}
	printSummary(opts, fm.summary())
	switch {
	case fm.done:
		return -1, ErrBack
	case !fm.chosen:
		return -1, ErrCancelled
	}
	return order[fm.picker.cursor], nil
}

// Confirm asks a yes/no question on one line, inline (the output above it
// stays in sight), and leaves the question and its answer behind. No is
// the default (enter), and esc is no too. It returns false for no, and
// ErrCancelled for ctrl+c; the command line treats both as a cancel.
func Confirm(ctx context.Context, opts Options, question string) (bool, error) {
	c := frontend.ChromeFor(opts.Lang)
	m := confirmModel{st: newStyles(opts.NoColor), chrome: c, width: opts.Width, fixed: opts.Width > 0, question: frontend.Clean(question)}
	final, err := tea.NewProgram(m, programOptions(ctx, opts)...).Run()
	fm, _ := final.(confirmModel)
	eraseInline(opts, fm.asked())
	if err != nil {
		return false, runError(err)
	}
	printSummary(opts, fm.render())
	if !fm.answered {
		return false, ErrCancelled
	}
	return fm.yes, nil
}

// inlineFrame is an inline program's frame: what it shows, then one blank
// line. Bubble Tea leaves an inline program's last frame on the terminal
// with the cursor at the start of its last line, which it erases; it may
// or may not draw a frame changed by the last key. So the frame never
// changes when the program ends, and the blank line is what gets erased:
// the cursor is then below what was shown, and eraseInline can replace
// it with the summary.
func inlineFrame(shown string) string { return shown + "\n " }

// eraseInline erases what an inline program showed (the frame before
// inlineFrame's blank line) once it has ended, for its summary to take
// its place.
func eraseInline(opts Options, shown string) {
	out := opts.Out
	if out == nil {
		out = os.Stdout
	}
	_, _ = fmt.Fprintf(out, "\x1b[%dA\r\x1b[J", strings.Count(shown, "\n")+1)
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
	menu          bool  // Pick.Menu: inline, and esc is no cancel
	keep          int   // Pick.Keep: lines above the menu kept in sight
	done          bool  // esc left a menu
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
		case "esc":
			m.quit, m.done = true, m.menu
			return m, tea.Quit
		case "ctrl+c":
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
	if m.menu {
		return tea.NewView(inlineFrame(m.frame()))
	}
	v := tea.NewView(m.frame())
	v.AltScreen = true // see model.View
	return v
}

// frame is the picker's screen, cut to the terminal's height (one line
// less inline: see inlineFrame).
func (m pickModel) frame() string {
	w := effectiveWidth(m.width)
	body, foot := &page{w: w}, &page{w: w}
	var fr frame
	fr.from, fr.to = m.picker.render(body, m.st)
	fr.want = fr.to
	body.blank()
	if m.menu {
		foot.help(m.st.help, m.chrome.HelpMenu())
	} else {
		foot.help(m.st.help, m.chrome.HelpPick(false))
	}
	fr.body, fr.foot = body.lines, foot.lines
	h := m.height
	if m.menu {
		h -= 1 + m.keep
	}
	if m.height > 0 && fr.height() > h {
		if m.menu && h < len(fr.foot)+1 {
			return m.line(w)
		}
		if m.menu {
			// The question goes first, whole: a scrolled-off half of it
			// reads as a fragment. The steps and keys say enough.
			items := &page{w: w}
			untitled := m.picker
			untitled.title = ""
			fr.from, fr.to = untitled.render(items, m.st)
			fr.want = fr.to
			fr.body = items.lines
		}
		return fr.fit(h)
	}
	return fr.join()
}

// line is a menu with no room for more than one line (the output above
// it comes first): the cursor's item, cut to the width with an ellipsis.
// The arrows still move it and the keys are those of the full menu.
func (m pickModel) line(w int) string {
	it := m.picker.items[m.picker.cursor]
	return m.st.cursor.Render(ansi.Truncate(promptFocused+it.label, w, "…"))
}

// summary is the answer in one line, left on the main screen.
func (m pickModel) summary() string {
	pg := &page{w: effectiveWidth(m.width)}
	switch {
	case m.chosen && m.menu:
		// The question is asked again after this choice's output: the
		// choice alone heads that output, on one line (cut with an
		// ellipsis when narrow) to leave the rows to the output.
		pg.raw(m.st.title.Render(ansi.Truncate(promptFocused+m.picker.items[m.picker.cursor].label, pg.w, "…")))
	case m.chosen:
		q := m.picker.title
		if !strings.HasSuffix(q, "?") && !strings.HasSuffix(q, ":") {
			q += ":"
		}
		pg.text(m.st.desc, 0, "", q+" "+m.picker.items[m.picker.cursor].label)
	case m.done:
		// esc on a menu is its normal end; the caller says so.
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
		case k == "ctrl+c":
			m.quit = true
			return m, tea.Quit
		case k == "esc":
			// esc declines, as a typed no does: both say the same.
			m.answered, m.quit = true, true
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

// View is the question (wrapped when narrow); the answer is typed after
// it. It never changes (see inlineFrame): Confirm prints the question with
// the answer when it is over.
func (m confirmModel) View() tea.View { return tea.NewView(inlineFrame(m.asked())) }

// asked is the question as shown while it waits for the answer.
func (m confirmModel) asked() string {
	m.answered, m.quit = false, false
	return m.render()
}

// render is the question with the answer or the cancel mark, once there
// is one.
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

// termSize is Out's terminal size (width stays as given when fixed), or
// 0x0 when Out is no terminal: the first WindowSizeMsg then tells.
func termSize(opts Options, width int) (int, int) {
	out := opts.Out
	if out == nil {
		out = os.Stdout
	}
	f, ok := out.(interface{ Fd() uintptr })
	if !ok {
		return width, 0
	}
	w, h, err := xterm.GetSize(int(f.Fd()))
	if err != nil {
		return width, 0
	}
	if width > 0 {
		w = width
	}
	return w, h
}
