package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/charmbracelet/x/exp/golden"
	"github.com/setupwizard/setupwizard/internal/flow/flowtest"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
	"github.com/setupwizard/setupwizard/internal/store"
	"github.com/setupwizard/setupwizard/internal/ui/frontend"
)

// goldenName makes golden files flat (testdata/<name>.golden) while the
// tests stay table-driven.
type goldenName struct {
	testing.TB
	name string
}

func (g goldenName) Name() string { return g.name }

// otherProvider is a second provider for the picker.
type otherProvider struct{ scripted }

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
		{"picker", sessionOpts{extra: []provider.Provider{otherProvider{scripted{flowtest.New()}}}}, func(t *testing.T, s *session) string {
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

// sizes are the terminal sizes every screen is held at: the smallest
// supported, the classic, and a large one (text capped at 80 columns).
var sizes = [][2]int{{40, 12}, {80, 24}, {120, 40}}

// TestScreenSizes holds the form, an inline error, validating, the
// provider picker and the reauth picker at each size, in English and
// Polish: testdata/<screen>_<lang>_<w>x<h>.golden.
// Refresh with: go test ./internal/ui -run TestScreenSizes -update
func TestScreenSizes(t *testing.T) {
	invalidAuth := &provider.Error{Key: provider.KeyInvalidAuth}
	hints := func(lang string) string { return frontend.ChromeFor(lang).HintQuit }
	progress := map[string]string{"en": "Step 1 of 2: Connecting", "pl": "Krok 1 z 2: Łączenie"}
	screens := []struct {
		name  string
		opts  sessionOpts
		drive func(t *testing.T, s *session, lang string) string
	}{
		{"form", sessionOpts{}, func(t *testing.T, s *session, lang string) string {
			return s.wait(hints(lang))
		}},
		{"error", sessionOpts{outcomes: []flowtest.Outcome{{Err: invalidAuth}}}, func(t *testing.T, s *session, lang string) string {
			s.wait(hints(lang))
			s.typeText("user@example.com")
			s.key("tab")
			s.typeText("hunter2")
			s.key("enter")
			return s.wait("(invalid_auth)")
		}},
		{"validating", sessionOpts{outcomes: []flowtest.Outcome{{Block: true}}}, func(t *testing.T, s *session, lang string) string {
			s.wait(hints(lang))
			s.typeText("user@example.com")
			s.key("tab")
			s.typeText("hunter2")
			s.key("enter")
			recv(t, s.prov.Started, "validator start")
			return s.wait(progress[lang])
		}},
		{"picker", sessionOpts{extra: []provider.Provider{otherProvider{scripted{flowtest.New()}}}}, func(t *testing.T, s *session, lang string) string {
			s.wait("Other Service")
			s.key("down")
			return s.wait("> Other Service")
		}},
		{"demo", sessionOpts{notice: demoNotice, brief: map[string]string{flowtest.Domain: "Demo: user@example.com / hunter2"}}, func(t *testing.T, s *session, lang string) string {
			s.wait(hints(lang))
			s.key("tab")
			return s.wait(map[string]string{"en": "Password\n>", "pl": "Hasło\n>"}[lang])
		}},
	}
	for _, size := range sizes {
		w, h := size[0], size[1]
		for _, lang := range []string{"en", "pl"} {
			for _, sc := range screens {
				name := fmt.Sprintf("%s_%s_%dx%d", sc.name, lang, w, h)
				t.Run(name, func(t *testing.T) {
					o := sc.opts
					o.width, o.height, o.lang = w, h, lang
					s := startSession(t, o)
					golden.RequireEqual(goldenName{t, name}, sc.drive(t, s, lang))
				})
			}
			name := fmt.Sprintf("reauth_picker_%s_%dx%d", lang, w, h)
			t.Run(name, func(t *testing.T) {
				golden.RequireEqual(goldenName{t, name}, pickScreen(t, lang, w, h))
			})
		}
	}
}

// demoNotice is a notice as long as --demo's.
const demoNotice = "Demo: both services are emulated on this machine. Test Service: user@example.com / hunter2; Other Service: other / hunter2. Any other password shows invalid_auth. Token caches: in-memory."

// reauthPick is what the command line asks when several accounts could
// sign in again: the expired one comes first and is preselected.
func reauthPick(lang string) Pick {
	c := frontend.ChromeFor(lang)
	return Pick{Question: c.ReauthQuestion, Accounts: []Account{
		{Label: "Flame Connect · anna@example.com"},
		{Label: "Librus Synergia · jan.kowalski", Note: c.Expired, Urgent: true},
		{Label: "Test Service · user@example.com"},
	}}
}

// pickScreen opens the reauth picker, returns the screen once it is drawn,
// then cancels it.
func pickScreen(t *testing.T, lang string, w, h int) string {
	t.Helper()
	in, keys := io.Pipe()
	scr := newScreen()
	done := make(chan error, 1)
	go func() {
		_, err := PickAccount(context.Background(), Options{In: in, Out: scr, Lang: lang, NoColor: true, Width: w, Height: h}, reauthPick(lang))
		done <- err
	}()
	got := scr.waitFor(t, w, h, "the picker", func(s string) bool {
		return strings.Contains(s, "> Librus") && strings.Contains(s, frontend.ChromeFor(lang).HintQuit)
	})
	_, _ = keys.Write([]byte{3}) // ctrl+c
	if err := recv(t, done, "the picker's end"); !errors.Is(err, ErrCancelled) {
		t.Fatalf("ctrl+c: %v", err)
	}
	return got
}
