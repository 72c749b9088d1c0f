package prompt

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/setupwizard/setupwizard/internal/flow"
	"github.com/setupwizard/setupwizard/internal/flow/flowtest"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
	"github.com/setupwizard/setupwizard/internal/store"
	"github.com/setupwizard/setupwizard/internal/ui/frontend"
)

const guard = 10 * time.Second

// lockedBuffer is Out for tests that read it while RunFlow writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func addFlow(st *store.Store) func(provider.Provider) (*flow.Flow, error) {
	return func(p provider.Provider) (*flow.Flow, error) { return flow.NewUser(p, st), nil }
}

func run(t *testing.T, input string, prov *flowtest.Provider, st *store.Store) (flow.Result, string, error) {
	t.Helper()
	out := &lockedBuffer{}
	res, err := RunFlow(context.Background(), Options{In: strings.NewReader(input), Out: out},
		[]provider.Provider{scripted{prov}}, addFlow(st))
	return res, out.String(), err
}

func TestSuccess(t *testing.T) {
	prov, st := flowtest.New(), memStore(t)
	res, out, err := run(t, "user@example.com\nhunter2\n", prov, st)
	if err != nil {
		t.Fatal(err)
	}
	if res.Type != flow.ResultCreateEntry || res.Entry.UniqueID != "user-example-com" {
		t.Fatalf("result %+v", res)
	}
	want := "Test Service Login\n" +
		"Sign in with your Test Service account.\n\n" +
		"(The e-mail you sign in with.)\n" +
		"Email: " +
		"(Never stored.)\n" +
		"Password: " +
		"Step 1 of 2: Connecting...\n" +
		"Step 2 of 2: Signing in...\n" +
		"✓ Added your Test Service account: user@example.com\n"
	if out != want {
		t.Fatalf("output:\n%s\nwant:\n%s", out, want)
	}
	if strings.Contains(out, "hunter2") {
		t.Fatal("password printed")
	}
	if strings.Contains(out, "\x1b") {
		t.Fatalf("escape sequence in accessible output: %q", out)
	}
}

func TestErrorThenRecover(t *testing.T) {
	tests := []struct {
		name, input, want string
		outcome           flowtest.Outcome
	}{
		{"invalid_auth", "user@example.com\nwrong\n\nright\n", "✗ Invalid email or password. (invalid_auth)\nEmail [user@example.com]: ",
			flowtest.Outcome{Err: &provider.Error{Key: provider.KeyInvalidAuth}}},
		{"cannot_connect", "user@example.com\npw\n\npw\n", "✗ Failed to connect. (cannot_connect)\n",
			flowtest.Outcome{Err: &provider.Error{Key: provider.KeyCannotConnect}}},
		{"unknown asks for a trace", "user@example.com\npw\n\npw\n", "✗ An unexpected error occurred. Run again with --debug FILE and attach the file to a bug report. (unknown)\n",
			flowtest.Outcome{Err: errors.New("boom")}},
		{"field error", "user@example.com\npw\n\npw\n", "✗ Password: Invalid email or password. (invalid_auth)\n",
			flowtest.Outcome{Err: &provider.Error{Key: provider.KeyInvalidAuth, Field: "password"}}},
		{"bad email, fixed", "not-an-email\npw\nuser@example.com\npw\n", "✗ Email: Enter an e-mail address such as name@example.com. (invalid_email)\nEmail [not-an-email]: ",
			flowtest.Outcome{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prov, st := flowtest.New(tt.outcome), memStore(t)
			res, out, err := run(t, tt.input, prov, st)
			if err != nil || res.Type != flow.ResultCreateEntry {
				t.Fatalf("%v %v\n%s", res.Type, err, out)
			}
			if !strings.Contains(out, tt.want) {
				t.Fatalf("output lacks %q:\n%s", tt.want, out)
			}
			if in := prov.Inputs(); in[len(in)-1]["email"] != "user@example.com" {
				t.Fatalf("last submit saw %v", in)
			}
			// Field descriptions are printed once, not on every retry.
			if n := strings.Count(out, "The e-mail you sign in with."); n != 1 {
				t.Fatalf("description printed %d times", n)
			}
		})
	}
}

func TestCancelOnEOF(t *testing.T) {
	tests := []struct{ name, input string }{
		{"nothing", ""},
		{"after login", "user@example.com\n"},
		{"after an error", "user@example.com\nwrong\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prov, st := flowtest.New(flowtest.Outcome{Err: &provider.Error{Key: provider.KeyInvalidAuth}}), memStore(t)
			_, out, err := run(t, tt.input, prov, st)
			if !errors.Is(err, ErrCancelled) {
				t.Fatalf("err = %v, want ErrCancelled", err)
			}
			if !strings.HasSuffix(out, "✗ Cancelled.\n") {
				t.Fatalf("output:\n%s", out)
			}
			if entries, _ := st.Entries(context.Background()); len(entries) != 0 {
				t.Fatal("entry saved")
			}
		})
	}
}

func TestCancelDuringValidation(t *testing.T) {
	prov, st := flowtest.New(flowtest.Outcome{Block: true}), memStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := RunFlow(ctx, Options{In: strings.NewReader("user@example.com\nhunter2\n"), Out: io.Discard},
			[]provider.Provider{scripted{prov}}, addFlow(st))
		done <- err
	}()
	select {
	case <-prov.Started:
	case <-time.After(guard):
		t.Fatal("validator never started")
	}
	cancel() // what the command line does on SIGINT
	var err error
	select {
	case err = <-done:
	case <-time.After(guard):
		t.Fatal("RunFlow never returned")
	}
	if !errors.Is(err, ErrCancelled) || !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if got := <-prov.Cancelled; !errors.Is(got, context.Canceled) {
		t.Fatalf("validator ended with %v", got)
	}
	if entries, _ := st.Entries(context.Background()); len(entries) != 0 {
		t.Fatal("entry saved after cancel")
	}
}

// TestCancelWhileReading: ctx ends while a prompt waits for a line that
// never comes (an open pipe).
func TestCancelWhileReading(t *testing.T) {
	in, w := io.Pipe()
	defer w.Close()
	out := &lockedBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := RunFlow(ctx, Options{In: in, Out: out}, []provider.Provider{scripted{flowtest.New()}}, addFlow(memStore(t)))
		done <- err
	}()
	if _, err := io.WriteString(w, "user@example.com\n"); err != nil { // the login was read: the password prompt is waiting
		t.Fatal(err)
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, ErrCancelled) {
			t.Fatalf("err = %v", err)
		}
	case <-time.After(guard):
		t.Fatal("RunFlow ignored the cancelled context")
	}
}

func TestReauth(t *testing.T) {
	tests := []struct {
		name    string
		account *provider.Account
		want    string
	}{
		{"same account", nil, "✓ Signed in to Test Service again: user@example.com\n"},
		{"other account", &provider.Account{UniqueID: "other", Title: "other"}, "✗ You signed in with a different account than the one being re-authenticated. (wrong_account)\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := memStore(t)
			e, err := st.Add(context.Background(), store.Entry{Domain: flowtest.Domain, Title: "user@example.com", UniqueID: "user-example-com",
				Data: map[string]string{store.DataLogin: "user@example.com"}}, []byte(`{"old":1}`))
			if err != nil {
				t.Fatal(err)
			}
			prov := flowtest.New(flowtest.Outcome{Account: tt.account})
			out := &lockedBuffer{}
			res, err := RunFlow(context.Background(), Options{In: strings.NewReader("\nhunter2\n"), Out: out},
				[]provider.Provider{scripted{prov}}, func(p provider.Provider) (*flow.Flow, error) { return flow.NewReauth(p, st, e), nil })
			if err != nil || res.Type != flow.ResultAbort {
				t.Fatalf("%v %v", res.Type, err)
			}
			got := out.String()
			for _, w := range []string{"Re-authenticate user@example.com\n", "Email [user@example.com]: ", tt.want} {
				if !strings.Contains(got, w) {
					t.Fatalf("output lacks %q:\n%s", w, got)
				}
			}
		})
	}
}

// otherProvider is a second provider for the numbered choice.
type otherProvider struct{ scripted }

func (otherProvider) Domain() string { return "otherprov" }

func TestProviderChoice(t *testing.T) {
	first, second := flowtest.New(), otherProvider{scripted{flowtest.New()}}
	st := memStore(t)
	out := &lockedBuffer{}
	res, err := RunFlow(context.Background(), Options{In: strings.NewReader("9\nx\n2\nuser@example.com\npw\n"), Out: out},
		[]provider.Provider{scripted{first}, second}, addFlow(st))
	if err != nil || res.Entry.Domain != "otherprov" {
		t.Fatalf("%+v %v", res.Entry, err)
	}
	help := "✗ Type a number from 1 to 2, or a name as listed.\n"
	if !strings.HasPrefix(out.String(), "Choose a service\n  1) Test Service\n  2) Test Service\nChoose [1-2]: "+help+"Choose [1-2]: "+help+"Choose [1-2]: ") {
		t.Fatalf("output:\n%s", out.String())
	}
	if first.Calls() != 0 || second.Calls() != 1 {
		t.Fatal("wrong provider ran")
	}
}

func TestPickEntryAndConfirm(t *testing.T) {
	idx, err := PickEntry(context.Background(), Options{In: strings.NewReader("0\n4\nx\n2\n"), Out: io.Discard}, []string{"a", "b", "c"})
	if err != nil || idx != 1 {
		t.Fatalf("PickEntry = %d, %v", idx, err)
	}
	if _, err := PickEntry(context.Background(), Options{In: strings.NewReader(""), Out: io.Discard}, []string{"a"}); !errors.Is(err, ErrCancelled) {
		t.Fatalf("PickEntry at EOF: %v", err)
	}
	tests := []struct {
		lang, input string
		want        bool
		wantErr     error
	}{
		{"en", "y\n", true, nil},
		{"en", "YES\n", true, nil},
		{"en", "n\n", false, nil},
		{"en", "\n", false, nil},
		{"en", "maybe\ny\n", true, nil},
		{"pl", "t\n", true, nil},
		{"pl", "nie\n", false, nil},
		{"en", "", false, ErrCancelled},
	}
	for _, tt := range tests {
		var out strings.Builder
		got, err := Confirm(context.Background(), Options{In: strings.NewReader(tt.input), Out: &out, Lang: tt.lang, Notice: "Demo notice"}, "Remove?")
		if got != tt.want || !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
			t.Errorf("%s %q: %v, %v", tt.lang, tt.input, got, err)
		}
		if strings.Contains(out.String(), "Demo notice") {
			t.Errorf("%s %q: the question repeats the notice:\n%s", tt.lang, tt.input, out.String())
		}
	}
}

// TestSequentialPromptsShareInput: one input stream serves PickEntry and
// then RunFlow; nothing is read ahead and lost between them.
func TestSequentialPromptsShareInput(t *testing.T) {
	in := strings.NewReader("2\nuser@example.com\npw\n")
	idx, err := PickEntry(context.Background(), Options{In: in, Out: io.Discard}, []string{"a", "b"})
	if err != nil || idx != 1 {
		t.Fatalf("%d %v", idx, err)
	}
	res, err := RunFlow(context.Background(), Options{In: in, Out: io.Discard}, []provider.Provider{scripted{flowtest.New()}}, addFlow(memStore(t)))
	if err != nil || res.Type != flow.ResultCreateEntry {
		t.Fatalf("%v %v", res.Type, err)
	}
}

// TestPickMenu: end of input on a menu (Pick.Menu) is the person being
// done with it (ErrBack), not a cancel: no "Cancelled", and the notice is
// not repeated above it.
func TestPickMenu(t *testing.T) {
	menu := Pick{Question: "What next?", Menu: true, Accounts: []Account{{Label: "Check"}, {Label: "Quit"}}}
	for _, tt := range []struct {
		input   string
		want    int
		wantErr error
	}{{"2\n", 1, nil}, {"", -1, frontend.ErrBack}} {
		var out strings.Builder
		got, err := PickAccount(context.Background(), Options{In: strings.NewReader(tt.input), Out: &out, Notice: "Demo notice"}, menu)
		if got != tt.want || !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
			t.Errorf("%q: %d, %v; want %d, %v", tt.input, got, err, tt.want, tt.wantErr)
		}
		if strings.Contains(out.String(), "Cancelled") || strings.Contains(out.String(), "Demo notice") {
			t.Errorf("%q: the menu printed:\n%s", tt.input, out.String())
		}
	}
}
