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
			m, _ := newFormModel(t, flowtest.New(), 80)
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

func TestPasswordLeavesModelOnSubmit(t *testing.T) {
	m, _ := newFormModel(t, flowtest.New(flowtest.Outcome{Err: &provider.Error{Key: provider.KeyInvalidAuth}}), 80)
	m = typeInto(t, m, "user@example.com")
	m = step(t, m, keyMsg("enter"))
	m = typeInto(t, m, "hunter2")
	if got := m.form.fields[1].in.Value(); got != "hunter2" {
		t.Fatalf("password field holds %q before submit", got)
	}
	m = step(t, m, keyMsg("enter"))
	if m.phase != phaseValidating {
		t.Fatalf("phase %d", m.phase)
	}
	if got := m.form.fields[1].in.Value(); got != "" {
		t.Fatalf("password still in the model while validating: %q", got)
	}
	if !strings.Contains(m.render(), "*******") {
		t.Fatalf("no mask while validating:\n%s", m.render())
	}
	m = drain(t, m)
	if m.phase != phaseForm || m.res.Errors[flow.Base] != provider.KeyInvalidAuth {
		t.Fatalf("phase %d errors %v", m.phase, m.res.Errors)
	}
	if m.form.fields[0].in.Value() != "user@example.com" || m.form.fields[1].in.Value() != "" || m.form.fields[1].masked != 0 {
		t.Fatalf("after the error: login %q password %q mask %d", m.form.fields[0].in.Value(), m.form.fields[1].in.Value(), m.form.fields[1].masked)
	}
	if m.form.focus != 1 {
		t.Fatalf("focus %d, want the password", m.form.focus)
	}
}

// TestNarrowWidths renders every screen at narrow widths: each line must
// fit (the layout wraps instead of letting the terminal do it).
func TestNarrowWidths(t *testing.T) {
	long := strings.Repeat("verylonglogin", 5) + "@example.com"
	for _, w := range []int{20, 25, 30, 41} {
		m, _ := newFormModel(t, flowtest.New(), w)
		m = typeInto(t, m, long)
		m = step(t, m, keyMsg("tab"))
		m = typeInto(t, m, strings.Repeat("p", 60))
		screens := map[string]string{"form": m.render()}
		m.res.Errors = map[string]string{"email": flow.ErrInvalidEmail, "password": flow.ErrTooLong, flow.Base: provider.KeyCannotConnect}
		screens["errors"] = m.render()
		m.phase, m.prog = phaseValidating, provider.Progress{Step: 2, Total: 5, Key: "signing_in"}
		m.form.fields[1].masked = 60
		screens["validating"] = m.render()
		m.phase = phaseDone
		m.res = flow.Result{Type: flow.ResultAbort, Reason: flow.AbortWrongAccount, ReloadErr: errors.New("check entry x: " + long)}
		screens["abort"] = m.render()
		m.res = flow.Result{Type: flow.ResultCreateEntry}
		m.res.Entry.Title, m.res.Entry.UniqueID = long, provider.Slugify(long)
		screens["created"] = m.render()
		m.picker = picker{title: "Choose a service", items: []string{"Test Service", long}}
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
	scr := s.wait("esc cancel • ctrl+c quit")
	if !strings.Contains(scr, "Sign in with your Test Service\naccount.") {
		t.Fatalf("description not wrapped at 30 columns:\n%s", scr)
	}
	s.signIn("user@example.com", "hunter2")
	if res, err := s.result(); err != nil || res.Type != flow.ResultCreateEntry {
		t.Fatalf("%v %v", res.Type, err)
	}
}

// TestTeatestCtrlCKeepsNoPassword drives the model with teatest: submit,
// ctrl+c while the validator blocks, then inspect the final model.
func TestTeatestCtrlCKeepsNoPassword(t *testing.T) {
	prov := flowtest.New(flowtest.Outcome{Block: true})
	choices, err := loadChoices("en", []provider.Provider{prov})
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
