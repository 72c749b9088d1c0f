package ui

import (
	"context"
	"errors"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"
	"github.com/setupwizard/setupwizard/internal/flow"
	"github.com/setupwizard/setupwizard/internal/flow/flowtest"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

// newFormModel is a model showing prov's add form, driven by direct
// Update calls (no program): deterministic unit tests of the key handling.
func newFormModel(t *testing.T, prov provider.Provider, width int) (model, *runner) {
	t.Helper()
	choices, err := loadChoices("en", []provider.Provider{prov})
	if err != nil {
		t.Fatal(err)
	}
	r := newRunner(context.Background())
	t.Cleanup(func() { r.stop() })
	st := newMemStore()
	m, err := newModel(config{Options: Options{NoColor: true}, staticSpinner: true}, r, choices,
		func(p provider.Provider) (*flow.Flow, error) { return flow.NewUser(p, st), nil })
	if err != nil {
		t.Fatal(err)
	}
	m = step(t, m, tea.WindowSizeMsg{Width: width, Height: 24})
	if m.phase != phaseForm {
		t.Fatalf("phase %d, want the form", m.phase)
	}
	return m, r
}

func step(t *testing.T, m model, msg tea.Msg) model {
	t.Helper()
	next, _ := m.Update(msg)
	return next.(model)
}

func typeInto(t *testing.T, m model, s string) model {
	for _, r := range s {
		m = step(t, m, tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	return m
}

// drain feeds the running submission's messages to the model until its
// outcome has been handled.
func drain(t *testing.T, m model) model {
	t.Helper()
	for m.sub != nil {
		m = step(t, m, m.sub.next()())
	}
	return m
}

func TestFormKeys(t *testing.T) {
	tests := []struct {
		keys      []string
		wantFocus int
		wantPhase phase
	}{
		{[]string{}, 0, phaseForm},
		{[]string{"tab"}, 1, phaseForm},
		{[]string{"tab", "tab"}, 0, phaseForm},
		{[]string{"down"}, 1, phaseForm},
		{[]string{"shift+tab"}, 1, phaseForm},
		{[]string{"tab", "up"}, 0, phaseForm},
		{[]string{"enter"}, 1, phaseForm},                // enter on the login moves on
		{[]string{"enter", "enter"}, 1, phaseValidating}, // enter on the last field submits
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.keys, ","), func(t *testing.T) {
			m, _ := newFormModel(t, scripted{flowtest.New()}, 80)
			for _, k := range tt.keys {
				m = step(t, m, keyMsg(k))
			}
			if m.form.focus != tt.wantFocus || m.phase != tt.wantPhase {
				t.Fatalf("focus %d phase %d, want %d %d", m.form.focus, m.phase, tt.wantFocus, tt.wantPhase)
			}
			drain(t, m)
		})
	}
}

// TestPasswordAfterFailure: an auth failure clears the password; a
// network failure (the password was never judged) keeps it, so enter
// alone tries again.
func TestPasswordAfterFailure(t *testing.T) {
	tests := []struct {
		key  string
		keep bool
	}{
		{provider.KeyInvalidAuth, false},
		{provider.KeyUnknown, false},
		{provider.KeyCannotConnect, true},
		{provider.KeyTimeout, true},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			m, _ := newFormModel(t, scripted{flowtest.New(flowtest.Outcome{Err: &provider.Error{Key: tt.key}})}, 80)
			m = typeInto(t, m, "user@example.com")
			m = step(t, m, keyMsg("enter"))
			m = typeInto(t, m, "hunter2")
			m = step(t, m, keyMsg("enter"))
			if m.phase != phaseValidating {
				t.Fatalf("phase %d", m.phase)
			}
			if !strings.Contains(m.render(), "*******") {
				t.Fatalf("no mask while validating:\n%s", m.render())
			}
			m = drain(t, m)
			if m.phase != phaseForm || m.errs[flow.Base] != tt.key {
				t.Fatalf("phase %d errors %v", m.phase, m.errs)
			}
			want := ""
			if tt.keep {
				want = "hunter2"
			}
			if got := m.form.fields[1].in.Value(); got != want || m.form.fields[0].in.Value() != "user@example.com" {
				t.Fatalf("after %s: login %q password %q, want password %q", tt.key, m.form.fields[0].in.Value(), got, want)
			}
			if m.form.focus != 1 {
				t.Fatalf("focus %d, want the password", m.form.focus)
			}
		})
	}
}

// TestEditing: paste rules, the byte cap while typing, and errors that
// clear when their field is edited (the base error on resubmit).
func TestEditing(t *testing.T) {
	long := strings.Repeat("a", flow.MaxFieldBytes)
	paste := func(s string) tea.Msg { return tea.PasteMsg{Content: s} }
	keys := func(s string) []tea.Msg {
		var out []tea.Msg
		for _, r := range s {
			out = append(out, tea.KeyPressMsg{Code: r, Text: string(r)})
		}
		return out
	}
	tests := []struct {
		name     string
		msgs     []tea.Msg
		want     string // the login field's value
		wantErr  string // the login field's error
		setupErr string // an error shown under the login before the edit
	}{
		{"paste", []tea.Msg{paste("a@b.co")}, "a@b.co", "", ""},
		{"one trailing LF dropped", []tea.Msg{paste("a@b.co\n")}, "a@b.co", "", ""},
		{"one trailing CRLF dropped", []tea.Msg{paste("a@b.co\r\n")}, "a@b.co", "", ""},
		{"one trailing CR dropped", []tea.Msg{paste("a@b.co\r")}, "a@b.co", "", ""},
		{"two newlines refused", []tea.Msg{paste("a@b.co\n\n")}, "", flow.ErrInvalidCharacters, ""},
		{"tab refused", []tea.Msg{paste("a\tb")}, "", flow.ErrInvalidCharacters, ""},
		{"inner newline refused", []tea.Msg{paste("a\nb")}, "", flow.ErrInvalidCharacters, ""},
		{"BEL refused", []tea.Msg{paste("a\ab")}, "", flow.ErrInvalidCharacters, ""},
		{"ESC sequence refused", []tea.Msg{paste("a\x1b[31mb")}, "", flow.ErrInvalidCharacters, ""},
		{"bidi override refused", []tea.Msg{paste("a\u202eb")}, "", flow.ErrInvalidCharacters, ""},
		{"refusal keeps the value", append(keys("ab"), paste("c\td")), "ab", flow.ErrInvalidCharacters, ""},
		{"paste at the cap", []tea.Msg{paste(long)}, long, "", ""},
		{"paste past the cap refused", []tea.Msg{paste(long + "b")}, "", flow.ErrTooLong, ""},
		{"typing past the cap refused", append([]tea.Msg{paste(long)}, keys("b")...), long, flow.ErrTooLong, ""},
		{"multibyte past the cap refused", append([]tea.Msg{paste(long[1:])}, keys("ż")...), long[1:], flow.ErrTooLong, ""},
		{"typing clears the field's error", keys("a"), "a", "", flow.ErrRequired},
		{"a refused edit then a good one", append([]tea.Msg{paste("\t")}, keys("a")...), "a", "", ""},
		{"cursor moves keep the error", []tea.Msg{tea.KeyPressMsg{Code: tea.KeyLeft}}, "", flow.ErrRequired, flow.ErrRequired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, _ := newFormModel(t, scripted{flowtest.New()}, 80)
			if tt.setupErr != "" {
				m.errs = map[string]string{"email": tt.setupErr}
			}
			for _, msg := range tt.msgs {
				m = step(t, m, msg)
			}
			if got := m.form.fields[0].in.Value(); got != tt.want {
				t.Errorf("value %q, want %q", got, tt.want)
			}
			if got := m.errs["email"]; got != tt.wantErr {
				t.Errorf("error %q, want %q", got, tt.wantErr)
			}
		})
	}
}

func TestStaleErrors(t *testing.T) {
	m, _ := newFormModel(t, scripted{flowtest.New(flowtest.Outcome{Err: &provider.Error{Key: provider.KeyInvalidAuth}}, flowtest.Outcome{Block: true})}, 80)
	m = typeInto(t, m, "user@example.com")
	m = step(t, m, keyMsg("enter"))
	m = typeInto(t, m, "hunter2")
	m = drain(t, step(t, m, keyMsg("enter")))
	if !strings.Contains(m.render(), "(invalid_auth)") {
		t.Fatalf("no base error:\n%s", m.render())
	}
	m = typeInto(t, m, "hunter3")
	if !strings.Contains(m.render(), "(invalid_auth)") {
		t.Fatal("the base error went away before the resubmit")
	}
	m = step(t, m, keyMsg("enter"))
	if scr := m.render(); strings.Contains(scr, "(invalid_auth)") {
		t.Fatalf("the base error stays under the spinner:\n%s", scr)
	}
	m.sub.cancel()
	drain(t, m)
}

// TestEscGoesBack: esc on the form goes back to the provider picker with
// the login kept (not the password); esc on the picker cancels.
func TestEscGoesBack(t *testing.T) {
	choices, err := loadChoices("en", []provider.Provider{scripted{flowtest.New()}, otherProvider{scripted{flowtest.New()}}})
	if err != nil {
		t.Fatal(err)
	}
	r := newRunner(context.Background())
	t.Cleanup(func() { r.stop() })
	made := 0
	m, err := newModel(config{Options: Options{NoColor: true}}, r, choices, func(p provider.Provider) (*flow.Flow, error) {
		made++
		return flow.NewUser(p, newMemStore()), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	m = step(t, m, keyMsg("enter"))
	m = typeInto(t, m, "user@example.com")
	m = step(t, m, keyMsg("tab"))
	m = typeInto(t, m, "hunter2")
	m = step(t, m, keyMsg("esc"))
	if m.phase != phasePick || m.cancelled {
		t.Fatalf("phase %d cancelled %v after esc on the form", m.phase, m.cancelled)
	}
	if !strings.Contains(m.render(), "> Test Service") {
		t.Fatalf("cursor not on the provider left:\n%s", m.render())
	}
	m = step(t, m, keyMsg("enter"))
	if m.phase != phaseForm || m.form.fields[0].in.Value() != "user@example.com" || m.form.fields[1].in.Value() != "" {
		t.Fatalf("back on the form: phase %d login %q password %q", m.phase, m.form.fields[0].in.Value(), m.form.fields[1].in.Value())
	}
	if made != 1 {
		t.Fatalf("newFlow ran %d times for one provider", made)
	}
	if !strings.Contains(m.render(), "esc back") {
		t.Fatalf("hints do not say esc goes back:\n%s", m.render())
	}
	m = step(t, m, keyMsg("esc"))
	m = step(t, m, keyMsg("esc"))
	if m.phase != phaseDone || !m.cancelled {
		t.Fatalf("esc on the picker: phase %d cancelled %v", m.phase, m.cancelled)
	}
}

// TestScrollKeepsFocusVisible renders the form at small sizes: the focused
// field's label, input and error and the key hints are always on screen.
func TestScrollKeepsFocusVisible(t *testing.T) {
	for _, size := range [][2]int{{40, 12}, {80, 12}, {40, 16}, {120, 40}} {
		w, h := size[0], size[1]
		for _, lang := range []string{"en", "pl"} {
			m, _ := newFormModel(t, scripted{flowtest.New()}, w)
			m.cfg.Lang, m.chrome = lang, frontendChrome(lang)
			m.cfg.Notice = "Demo: both services are emulated on this machine. Test Service: user@example.com / hunter2. Any other password shows invalid_auth."
			m = step(t, m, tea.WindowSizeMsg{Width: w, Height: h})
			check := func(what string, wants ...string) {
				t.Helper()
				scr := m.render()
				lines := strings.Split(scr, "\n")
				if len(lines) > h {
					t.Errorf("%dx%d %s %s: %d lines:\n%s", w, h, lang, what, len(lines), scr)
				}
				for _, want := range wants {
					if !strings.Contains(strings.ReplaceAll(scr, "\n", " "), want) {
						t.Errorf("%dx%d %s %s: %q not on screen:\n%s", w, h, lang, what, want, scr)
					}
				}
				if !strings.Contains(lines[len(lines)-1], "ctrl+c") {
					t.Errorf("%dx%d %s %s: hints not at the bottom:\n%s", w, h, lang, what, scr)
				}
			}
			check("login", "> ")
			m = step(t, m, keyMsg("tab"))
			check("password", "> ", "Password")
			m = step(t, m, tea.PasteMsg{Content: "a\tb"})
			check("password error", "> ", "Password", "(invalid_characters)")
			m = step(t, m, keyMsg("tab"))
			m.errs = map[string]string{"email": flow.ErrInvalidEmail}
			check("login error", "> ", "(invalid_email)")
		}
	}
}

// TestNarrowWidths renders every screen at narrow widths: each line must
// fit (the layout wraps instead of letting the terminal do it).
func TestNarrowWidths(t *testing.T) {
	long := strings.Repeat("verylonglogin", 5) + "@example.com"
	for _, w := range []int{20, 25, 30, 41} {
		m, _ := newFormModel(t, scripted{flowtest.New()}, w)
		m = typeInto(t, m, long)
		m = step(t, m, keyMsg("tab"))
		m = typeInto(t, m, strings.Repeat("p", 60))
		screens := map[string]string{"form": m.render()}
		m.res.Errors = map[string]string{"email": flow.ErrInvalidEmail, "password": flow.ErrTooLong, flow.Base: provider.KeyCannotConnect}
		screens["errors"] = m.render()
		m.errs = m.res.Errors
		m.phase, m.prog = phaseValidating, provider.Progress{Step: 2, Total: 5, Key: "signing_in"}
		screens["validating"] = m.render()
		m.phase = phaseDone
		m.res = flow.Result{Type: flow.ResultAbort, Reason: flow.AbortWrongAccount, ReloadErr: errors.New("check entry x: " + long)}
		screens["abort"] = m.render()
		m.res = flow.Result{Type: flow.ResultCreateEntry}
		m.res.Entry.Title, m.res.Entry.UniqueID = long, provider.Slugify(long)
		screens["created"] = m.render()
		m.picker = picker{title: "Choose a service", items: []pickItem{{label: "Test Service"}, {label: long, note: "sign-in expired"}}}
		m.phase = phasePick
		screens["picker"] = m.render()
		for name, scr := range screens {
			for _, line := range strings.Split(scr, "\n") {
				if ansi.StringWidth(line) > w {
					t.Errorf("width %d, %s: line %q is %d wide", w, name, line, ansi.StringWidth(line))
				}
			}
		}
	}
}

// TestResizeLive resizes a running program to 30 columns mid-form.
func TestResizeLive(t *testing.T) {
	s := startSession(t, sessionOpts{})
	s.wait("Password")
	s.resize(30, 24)
	s.scr.waitFor(t, 30, 24, "the description wrapped at 30 columns", func(scr string) bool {
		return strings.Contains(scr, "Sign in with your Test Service\naccount.") && strings.Contains(scr, "\nctrl+c quit")
	})
	s.signIn("user@example.com", "hunter2")
	if res, err := s.result(); err != nil || res.Type != flow.ResultCreateEntry {
		t.Fatalf("%v %v", res.Type, err)
	}
}

// TestTeatestCtrlCKeepsNoPassword drives the model with teatest: submit,
// ctrl+c while the validator blocks, then inspect the final model.
func TestTeatestCtrlCKeepsNoPassword(t *testing.T) {
	prov := flowtest.New(flowtest.Outcome{Block: true})
	choices, err := loadChoices("en", []provider.Provider{scripted{prov}})
	if err != nil {
		t.Fatal(err)
	}
	r := newRunner(context.Background())
	st := newMemStore()
	m, err := newModel(config{Options: Options{NoColor: true}, staticSpinner: true}, r, choices,
		func(p provider.Provider) (*flow.Flow, error) { return flow.NewUser(p, st), nil })
	if err != nil {
		t.Fatal(err)
	}
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(80, 24))
	tm.Type("user@example.com")
	tm.Send(keyMsg("enter"))
	tm.Type("hunter2")
	tm.Send(keyMsg("enter"))
	recv(t, prov.Started, "validator start")
	tm.Send(keyMsg("ctrl+c"))
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(guard)).(model)
	last := r.stop()
	if !fm.cancelled {
		t.Fatal("model not cancelled")
	}
	if got := fm.form.fields[1].in.Value(); got != "" {
		t.Fatalf("password in the final model: %q", got)
	}
	if got := fm.form.fields[0].in.Value(); got != "user@example.com" {
		t.Fatalf("login %q", got)
	}
	if err := recv(t, prov.Cancelled, "validator end"); !errors.Is(err, context.Canceled) {
		t.Fatalf("validator ended with %v", err)
	}
	if _, err := finish(fm, nil, last); !errors.Is(err, ErrCancelled) {
		t.Fatalf("finish: %v", err)
	}
	if st.Writes() != 0 {
		t.Fatal("store written")
	}
}

func TestFinish(t *testing.T) {
	created := flow.Result{Type: flow.ResultCreateEntry}
	form := flow.Result{Type: flow.ResultForm}
	tests := []struct {
		name    string
		m       model
		runErr  error
		last    outcome
		want    flow.ResultType
		wantErr error
	}{
		{"done", model{phase: phaseDone, res: created}, nil, outcome{ok: true, res: created}, flow.ResultCreateEntry, nil},
		{"cancelled", model{phase: phaseDone, cancelled: true}, nil, outcome{}, "", ErrCancelled},
		{"cancelled after a form", model{phase: phaseDone, cancelled: true}, nil, outcome{ok: true, res: form}, "", ErrCancelled},
		{"cancel too late to stop a commit", model{phase: phaseDone, cancelled: true}, nil, outcome{ok: true, res: created}, flow.ResultCreateEntry, nil},
		{"interrupted", model{}, tea.ErrInterrupted, outcome{}, "", ErrCancelled},
		{"caller's context", model{}, context.Canceled, outcome{}, "", ErrCancelled},
		{"store failed", model{phase: phaseDone, fatal: errKeyringTest}, nil, outcome{ok: true, err: errKeyringTest}, "", errKeyringTest},
		{"quit from outside", model{phase: phaseForm}, nil, outcome{}, "", ErrCancelled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := finish(tt.m, tt.runErr, tt.last)
			if res.Type != tt.want || !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("got %q, %v; want %q, %v", res.Type, err, tt.want, tt.wantErr)
			}
		})
	}
}

var errKeyringTest = errors.New("keyring locked")

func TestBriefNotice(t *testing.T) {
	demo := "Demo: both services are emulated on this machine. flameconnect: demo@example.com / demo-password; librus: 1234567u / demo-password. Any other password shows invalid_auth."
	tests := []struct {
		o      Options
		domain string
		want   string
	}{
		{Options{Notice: demo}, "flameconnect", "Demo: flameconnect: demo@example.com / demo-password"},
		{Options{Notice: demo}, "librus", "Demo: librus: 1234567u / demo-password"},
		{Options{Notice: demo}, "", "Demo: both services are emulated on this machine"},
		{Options{Notice: demo}, "other", "Demo: both services are emulated on this machine"},
		{Options{Notice: demo, NoticeBrief: map[string]string{"librus": "Demo · 1234567u / demo-password"}}, "librus", "Demo · 1234567u / demo-password"},
		{Options{Notice: "Short note"}, "librus", "Short note"},
	}
	for _, tt := range tests {
		if got := briefNotice(tt.o, tt.domain, 80); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.domain, got, tt.want)
		}
	}
	if got := briefNotice(Options{Notice: demo}, "flameconnect", 20); ansi.StringWidth(got) > 20 {
		t.Errorf("not cut to the width: %q", got)
	}
}

// TestWideTerminalCapsText: at 200 columns no line is wider than 80, so
// descriptions and errors stay readable.
func TestWideTerminalCapsText(t *testing.T) {
	m, _ := newFormModel(t, scripted{flowtest.New()}, 200)
	m.cfg.Notice = strings.Repeat("A long notice that goes on. ", 10)
	m.errs = map[string]string{flow.Base: provider.KeyCannotConnect, "email": flow.ErrInvalidCharacters}
	for _, line := range strings.Split(m.render(), "\n") {
		if w := ansi.StringWidth(line); w > maxWidth {
			t.Errorf("line %q is %d wide", line, w)
		}
	}
}
