package flow_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/setupwizard/setupwizard/internal/flow"
	"github.com/setupwizard/setupwizard/internal/flow/flowtest"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
	"github.com/setupwizard/setupwizard/internal/store"
)

const (
	email    = "User.Name+x@Example.COM"
	password = "correct horse battery staple"
	uid      = "user-name-x-example-com"
)

func input(login, pw string) provider.Input {
	return provider.Input{"email": login, "password": pw}
}

func submit(t *testing.T, f *flow.Flow, in provider.Input) flow.Result {
	t.Helper()
	res, err := f.Submit(context.Background(), in, nil)
	if err != nil {
		t.Fatalf("Submit: %v", err)
	}
	return res
}

func onlyEntry(t *testing.T, st flow.Store) store.Entry {
	t.Helper()
	es, err := st.Entries(bg)
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 1 {
		t.Fatalf("want exactly one entry, have %d", len(es))
	}
	return es[0]
}

func TestForm(t *testing.T) {
	f := flow.NewUser(flowtest.New(), newStore(t))
	res := f.Start()
	if res.Type != flow.ResultForm || res.StepID != flow.StepUser || len(res.Errors) != 0 {
		t.Fatalf("Start = %+v, want an empty user form", res)
	}
	if len(res.Schema) != 2 || res.Schema.Login() != "email" {
		t.Fatalf("schema = %+v", res.Schema)
	}
}

func TestFormCreatesEntry(t *testing.T) {
	st := newStore(t)
	p := flowtest.New()
	res := submit(t, flow.NewUser(p, st), input(email, password))
	if res.Type != flow.ResultCreateEntry {
		t.Fatalf("got %s (%v), want create_entry", res.Type, res.Cause)
	}
	e := onlyEntry(t, st)
	if e.UniqueID != uid || e.Title != email || e.Domain != flowtest.Domain || e.Login() != email {
		t.Fatalf("entry = %+v", e)
	}
	if res.Entry.ID != e.ID {
		t.Fatalf("result entry %q, stored %q", res.Entry.ID, e.ID)
	}
	cache, _, err := st.LoadCache(bg, e.ID)
	if err != nil || !bytes.Equal(cache, flowtest.CacheFor(uid, flowtest.IdentityOf(email))) {
		t.Fatalf("cache = %q, %v", cache, err)
	}
	if e.Identity != flowtest.IdentityOf(email) {
		t.Fatalf("identity %q not stored at add", e.Identity)
	}
}

// test_form_error_and_recover, parametrised over what the validator says.
func TestFormErrorAndRecover(t *testing.T) {
	cases := []struct {
		name      string
		err       error
		field     string
		wantKey   string
		wantCause bool
	}{
		{"invalid_auth", &provider.Error{Key: provider.KeyInvalidAuth}, flow.Base, "invalid_auth", true},
		{"cannot_connect", &provider.Error{Key: provider.KeyCannotConnect, Err: errors.New("dial tcp: refused")}, flow.Base, "cannot_connect", true},
		{"timeout", &provider.Error{Key: provider.KeyTimeout}, flow.Base, "timeout", true},
		{"field error", &provider.Error{Key: "invalid_auth", Field: "email"}, "email", "invalid_auth", true},
		{"untyped error is unknown", errors.New("boom"), flow.Base, "unknown", true},
		{"wrapped typed error", fmt.Errorf("step 2: %w", &provider.Error{Key: provider.KeyTimeout}), flow.Base, "timeout", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := newStore(t)
			p := flowtest.New(flowtest.Outcome{Err: tc.err})
			f := flow.NewUser(p, st)
			res := submit(t, f, input(email, password))
			if res.Type != flow.ResultForm || res.Errors[tc.field] != tc.wantKey {
				t.Fatalf("got %s errors=%v, want form with %s=%s", res.Type, res.Errors, tc.field, tc.wantKey)
			}
			if res.Defaults["email"] != email {
				t.Errorf("login not kept: defaults=%v", res.Defaults)
			}
			if _, ok := res.Defaults["password"]; ok {
				t.Errorf("password kept in defaults")
			}
			if tc.wantCause && res.Cause == nil {
				t.Errorf("no cause for the debug trace")
			}
			if es, _ := st.Entries(bg); len(es) != 0 {
				t.Fatalf("a failed validation saved %d entries", len(es))
			}
			res = submit(t, f, input(email, password))
			if res.Type != flow.ResultCreateEntry {
				t.Fatalf("resubmit: got %s %v, want create_entry", res.Type, res.Errors)
			}
			onlyEntry(t, st)
		})
	}
}

func TestFieldRules(t *testing.T) {
	cases := []struct {
		name  string
		in    provider.Input
		field string
		key   string
	}{
		{"empty login", input("", password), "email", flow.ErrRequired},
		{"blank login", input("   ", password), "email", flow.ErrRequired},
		{"empty password", input(email, ""), "password", flow.ErrRequired},
		{"not an e-mail", input("bob", password), "email", flow.ErrInvalidEmail},
		{"display-name form", input("Bob <bob@example.com>", password), "email", flow.ErrInvalidEmail},
		{"no dot in domain", input("bob@localhost", password), "email", flow.ErrInvalidEmail},
		{"huge login", input(strings.Repeat("a", 2000)+"@example.com", password), "email", flow.ErrTooLong},
		{"huge password", input(email, strings.Repeat("p", flow.MaxFieldBytes+1)), "password", flow.ErrTooLong},
		{"pasted escape", input("bob\x1b[31m@example.com", password), "email", flow.ErrInvalidCharacters},
		{"newline in password", input(email, "pass\nword"), "password", flow.ErrInvalidCharacters},
		{"zero-width joiner", input("b\u200dob@example.com", password), "email", flow.ErrInvalidCharacters},
		{"invalid utf-8", input(email, "pass\xffword"), "password", flow.ErrInvalidCharacters},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := flowtest.New()
			res := submit(t, flow.NewUser(p, newStore(t)), tc.in)
			if res.Type != flow.ResultForm || res.Errors[tc.field] != tc.key {
				t.Fatalf("got %s %v, want %s=%s", res.Type, res.Errors, tc.field, tc.key)
			}
			if p.Calls() != 0 {
				t.Fatalf("validator ran %d times on input the engine should have refused", p.Calls())
			}
		})
	}
}

func TestFieldRulesTrimLoginNotPassword(t *testing.T) {
	p := flowtest.New()
	res := submit(t, flow.NewUser(p, newStore(t)), input("  "+email+"\t", " pw with spaces "))
	if res.Type != flow.ResultCreateEntry {
		t.Fatalf("got %s %v", res.Type, res.Errors)
	}
	if got := p.Inputs()[0]["email"]; got != email {
		t.Fatalf("login sent as %q", got)
	}
}

func TestFormAlreadyConfigured(t *testing.T) {
	st := newStore(t)
	if res := submit(t, flow.NewUser(flowtest.New(), st), input(email, password)); res.Type != flow.ResultCreateEntry {
		t.Fatal(res.Type)
	}
	// Same account, other spelling: same unique id.
	res := submit(t, flow.NewUser(flowtest.New(), st), input(strings.ToLower(email), password))
	if res.Type != flow.ResultAbort || res.Reason != flow.AbortAlreadyConfigured {
		t.Fatalf("got %s %q, want abort already_configured", res.Type, res.Reason)
	}
	onlyEntry(t, st)
}

// racingStore hides existing entries from the engine's early check, as if
// another wizard committed between that check and Add.
type racingStore struct{ *store.Store }

func (racingStore) Entries(context.Context) ([]store.Entry, error) { return nil, nil }

func TestFormAlreadyConfiguredAtCommit(t *testing.T) {
	mem := newStore(t)
	if _, err := mem.Add(bg, store.Entry{Domain: flowtest.Domain, UniqueID: uid, Title: email}, []byte("x")); err != nil {
		t.Fatal(err)
	}
	res := submit(t, flow.NewUser(flowtest.New(), racingStore{mem}), input(email, password))
	if res.Type != flow.ResultAbort || res.Reason != flow.AbortAlreadyConfigured {
		t.Fatalf("got %s %q, want abort already_configured", res.Type, res.Reason)
	}
	onlyEntry(t, mem)
}

func TestSameUniqueIDOtherDomainIsFine(t *testing.T) {
	st := newStore(t)
	if _, err := st.Add(bg, store.Entry{Domain: "other", UniqueID: uid}, []byte("x")); err != nil {
		t.Fatal(err)
	}
	if res := submit(t, flow.NewUser(flowtest.New(), st), input(email, password)); res.Type != flow.ResultCreateEntry {
		t.Fatalf("got %s %q", res.Type, res.Reason)
	}
}

// setupEntry makes an entry with an open auth_expired issue and an old cache.
func setupEntry(t *testing.T, st flow.Store) store.Entry {
	t.Helper()
	e, err := st.Add(bg, store.Entry{Domain: flowtest.Domain, UniqueID: uid, Title: email,
		Data: map[string]string{store.DataLogin: email}}, []byte("old-cache"))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetIssue(bg, e.ID, store.IssueAuthExpired, true, ""); err != nil {
		t.Fatal(err)
	}
	es, _ := st.Entries(bg)
	return es[0]
}

func TestReauth(t *testing.T) {
	st := newStore(t)
	e := setupEntry(t, st)
	p := flowtest.New()
	f := flow.NewReauth(p, st, e)
	form := f.Start()
	if form.StepID != flow.StepReauthConfirm || form.Placeholders["name"] != email || form.Defaults["email"] != email {
		t.Fatalf("reauth form = %+v", form)
	}
	res := submit(t, f, input(email, password))
	if res.Type != flow.ResultAbort || res.Reason != flow.AbortReauthSuccessful {
		t.Fatalf("got %s %q %v", res.Type, res.Reason, res.Cause)
	}
	if res.ReloadErr != nil {
		t.Fatalf("reload: %v", res.ReloadErr)
	}
	got := onlyEntry(t, st)
	if got.ID != e.ID || got.HasIssue(store.IssueAuthExpired) {
		t.Fatalf("entry after reauth = %+v", got)
	}
	cache, _, _ := st.LoadCache(bg, e.ID)
	if !bytes.Equal(cache, flowtest.CacheFor(uid, flowtest.IdentityOf(email))) {
		t.Fatalf("cache not replaced: %q", cache)
	}
	if p.Checks() != 1 {
		t.Fatalf("entry not reloaded with a silent check (checks=%d)", p.Checks())
	}
}

// TestReauthHandsOverPriorCache: a reauth's validation gets the entry's
// current cache in its context (a provider may reuse a device cookie from
// it); an add gets none.
func TestReauthHandsOverPriorCache(t *testing.T) {
	st := newStore(t)
	e := setupEntry(t, st)
	p := flowtest.New()
	if res := submit(t, flow.NewReauth(p, st, e), input(email, password)); res.Reason != flow.AbortReauthSuccessful {
		t.Fatalf("reauth: %s %q %v", res.Type, res.Reason, res.Cause)
	}
	add := flowtest.New()
	if res := submit(t, flow.NewUser(add, newStore(t)), input(email, password)); res.Type != flow.ResultCreateEntry {
		t.Fatalf("add: %s %q %v", res.Type, res.Reason, res.Cause)
	}
	if got := p.Priors(); len(got) != 1 || string(got[0]) != "old-cache" {
		t.Fatalf("reauth validation saw prior caches %q, want the entry's old-cache", got)
	}
	if got := add.Priors(); len(got) != 1 || got[0] != nil {
		t.Fatalf("add validation saw prior caches %q, want none", got)
	}
}

func TestReauthSavesRefreshedCacheFromReload(t *testing.T) {
	st := newStore(t)
	e := setupEntry(t, st)
	p := flowtest.New()
	p.CheckCache = []byte("refreshed")
	res := submit(t, flow.NewReauth(p, st, e), input(email, password))
	if res.Reason != flow.AbortReauthSuccessful || res.ReloadErr != nil {
		t.Fatalf("got %q %v", res.Reason, res.ReloadErr)
	}
	if cache, _, _ := st.LoadCache(bg, e.ID); string(cache) != "refreshed" {
		t.Fatalf("cache = %q", cache)
	}
}

func TestReauthReloadFailureIsReported(t *testing.T) {
	st := newStore(t)
	e := setupEntry(t, st)
	p := flowtest.New()
	p.CheckErr = &provider.Error{Key: provider.KeyCannotConnect}
	res := submit(t, flow.NewReauth(p, st, e), input(email, password))
	if res.Reason != flow.AbortReauthSuccessful || res.ReloadErr == nil {
		t.Fatalf("got %q reload=%v, want reauth_successful with a reload error", res.Reason, res.ReloadErr)
	}
}

func TestReauthErrorAndRecover(t *testing.T) {
	for _, key := range []string{provider.KeyInvalidAuth, provider.KeyCannotConnect, provider.KeyTimeout} {
		t.Run(key, func(t *testing.T) {
			st := newStore(t)
			e := setupEntry(t, st)
			f := flow.NewReauth(flowtest.New(flowtest.Outcome{Err: &provider.Error{Key: key}}), st, e)
			res := submit(t, f, input(email, password))
			if res.Type != flow.ResultForm || res.StepID != flow.StepReauthConfirm || res.Errors[flow.Base] != key {
				t.Fatalf("got %s %s %v", res.Type, res.StepID, res.Errors)
			}
			if cache, _, _ := st.LoadCache(bg, e.ID); string(cache) != "old-cache" {
				t.Fatalf("failed reauth changed the cache: %q", cache)
			}
			if !onlyEntry(t, st).HasIssue(store.IssueAuthExpired) {
				t.Fatal("failed reauth cleared auth_expired")
			}
			if res = submit(t, f, input(email, password)); res.Reason != flow.AbortReauthSuccessful {
				t.Fatalf("resubmit: %s %q", res.Type, res.Reason)
			}
		})
	}
}

func TestReauthUniqueIDMismatch(t *testing.T) {
	st := newStore(t)
	e := setupEntry(t, st)
	res := submit(t, flow.NewReauth(flowtest.New(), st, e), input("someone.else@example.com", password))
	if res.Type != flow.ResultAbort || res.Reason != flow.AbortWrongAccount {
		t.Fatalf("got %s %q, want abort wrong_account", res.Type, res.Reason)
	}
	if cache, _, _ := st.LoadCache(bg, e.ID); !bytes.Equal(cache, []byte("old-cache")) {
		t.Fatalf("wrong_account touched the cache: %q", cache)
	}
	got := onlyEntry(t, st)
	if !got.HasIssue(store.IssueAuthExpired) {
		t.Fatal("wrong_account cleared auth_expired")
	}
}

func TestCancelledValidationSavesNothing(t *testing.T) {
	for _, source := range []flow.Source{flow.SourceUser, flow.SourceReauth} {
		t.Run(string(source), func(t *testing.T) {
			st := newStore(t)
			p := flowtest.New(flowtest.Outcome{Block: true})
			var f *flow.Flow
			var e store.Entry
			if source == flow.SourceUser {
				f = flow.NewUser(p, st)
			} else {
				e = setupEntry(t, st)
				f = flow.NewReauth(p, st, e)
			}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() {
				_, err := f.Submit(ctx, input(email, password), nil)
				done <- err
			}()
			<-p.Started
			cancel()
			if err := <-done; !errors.Is(err, context.Canceled) {
				t.Fatalf("Submit after cancel: %v", err)
			}
			if err := <-p.Cancelled; !errors.Is(err, context.Canceled) {
				t.Fatalf("validator context: %v", err)
			}
			es, _ := st.Entries(bg)
			if source == flow.SourceUser && len(es) != 0 {
				t.Fatalf("cancelled add saved %d entries", len(es))
			}
			if source == flow.SourceReauth {
				if cache, _, _ := st.LoadCache(bg, e.ID); string(cache) != "old-cache" {
					t.Fatalf("cancelled reauth changed the cache: %q", cache)
				}
			}
		})
	}
}

func TestProgressReported(t *testing.T) {
	var got []string
	_, err := flow.NewUser(flowtest.New(), newStore(t)).Submit(context.Background(), input(email, password),
		func(p provider.Progress) { got = append(got, fmt.Sprintf("%d/%d %s", p.Step, p.Total, p.Key)) })
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, ",") != "1/2 connecting,2/2 signing_in" {
		t.Fatalf("progress = %v", got)
	}
}

// failingStore fails every write the way an unusable keyring does.
type failingStore struct{ *store.Store }

func (failingStore) Add(context.Context, store.Entry, []byte) (store.Entry, error) {
	return store.Entry{}, fmt.Errorf("write token cache: %w", store.ErrKeyring)
}

func (failingStore) ReplaceCache(context.Context, string, []byte, store.Version) (store.Version, error) {
	return "", fmt.Errorf("write token cache: %w", store.ErrKeyring)
}

func TestStoreFailureIsAnError(t *testing.T) {
	mem := newStore(t)
	st := failingStore{mem}
	if _, err := flow.NewUser(flowtest.New(), st).Submit(context.Background(), input(email, password), nil); !errors.Is(err, store.ErrKeyring) {
		t.Fatalf("add: %v, want ErrKeyring", err)
	}
	e := setupEntry(t, mem)
	if _, err := flow.NewReauth(flowtest.New(), st, e).Submit(context.Background(), input(email, password), nil); !errors.Is(err, store.ErrKeyring) {
		t.Fatalf("reauth: %v, want ErrKeyring", err)
	}
	if !onlyEntry(t, mem).HasIssue(store.IssueAuthExpired) {
		t.Fatal("failed reauth cleared auth_expired")
	}
}

func TestPasswordNeverInResult(t *testing.T) {
	for _, o := range []flowtest.Outcome{{}, {Err: &provider.Error{Key: "invalid_auth", Err: errors.New("rejected")}}} {
		res := submit(t, flow.NewUser(flowtest.New(o), newStore(t)), input(email, password))
		if s := fmt.Sprintf("%+v %v", res, res.Cause); strings.Contains(s, password) {
			t.Fatalf("password in result: %s", s)
		}
	}
}

func TestErrorOnUnknownFieldShowsUnderBase(t *testing.T) {
	p := flowtest.New(flowtest.Outcome{Err: &provider.Error{Key: provider.KeyInvalidAuth, Field: "otp"}})
	res := submit(t, flow.NewUser(p, newStore(t)), input(email, password))
	if res.Errors[flow.Base] != provider.KeyInvalidAuth || len(res.Errors) != 1 {
		t.Fatalf("errors = %v, want invalid_auth under base", res.Errors)
	}
}

func TestPrefillKeepsLogin(t *testing.T) {
	f := flow.NewUser(flowtest.New(), newStore(t))
	f.Prefill(email)
	if got := f.Start().Defaults["email"]; got != email {
		t.Fatalf("defaults = %q", got)
	}
}

// issueFailStore fails to clear repair issues after the cache was replaced.
type issueFailStore struct{ *store.Store }

func (issueFailStore) SetIssue(context.Context, string, string, bool, store.Version) error {
	return fmt.Errorf("write index: %w", store.ErrKeyring)
}

func TestReauthSucceedsWhenOnlyClearingTheIssueFails(t *testing.T) {
	mem := newStore(t)
	e := setupEntry(t, mem)
	res := submit(t, flow.NewReauth(flowtest.New(), issueFailStore{mem}, e), input(email, password))
	if res.Reason != flow.AbortReauthSuccessful || res.ReloadErr == nil || !strings.Contains(res.ReloadErr.Error(), "auth_expired") {
		t.Fatalf("got %q, warning %v; want reauth_successful with a warning", res.Reason, res.ReloadErr)
	}
	if cache, _, _ := mem.LoadCache(bg, e.ID); string(cache) == "old-cache" {
		t.Fatal("the cache was not replaced")
	}
}

func TestReauthResultCarriesTheUpdatedEntry(t *testing.T) {
	st := newStore(t)
	e := setupEntry(t, st)
	res := submit(t, flow.NewReauth(flowtest.New(), st, e), input(email, password))
	stored := onlyEntry(t, st)
	if !stored.Modified.After(e.Modified) {
		t.Fatalf("the store did not touch modified_at (%v -> %v)", e.Modified, stored.Modified)
	}
	if !res.Entry.Modified.Equal(stored.Modified) || res.Entry.HasIssue(store.IssueAuthExpired) {
		t.Fatalf("result entry is stale: %+v, stored %+v", res.Entry, stored)
	}
}

// bg is the context of store calls the tests do not cancel.
var bg = context.Background()

// newStore is the real store on an in-memory keyring in a fresh dir.
func newStore(t testing.TB) *store.Store {
	t.Helper()
	st, err := store.Open(t.TempDir(), store.WithKeyring(store.NewMemoryKeyring()))
	if err != nil {
		t.Fatal(err)
	}
	return st
}
