package ui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/setupwizard/setupwizard/internal/flow"
	"github.com/setupwizard/setupwizard/internal/flow/flowtest"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
	"github.com/setupwizard/setupwizard/internal/store"
)

func recv[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(guard):
		t.Fatalf("never got %s", what)
	}
	var zero T
	return zero
}

func TestSuccessCreatesEntry(t *testing.T) {
	s := startSession(t, sessionOpts{})
	s.signIn("  user@example.com ", "hunter2")
	res, err := s.result()
	if err != nil {
		t.Fatal(err)
	}
	if res.Type != flow.ResultCreateEntry || res.Entry.UniqueID != "user-example-com" {
		t.Fatalf("result = %+v", res)
	}
	if got := s.prov.Inputs(); len(got) != 1 || got[0]["email"] != "user@example.com" {
		t.Fatalf("validator saw %v", got)
	}
	if entries, _ := s.st.Entries(context.Background()); len(entries) != 1 {
		t.Fatalf("entries = %v", entries)
	}
}

func TestEscDuringValidationCancelsAndReturnsToForm(t *testing.T) {
	s := startSession(t, sessionOpts{outcomes: []flowtest.Outcome{{Block: true}}})
	s.signIn("user@example.com", "hunter2")
	recv(t, s.prov.Started, "validator start")
	s.key("esc")
	if err := recv(t, s.prov.Cancelled, "validator end"); !errors.Is(err, context.Canceled) {
		t.Fatalf("validator's context ended with %v, want context.Canceled", err)
	}
	scr := s.wait("Sign-in stopped; nothing was saved.")
	if !strings.Contains(scr, "  user@example.com") {
		t.Errorf("login not kept:\n%s", scr)
	}
	if strings.Contains(scr, "*") {
		t.Errorf("password mask still shown after cancel:\n%s", scr)
	}
	if n := s.st.Writes(); n != 0 {
		t.Fatalf("%d store writes after a cancelled validation", n)
	}
	// The form works again: the focus is on the (empty) password.
	s.typeText("hunter2")
	s.key("enter")
	res, err := s.result()
	if err != nil || res.Type != flow.ResultCreateEntry {
		t.Fatalf("after esc and resubmit: %+v, %v", res.Type, err)
	}
	if in := s.prov.Inputs(); len(in) != 2 || in[1]["email"] != "user@example.com" {
		t.Fatalf("second submit saw %v", in)
	}
}

func TestCtrlCDuringValidationCancelsAndSavesNothing(t *testing.T) {
	s := startSession(t, sessionOpts{outcomes: []flowtest.Outcome{{Block: true}}})
	s.signIn("user@example.com", "hunter2")
	recv(t, s.prov.Started, "validator start")
	s.key("ctrl+c")
	_, err := s.result()
	if !errors.Is(err, ErrCancelled) {
		t.Fatalf("err = %v, want ErrCancelled", err)
	}
	// RunFlow has returned: the validator must already have ended.
	select {
	case err := <-s.prov.Cancelled:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("validator's context ended with %v", err)
		}
	default:
		t.Fatal("RunFlow returned while the validator was still running")
	}
	if n := s.st.Writes(); n != 0 {
		t.Fatalf("%d store writes after ctrl+c", n)
	}
	if scr := s.finalScreen(); !strings.Contains(scr, "Sign-in cancelled") {
		t.Fatalf("final screen:\n%s", scr)
	}
}

// ctrl+c after the engine committed (here: during a reauth's reload) must
// not claim that nothing was saved: the new cache is in place.
func TestCtrlCAfterCommitReportsWhatWasSaved(t *testing.T) {
	existing := store.Entry{ID: "e1", Domain: flowtest.Domain, UniqueID: "user-example-com", Title: "user@example.com",
		Data: map[string]string{store.DataLogin: "user@example.com"}}
	s := startSession(t, sessionOpts{reauth: &existing, checkBlock: true})
	s.wait("Password")
	s.typeText("hunter2")
	s.key("enter")
	recv(t, s.prov.Started, "reload check start")
	s.key("ctrl+c")
	res, err := s.result()
	if err != nil || res.Reason != flow.AbortReauthSuccessful {
		t.Fatalf("result %+v, %v; want the committed reauth_successful", res, err)
	}
	scr := s.finalScreen()
	if strings.Contains(scr, "nothing was saved") || !strings.Contains(scr, "Signed in to Test Service again") {
		t.Fatalf("final screen:\n%s", scr)
	}
}

func TestEscOnFormCancels(t *testing.T) {
	s := startSession(t, sessionOpts{})
	s.wait("Password")
	s.typeText("user@example.com")
	s.key("esc")
	if _, err := s.result(); !errors.Is(err, ErrCancelled) {
		t.Fatalf("err = %v, want ErrCancelled", err)
	}
	if s.prov.Calls() != 0 || s.st.Writes() != 0 {
		t.Fatalf("calls=%d writes=%d after esc on the form", s.prov.Calls(), s.st.Writes())
	}
}

// TestEscBackToCallersStep: with Options.Back (a reauth form after the
// account picker), esc on the form returns ErrBack and leaves nothing on
// screen; ctrl+c still cancels.
func TestEscBackToCallersStep(t *testing.T) {
	s := startSession(t, sessionOpts{back: true, reauth: &existing})
	scr := s.wait("Password")
	if !strings.Contains(scr, "esc back") {
		t.Fatalf("hints do not say esc goes back:\n%s", scr)
	}
	s.key("esc")
	if _, err := s.result(); !errors.Is(err, ErrBack) || errors.Is(err, ErrCancelled) {
		t.Fatalf("err = %v, want ErrBack", err)
	}
	if scr := s.finalScreen(); strings.Contains(scr, "cancelled") {
		t.Fatalf("a note was left for a step back:\n%s", scr)
	}
	s = startSession(t, sessionOpts{back: true, reauth: &existing})
	s.wait("Password")
	s.key("ctrl+c")
	if _, err := s.result(); !errors.Is(err, ErrCancelled) {
		t.Fatalf("ctrl+c: err = %v, want ErrCancelled", err)
	}
}

func TestParentContextCancelStopsValidator(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := startSession(t, sessionOpts{parentCtx: ctx, outcomes: []flowtest.Outcome{{Block: true}}})
	s.signIn("user@example.com", "hunter2")
	recv(t, s.prov.Started, "validator start")
	cancel()
	_, err := s.result()
	if !errors.Is(err, ErrCancelled) || !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want ErrCancelled wrapping context.Canceled", err)
	}
	if s.st.Writes() != 0 {
		t.Fatal("store written after the caller's context was cancelled")
	}
}

func TestErrorThenRecover(t *testing.T) {
	tests := []struct {
		name    string
		err     error
		want    string
		onField bool
	}{
		{"invalid_auth", &provider.Error{Key: provider.KeyInvalidAuth}, "✗ Invalid email or password. (invalid_auth)", false},
		{"cannot_connect", &provider.Error{Key: provider.KeyCannotConnect}, "✗ Failed to connect. (cannot_connect)", false},
		{"timeout", &provider.Error{Key: provider.KeyTimeout}, "✗ Connection timed out. (timeout)", false},
		// unknown asks for a trace (the line wraps after "FILE and attach the file").
		{"unknown", errors.New("boom"), "✗ An unexpected error occurred. Run again with --debug FILE", false},
		{"field", &provider.Error{Key: provider.KeyInvalidAuth, Field: "password"}, "  ✗ Invalid email or password. (invalid_auth)", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := startSession(t, sessionOpts{outcomes: []flowtest.Outcome{{Err: tt.err}}})
			s.signIn("user@example.com", "first-try")
			scr := s.wait(tt.want)
			lines := strings.Split(scr, "\n")
			at := slicesIndex(lines, tt.want)
			pw := slicesIndex(lines, "Password")
			if tt.onField && at != pw+2 {
				t.Errorf("field error not under its field:\n%s", scr)
			}
			if !tt.onField && at < pw {
				t.Errorf("base error not under the form:\n%s", scr)
			}
			// The login is kept; only the password is typed again.
			s.typeText("second-try")
			s.key("enter")
			res, err := s.result()
			if err != nil || res.Type != flow.ResultCreateEntry {
				t.Fatalf("recover: %+v %v", res.Type, err)
			}
			if in := s.prov.Inputs(); len(in) != 2 || in[1]["email"] != "user@example.com" {
				t.Fatalf("inputs %v", in)
			}
		})
	}
}

func slicesIndex(lines []string, prefix string) int {
	for i, l := range lines {
		if strings.HasPrefix(l, prefix) {
			return i
		}
	}
	return -1
}

func TestPasswordNeverRendered(t *testing.T) {
	const password = "Corr3ct-H0rse-Battery!"
	s := startSession(t, sessionOpts{
		colour:   true,
		noStatic: true,
		outcomes: []flowtest.Outcome{{Err: &provider.Error{Key: provider.KeyInvalidAuth}}},
	})
	mask := strings.Repeat("*", len(password))
	s.wait("Password")
	s.typeText("user@example.com")
	s.key("enter")
	s.typeText(password)
	s.wait("> " + mask) // masked while typed
	s.key("enter")
	s.wait("(invalid_auth)")
	s.typeText(password)
	s.wait("> " + mask)
	s.key("enter")
	res, err := s.result()
	if err != nil {
		t.Fatal(err)
	}
	out := s.scr.Bytes()
	for _, needle := range []string{password, "Corr3ct", "Battery"} {
		if bytes.Contains(out, []byte(needle)) {
			t.Fatalf("output contains %q", needle)
		}
	}
	if strings.Contains(fmt.Sprintf("%#v", res), "Corr3ct") {
		t.Fatal("result holds the password")
	}
}

func TestNoColor(t *testing.T) {
	s := startSession(t, sessionOpts{outcomes: []flowtest.Outcome{{Err: &provider.Error{Key: provider.KeyInvalidAuth}}}})
	s.signIn("user@example.com", "hunter2")
	s.wait("(invalid_auth)")
	s.typeText("hunter2")
	s.key("enter")
	if _, err := s.result(); err != nil {
		t.Fatal(err)
	}
	if c := colourEscapes(s.scr.Bytes()); len(c) > 0 {
		t.Fatalf("colour escapes with NoColor: %q", c)
	}
}

var (
	sgrRE       = regexp.MustCompile(`\x1b\[([0-9;:]*)m`)
	oscColourRE = regexp.MustCompile(`\x1b\](1[0-2]|4);`)
)

// colourEscapes lists SGR colour parameters and OSC colour settings.
func colourEscapes(out []byte) []string {
	var found []string
	for _, m := range sgrRE.FindAllSubmatch(out, -1) {
		for _, p := range strings.FieldsFunc(string(m[1]), func(r rune) bool { return r == ';' || r == ':' }) {
			var n int
			fmt.Sscan(p, &n)
			if (n >= 30 && n <= 49) || (n >= 90 && n <= 107) {
				found = append(found, string(m[0]))
			}
		}
	}
	for _, m := range oscColourRE.FindAll(out, -1) {
		found = append(found, string(m))
	}
	return found
}

// TestNoColorStyles: colour styles do emit colour (so TestNoColor's check
// can fail), NoColor styles never do.
func TestNoColorStyles(t *testing.T) {
	m := newStyles(false)
	if !strings.Contains(m.err.Render("x"), "\x1b[") {
		t.Skip("lipgloss renders no escapes in this environment")
	}
	if c := colourEscapes([]byte(newStyles(true).err.Render("x") + newStyles(true).ok.Render("x"))); len(c) > 0 {
		t.Fatalf("NoColor styles emit %q", c)
	}
}

func TestPickerChoosesProvider(t *testing.T) {
	other := otherProvider{scripted{flowtest.New()}}
	s := startSession(t, sessionOpts{extra: []provider.Provider{other}})
	s.wait("Choose a service")
	s.key("down")
	s.key("enter")
	scr := s.wait("Other Service Login")
	if !strings.Contains(scr, "Login e-mail") {
		t.Fatalf("second provider's labels missing:\n%s", scr)
	}
	s.typeText("user@example.com")
	s.key("tab")
	s.typeText("pw")
	s.key("enter")
	res, err := s.result()
	if err != nil || res.Entry.Domain != "otherprov" {
		t.Fatalf("res %+v err %v", res.Entry, err)
	}
	if s.prov.Calls() != 0 || other.Calls() != 1 {
		t.Fatalf("calls: first %d, other %d", s.prov.Calls(), other.Calls())
	}
}

func TestPickerEscCancels(t *testing.T) {
	s := startSession(t, sessionOpts{extra: []provider.Provider{otherProvider{scripted{flowtest.New()}}}})
	s.wait("Choose a service")
	s.key("esc")
	if _, err := s.result(); !errors.Is(err, ErrCancelled) {
		t.Fatalf("err = %v", err)
	}
}

// failingStore fails every write, as a locked keyring would.
type failingStore struct{ *memStore }

func (failingStore) Add(context.Context, store.Entry, []byte) (store.Entry, error) {
	return store.Entry{}, fmt.Errorf("write item: %w", store.ErrKeyring)
}

func TestStoreFailureIsReturned(t *testing.T) {
	s := startSession(t, sessionOpts{wrapStore: func(m *memStore) flow.Store { return failingStore{m} }})
	s.signIn("user@example.com", "hunter2")
	_, err := s.result()
	if !errors.Is(err, store.ErrKeyring) || errors.Is(err, ErrCancelled) {
		t.Fatalf("err = %v, want the store's ErrKeyring", err)
	}
	if scr := s.finalScreen(); strings.Contains(scr, "Password") {
		t.Fatalf("form left on screen after a failure:\n%s", scr)
	}
}

// TestRawInput drives RunFlow through its input stream, as a terminal
// would: typed text, enter to move on, enter to submit, then ctrl+c (0x03)
// while the validator runs.
func TestRawInput(t *testing.T) {
	prov := flowtest.New(flowtest.Outcome{Block: true})
	st := newMemStore()
	in, typing := io.Pipe()
	scr := newScreen()
	done := make(chan error, 1)
	go func() {
		_, err := RunFlow(context.Background(), Options{In: in, Out: scr, NoColor: true, Width: 80, Height: 24},
			[]provider.Provider{scripted{prov}}, func(p provider.Provider) (*flow.Flow, error) { return flow.NewUser(p, st), nil })
		done <- err
	}()
	scr.waitFor(t, 80, 24, "the form", func(s string) bool { return strings.Contains(s, "Password") })
	if _, err := io.WriteString(typing, "user@example.com\rhunter2\r"); err != nil {
		t.Fatal(err)
	}
	recv(t, prov.Started, "validator start")
	if _, err := io.WriteString(typing, "\x03"); err != nil {
		t.Fatal(err)
	}
	if err := recv(t, done, "RunFlow's return"); !errors.Is(err, ErrCancelled) {
		t.Fatalf("err = %v, want ErrCancelled", err)
	}
	if err := recv(t, prov.Cancelled, "validator end"); !errors.Is(err, context.Canceled) {
		t.Fatalf("validator ended with %v", err)
	}
	if in := prov.Inputs(); len(in) != 1 || in[0]["email"] != "user@example.com" {
		t.Fatalf("validator saw %v", in)
	}
	if st.Writes() != 0 {
		t.Fatal("store written after ctrl+c")
	}
	_ = typing.Close()
}
