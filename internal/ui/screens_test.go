package ui

import (
	"io/fs"
	"testing"
	"testing/fstest"

	"github.com/charmbracelet/x/exp/golden"
	"github.com/setupwizard/setupwizard/internal/flow/flowtest"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
	"github.com/setupwizard/setupwizard/internal/store"
)

// goldenName makes golden files flat (testdata/<name>.golden) while the
// tests stay table-driven.
type goldenName struct {
	testing.TB
	name string
}

func (g goldenName) Name() string { return g.name }

// otherProvider is a second provider for the picker.
type otherProvider struct{ *flowtest.Provider }

func (otherProvider) Domain() string { return "otherprov" }

func (otherProvider) Translations() fs.FS {
	return fstest.MapFS{"en.json": {Data: []byte(`{"config":{"flow_title":"Other Service","step":{
		"user":{"title":"Other Service Login","data":{"email":"Login e-mail","password":"Password"}},
		"reauth_confirm":{"title":"Other {name}","data":{"email":"Login e-mail","password":"Password"}}},
		"progress":{"connecting":"Connecting","signing_in":"Signing in"}}}`)}}
}

var existing = store.Entry{
	ID: "entry1", Domain: flowtest.Domain, Title: "user@example.com", UniqueID: "user-example-com",
	Data:   map[string]string{store.DataLogin: "user@example.com"},
	Issues: []store.Issue{{ID: store.IssueAuthExpired, Severity: "error"}},
}

// TestScreens compares what the terminal shows (an 80x24 virtual terminal
// replaying every byte the program wrote) with testdata/<name>.golden.
// Refresh with: go test ./internal/ui -run TestScreens -update
func TestScreens(t *testing.T) {
	invalidAuth := &provider.Error{Key: provider.KeyInvalidAuth}
	tests := []struct {
		name  string
		opts  sessionOpts
		drive func(t *testing.T, s *session) string // returns the screen to compare
	}{
		{"form", sessionOpts{}, func(t *testing.T, s *session) string {
			return s.wait("Password")
		}},
		{"form_reauth", sessionOpts{reauth: &existing}, func(t *testing.T, s *session) string {
			return s.wait("Password")
		}},
		{"picker", sessionOpts{extra: []provider.Provider{otherProvider{flowtest.New()}}}, func(t *testing.T, s *session) string {
			s.wait("Other Service")
			s.key("down")
			return s.wait("> Other Service")
		}},
		{"spinner", sessionOpts{outcomes: []flowtest.Outcome{{Block: true}}}, func(t *testing.T, s *session) string {
			s.signIn("user@example.com", "hunter2")
			recv(t, s.prov.Started, "validator start")
			return s.wait("Step 1 of 2: Connecting")
		}},
		{"error_base", sessionOpts{outcomes: []flowtest.Outcome{{Err: invalidAuth}}}, func(t *testing.T, s *session) string {
			s.signIn("user@example.com", "hunter2")
			return s.wait("(invalid_auth)")
		}},
		{"error_field", sessionOpts{}, func(t *testing.T, s *session) string {
			s.signIn("not-an-email", "hunter2")
			return s.wait("(invalid_email)")
		}},
		{"success", sessionOpts{}, func(t *testing.T, s *session) string {
			s.signIn("user@example.com", "hunter2")
			return s.finalScreen()
		}},
		{"abort_already_configured", sessionOpts{entries: []store.Entry{existing}}, func(t *testing.T, s *session) string {
			s.signIn("user@example.com", "hunter2")
			return s.finalScreen()
		}},
		{"abort_wrong_account", sessionOpts{reauth: &existing, outcomes: []flowtest.Outcome{{Account: &provider.Account{UniqueID: "someone-else", Title: "someone@else.com"}}}}, func(t *testing.T, s *session) string {
			s.wait("Password")
			s.typeText("hunter2")
			s.key("enter")
			return s.finalScreen()
		}},
		{"abort_reauth_successful", sessionOpts{reauth: &existing}, func(t *testing.T, s *session) string {
			s.wait("Password")
			s.typeText("hunter2")
			s.key("enter")
			return s.finalScreen()
		}},
		{"reload_warning", sessionOpts{reauth: &existing, checkErr: provider.Fail(provider.KeyCannotConnect, "refresh: connection refused")}, func(t *testing.T, s *session) string {
			s.wait("Password")
			s.typeText("hunter2")
			s.key("enter")
			return s.finalScreen()
		}},
		{"narrow_error", sessionOpts{width: 30, outcomes: []flowtest.Outcome{{Err: invalidAuth}}}, func(t *testing.T, s *session) string {
			s.signIn("user@example.com", "hunter2")
			return s.wait("(invalid_auth)")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := startSession(t, tt.opts)
			scr := tt.drive(t, s)
			golden.RequireEqual(goldenName{t, tt.name}, scr)
		})
	}
}
