// Package prompt is the accessible front end (TERM=dumb or --accessible):
// plain line prompts on Options.In / Options.Out with the same flow as the
// TUI. Every line is printed once and never redrawn: no alternate screen,
// no cursor movement, no spinner, no colour, so screen readers and logs
// read it as written. Its exported shape matches internal/ui, so the
// command line can switch front ends with one flag.
package prompt

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/term"

	"github.com/setupwizard/setupwizard/internal/flow"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
	"github.com/setupwizard/setupwizard/internal/ui/frontend"
)

// Options configures a session (the same type as ui.Options).
type Options = frontend.Options

// ErrCancelled is returned at end of input or when ctx is cancelled (the
// same value as ui.ErrCancelled).
var ErrCancelled = frontend.ErrCancelled

// Markers, as in the TUI.
const (
	markErr  = "✗ "
	markOK   = "✓ "
	markWarn = "! "
)

// session is one call's terminal: a line reader on In and a locked writer
// on Out (progress reports may come from the validator's goroutines).
type session struct {
	ctx    context.Context
	in     *lineReader
	mu     sync.Mutex
	out    io.Writer
	width  int // the terminal's columns, for wrapping at words; 0: none
	chrome frontend.Chrome
	// menu: end of input is the person being done with a menu
	// (Pick.Menu), not a cancel to announce.
	menu bool
}

func newSession(ctx context.Context, opts Options) *session {
	in, out := opts.In, opts.Out
	if in == nil {
		in = os.Stdin
	}
	if out == nil {
		out = os.Stdout
	}
	s := &session{ctx: ctx, in: newLineReader(in), out: out, width: opts.Width, chrome: frontend.ChromeFor(opts.Lang)}
	if f, ok := out.(interface{ Fd() uintptr }); ok && s.width <= 0 {
		if w, _, err := term.GetSize(int(f.Fd())); err == nil {
			s.width = w
		}
	}
	if opts.Notice != "" {
		s.say("%s\n", opts.Notice)
	}
	return s
}

// say prints a line of prose (or several), wrapped at words to the
// terminal's width: the terminal would cut a word in two. A word wider
// than the terminal is left whole.
func (s *session) say(format string, args ...any) {
	s.printf("%s\n", s.wrap(fmt.Sprintf(format, args...)))
}

func (s *session) wrap(text string) string { return frontend.Wrap(text, s.width) }

// item is a numbered choice wrapped with a hanging indent: a continuation
// line starts under the item's text, not under its number, so the list
// still reads as one item per number.
func (s *session) item(number, text string) string {
	if s.width <= 0 {
		return number + text
	}
	hang := strings.Repeat(" ", len(number))
	lines := strings.Split(frontend.Wrap(text, max(s.width-len(number), 1)), "\n")
	return number + strings.Join(lines, "\n"+hang)
}

func (s *session) printf(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, _ = fmt.Fprintf(s.out, format, args...)
}

// errEsc is a line in which the person pressed esc (then Enter): a
// terminal in line mode hands the escape byte over as text. Each caller
// turns it into what esc means on the full-screen wizard's screen.
var errEsc = errors.New("esc")

// isEsc reports whether line holds an escape byte: esc alone, or a key
// that sends an escape sequence (an arrow). Such a line is never taken as
// a value, so it can never be echoed back as a default either.
func isEsc(line string) bool { return strings.ContainsRune(line, '\x1b') }

// ask prints a prompt and reads one line; end of input or a cancelled
// context is ErrCancelled, a line with esc in it errEsc.
func (s *session) ask(prompt string) (string, error) {
	s.printPrompt(prompt)
	line, err := s.in.readLine(s.ctx)
	if err == nil && isEsc(line) {
		return "", errEsc
	}
	return line, s.cancelled(err)
}

// printPrompt prints a question, wrapped at words like say, with the
// answer typed after its last line.
func (s *session) printPrompt(prompt string) {
	body := strings.TrimRight(prompt, " ")
	s.printf("%s%s", s.wrap(body), prompt[len(body):])
}

// cancel prints the cancel line and returns ErrCancelled: esc at the
// first question, as on the full-screen wizard.
func (s *session) cancel() error {
	s.say("%s%s", markErr, s.chrome.Cancelled)
	return ErrCancelled
}

// askSecret reads a line without echo when In is a terminal.
func (s *session) askSecret(prompt string) (string, error) {
	s.printPrompt(prompt)
	line, echoed, err := s.in.readSecret(s.ctx)
	if !echoed {
		s.printf("\n") // the newline typed was not echoed either
	}
	if err == nil && isEsc(line) {
		clear([]byte(line))
		return "", errEsc
	}
	return line, s.cancelled(err)
}

func (s *session) cancelled(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, io.EOF) && s.menu:
		s.printf("\n")
		return fmt.Errorf("%w: %w", frontend.ErrBack, io.EOF)
	case errors.Is(err, io.EOF):
		s.printf("\n%s%s\n", markErr, s.chrome.Cancelled)
		return ErrCancelled
	case s.ctx.Err() != nil:
		s.printf("\n%s%s\n", markErr, s.chrome.Cancelled)
		return fmt.Errorf("%w: %w", ErrCancelled, s.ctx.Err())
	}
	return fmt.Errorf("prompt: read input: %w", err)
}

// pick lists items and asks until an answer names one: its number, or
// (in any letter case) its text as listed or one of its names (names[i],
// may be nil: a service's domain). Anything else is answered with what is
// accepted, then the question again.
func (s *session) pick(title string, items []string, names [][]string) (int, error) {
	s.say("%s", title)
	for i, it := range items {
		s.printf("%s\n", s.item(fmt.Sprintf("  %d) ", i+1), it))
	}
	for {
		line, err := s.ask(fmt.Sprintf(s.chrome.Choose, len(items)))
		if err != nil {
			return -1, err
		}
		if i := choice(line, items, names); i >= 0 {
			return i, nil
		}
		s.say("%s%s", markErr, fmt.Sprintf(s.chrome.ChooseHelp, len(items)))
	}
}

// choice is the index of the item answer names, or -1.
func choice(answer string, items []string, names [][]string) int {
	a := strings.TrimSpace(answer)
	if n, err := strconv.Atoi(a); err == nil {
		if n >= 1 && n <= len(items) {
			return n - 1
		}
		return -1
	}
	if a == "" {
		return -1
	}
	for i, it := range items {
		if strings.EqualFold(a, it) {
			return i
		}
		if i < len(names) {
			for _, n := range names[i] {
				if strings.EqualFold(a, n) {
					return i
				}
			}
		}
	}
	return -1
}

// Pick is what the account picker asks (the same type as ui.Pick).
type Pick = frontend.Pick

// Account is one line of the account picker (the same type as ui.Account).
type Account = frontend.Account

// PickEntry asks which of items (pre-rendered lines) to use, by number.
func PickEntry(ctx context.Context, opts Options, items []string) (int, error) {
	return PickAccount(ctx, opts, frontend.PickOf(items))
}

// PickAccount asks the question and lists the accounts by number, urgent
// ones first (as ui.PickAccount orders them); it returns the chosen
// account's index in p.Accounts.
func PickAccount(ctx context.Context, opts Options, p Pick) (int, error) {
	if len(p.Accounts) == 0 {
		return -1, errors.New("prompt: nothing to pick from")
	}
	if p.Menu {
		// A menu is asked again after each answer: the notice was shown
		// with the first screen and is not repeated above every menu.
		opts.Notice = ""
	}
	s := newSession(ctx, opts)
	s.menu = p.Menu
	order := p.Order()
	items := make([]string, len(order))
	for i, j := range order {
		a := p.Accounts[j]
		items[i] = frontend.Clean(a.Label)
		if a.Note != "" {
			items[i] += " (" + frontend.Clean(a.Note) + ")"
		}
	}
	names := make([][]string, len(order))
	for i, j := range order {
		// "Flame Connect · anna@example.com": the account alone names it
		// too.
		label := frontend.Clean(p.Accounts[j].Label)
		names[i] = []string{label}
		if k := strings.LastIndex(label, " · "); k >= 0 {
			names[i] = append(names[i], label[k+len(" · "):])
		}
	}
	i, err := s.pick(p.Title(s.chrome), items, names)
	switch {
	case errors.Is(err, errEsc) && p.Menu:
		// esc on a menu is the person being done with it, as on the
		// full-screen menu.
		return -1, frontend.ErrBack
	case errors.Is(err, errEsc):
		return -1, s.cancel()
	case err != nil:
		return -1, err
	}
	return order[i], nil
}

// Confirm asks a yes/no question; an empty answer is no, and so is esc:
// declining and esc say the same thing.
func Confirm(ctx context.Context, opts Options, question string) (bool, error) {
	// The notice (the demo's sign-in details) is for forms; the TUI's
	// confirmation does not show it either.
	opts.Notice = ""
	s := newSession(ctx, opts)
	for {
		line, err := s.ask(question + " " + s.chrome.YesNo + " ")
		if errors.Is(err, errEsc) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		a := strings.ToLower(strings.TrimSpace(line))
		switch {
		case contains(s.chrome.Yes, a):
			return true, nil
		case a == "" || contains(s.chrome.No, a):
			return false, nil
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// RunFlow runs an add or reauth flow as line prompts: a numbered provider
// choice when there is more than one, then each field on its own line, the
// validator's progress as plain lines, errors as "✗ <text> (<key>)" and
// the form again with the login as its default, until create_entry or
// abort. It returns ErrCancelled at end of input or when ctx is cancelled
// (Submit then saves nothing), and newFlow's or the store's error.
func RunFlow(ctx context.Context, opts Options, providers []provider.Provider, newFlow func(provider.Provider) (*flow.Flow, error)) (flow.Result, error) {
	if len(providers) == 0 {
		return flow.Result{}, errors.New("prompt: no provider to run")
	}
	s := newSession(ctx, opts)
	texts := make([]frontend.Text, len(providers))
	titles := make([]string, len(providers))
	for i, p := range providers {
		cat, err := flow.Strings(p)
		if err != nil {
			return flow.Result{}, fmt.Errorf("prompt: %w", err)
		}
		texts[i] = frontend.Text{Cat: cat, Lang: opts.Lang}
		titles[i] = texts[i].FlowTitle(p.Domain())
	}
	names := make([][]string, len(providers))
	for i, p := range providers {
		names[i] = []string{p.Domain()}
	}
	for {
		cur := 0
		if len(providers) > 1 {
			var err error
			cur, err = s.pick(s.chrome.PickProvider, titles, names)
			if errors.Is(err, errEsc) {
				return flow.Result{}, s.first(opts)
			}
			if err != nil {
				return flow.Result{}, err
			}
		}
		f, err := newFlow(providers[cur])
		if err != nil {
			return flow.Result{}, err
		}
		fr := formRun{s: s, t: texts[cur]}
		res, err := fr.run(f)
		if errors.Is(err, errEsc) {
			// esc at the form's first question: one step back.
			if len(providers) > 1 {
				s.printf("\n")
				continue
			}
			return flow.Result{}, s.first(opts)
		}
		return res, err
	}
}

// first is esc at a session's first question: back to the caller's step
// before it (Options.Back) or a cancel, as on the full-screen wizard.
func (s *session) first(opts Options) error {
	if opts.Back {
		return ErrBack
	}
	return s.cancel()
}

// ErrBack is returned on esc at the first question when Options.Back is
// set (the same value as ui.ErrBack).
var ErrBack = frontend.ErrBack
