package flow_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofrs/flock"
	"github.com/setupwizard/setupwizard/internal/flow"
	"github.com/setupwizard/setupwizard/internal/flow/flowtest"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
	"github.com/setupwizard/setupwizard/internal/store"
	"github.com/setupwizard/setupwizard/internal/testenv"
)

// keyrings runs f with a store factory over the in-memory keyring and
// over the real Secret Service (under ./scripts/test). Every store the
// factory opens shares one config dir, as separate commands would.
func keyrings(t *testing.T, f func(t *testing.T, open func() *store.Store)) {
	t.Run("memory keyring", func(t *testing.T) {
		dir, kr := t.TempDir(), store.NewMemoryKeyring()
		f(t, func() *store.Store {
			st, err := store.Open(dir, store.WithKeyring(kr))
			if err != nil {
				t.Fatal(err)
			}
			return st
		})
	})
	t.Run("secret service", func(t *testing.T) {
		testenv.RealKeyring(t)
		dir := t.TempDir()
		open := func() *store.Store {
			st, err := store.Open(dir, store.WithTimeout(time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			return st
		}
		t.Cleanup(func() {
			st := open()
			list, _ := st.Entries(bg)
			for _, e := range list {
				_ = st.Remove(bg, e.ID)
			}
		})
		f(t, open)
	})
}

// addAccount adds login's entry as the engine does and returns it.
func addAccount(t *testing.T, st flow.Store, login string) store.Entry {
	t.Helper()
	res := submit(t, flow.NewUser(flowtest.New(), st), input(login, password))
	if res.Type != flow.ResultCreateEntry {
		t.Fatalf("add %s: %s %q %v", login, res.Type, res.Reason, res.Cause)
	}
	return res.Entry
}

// blockedCheck makes p's Check signal entered, wait for release, then
// answer with answer(cache).
func blockedCheck(p *flowtest.Provider, answer func([]byte) ([]byte, error)) (entered, release chan struct{}) {
	entered, release = make(chan struct{}), make(chan struct{})
	p.CheckFunc = func(ctx context.Context, cache []byte) ([]byte, error) {
		close(entered)
		<-release
		return answer(cache)
	}
	return entered, release
}

// TestCheckEntryRacingReauth is --status delayed in its refresh while a
// --reauth commits, with the grant revoked (the check says expired) and
// not (the check refreshes the old grant), in both orders: the final cache
// is always the reauth's and auth_expired is never left open.
func TestCheckEntryRacingReauth(t *testing.T) {
	keyrings(t, func(t *testing.T, open func() *store.Store) {
		answers := map[string]func([]byte) ([]byte, error){
			"revoked": func([]byte) ([]byte, error) { return nil, provider.ErrAuthExpired },
			"refreshed": func(c []byte) ([]byte, error) {
				return append([]byte("refreshed-from-"), c...), nil
			},
		}
		for name, answer := range answers {
			t.Run(name+"/reauth commits during the check", func(t *testing.T) {
				st := open()
				e := addAccount(t, st, email)
				if err := st.Remove(bg, e.ID); err != nil { // start from a clean slate each run
					t.Fatal(err)
				}
				e = addAccount(t, st, email)
				slow := flowtest.New()
				entered, release := blockedCheck(slow, answer)
				done := make(chan error, 1)
				var res flow.CheckResult
				go func() {
					var err error
					res, err = flow.CheckEntry(bg, slow, open(), e.ID)
					done <- err
				}()
				<-entered
				reauthCache := []byte(`{"identity":"` + flowtest.IdentityOf(email) + `","token":"after-reauth"}`)
				re := flowtest.New(flowtest.Outcome{Account: &provider.Account{Login: email, Title: email, Cache: reauthCache}})
				// The reauth commits its cache with no refresh lock; its
				// reload then waits for the check's lock, so the check is
				// released once the reauth has committed.
				committed := make(chan struct{})
				reauthed := make(chan error, 1)
				go func() {
					r, err := flow.NewReauth(re, &signalOnReload{Store: open(), reload: committed}, e).Submit(bg, input(email, password), nil)
					if err == nil && r.Reason != flow.AbortReauthSuccessful {
						err = fmt.Errorf("reauth: %s %q %v", r.Type, r.Reason, r.Cause)
					}
					reauthed <- err
				}()
				<-committed
				close(release)
				if err := <-reauthed; err != nil {
					t.Fatal(err)
				}
				if err := <-done; err != nil {
					t.Fatalf("CheckEntry: %v", err)
				}
				if res.State != flow.CheckValid || !res.Raced {
					t.Fatalf("CheckEntry reported %+v, want the reauth's valid state", res)
				}
				assertFinal(t, open(), e.ID, reauthCache)
				_ = st.Remove(bg, e.ID)
			})
			t.Run(name+"/check commits before the reauth", func(t *testing.T) {
				st := open()
				e := addAccount(t, st, email)
				slow := flowtest.New()
				_, release := blockedCheck(slow, answer)
				close(release)
				if _, err := flow.CheckEntry(bg, slow, open(), e.ID); err != nil {
					t.Fatalf("CheckEntry: %v", err)
				}
				reauthCache := []byte(`{"identity":"` + flowtest.IdentityOf(email) + `","token":"after-reauth"}`)
				re := flowtest.New(flowtest.Outcome{Account: &provider.Account{Login: email, Title: email, Cache: reauthCache}})
				if r := submit(t, flow.NewReauth(re, open(), e), input(email, password)); r.Reason != flow.AbortReauthSuccessful {
					t.Fatalf("reauth: %s %q %v", r.Type, r.Reason, r.Cause)
				}
				assertFinal(t, open(), e.ID, reauthCache)
				_ = st.Remove(bg, e.ID)
			})
		}
	})
}

// signalOnReload is a store that closes reload when a refresh lock is
// first asked for: in a reauth, after its cache was committed.
type signalOnReload struct {
	*store.Store
	reload chan struct{}
	once   sync.Once
}

func (s *signalOnReload) LockRefresh(ctx context.Context, id string) (func(), error) {
	s.once.Do(func() { close(s.reload) })
	return s.Store.LockRefresh(ctx, id)
}

func assertFinal(t *testing.T, st *store.Store, id string, want []byte) {
	t.Helper()
	got, _, err := st.LoadCache(bg, id)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("final cache %q, %v; want the reauth's %q", got, err, want)
	}
	e, err := st.Get(bg, id)
	if err != nil || e.HasIssue(store.IssueAuthExpired) {
		t.Fatalf("entry %+v, %v: auth_expired left open", e, err)
	}
}

// TestCheckEntryRecordsOnlyTheServicesWord: a lock held too long, a
// network error or a keyring failure is an error and records nothing;
// only provider.ErrAuthExpired on an unchanged cache records expiry.
func TestCheckEntryRecordsOnlyTheServicesWord(t *testing.T) {
	cases := []struct {
		name    string
		check   error
		lock    bool
		wantErr error
		expired bool
	}{
		{"expired", provider.ErrAuthExpired, false, nil, true},
		{"expired but the lock is held", provider.ErrAuthExpired, true, store.ErrLocked, false},
		{"network error", &provider.Error{Key: provider.KeyCannotConnect}, false, &provider.Error{}, false},
		{"refresh ok but the lock is held", nil, true, store.ErrLocked, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir, kr := t.TempDir(), store.NewMemoryKeyring()
			st, err := store.Open(dir, store.WithKeyring(kr), store.WithLockTimeout(30*time.Millisecond))
			if err != nil {
				t.Fatal(err)
			}
			e := addAccount(t, st, email)
			p := flowtest.New()
			p.CheckErr = c.check
			p.CheckCache = []byte("refreshed")
			if c.lock {
				hold := flock.New(filepath.Join(dir, store.LockFile))
				if err := hold.Lock(); err != nil {
					t.Fatal(err)
				}
				defer hold.Close()
			}
			res, err := flow.CheckEntry(bg, p, st, e.ID)
			var pe *provider.Error
			switch {
			case c.wantErr == nil && err != nil:
				t.Fatalf("CheckEntry: %v", err)
			case errors.As(c.wantErr, &pe) && !errors.As(err, &pe):
				t.Fatalf("CheckEntry: %v, want the provider's error", err)
			case c.wantErr != nil && !errors.As(c.wantErr, &pe) && !errors.Is(err, c.wantErr):
				t.Fatalf("CheckEntry: %v, want %v", err, c.wantErr)
			}
			if c.expired != (res.State == flow.CheckExpired) {
				t.Fatalf("state %q", res.State)
			}
			got, _ := st.Get(bg, e.ID)
			if got.HasIssue(store.IssueAuthExpired) != c.expired {
				t.Fatalf("auth_expired recorded=%v, want %v", got.HasIssue(store.IssueAuthExpired), c.expired)
			}
		})
	}
}

// TestCheckEntryKeyringFailureIsAnError: a keyring that fails is
// store.ErrKeyring (exit 3), not an expired account.
func TestCheckEntryKeyringFailureIsAnError(t *testing.T) {
	dir, kr := t.TempDir(), store.NewMemoryKeyring()
	st, _ := store.Open(dir, store.WithKeyring(kr))
	e := addAccount(t, st, email)
	broken, _ := store.Open(dir, store.WithKeyring(failingKeyring{}))
	p := flowtest.New()
	p.CheckErr = provider.ErrAuthExpired
	if _, err := flow.CheckEntry(bg, p, broken, e.ID); !errors.Is(err, store.ErrKeyring) {
		t.Fatalf("CheckEntry: %v, want ErrKeyring", err)
	}
	if got, _ := st.Get(bg, e.ID); got.HasIssue(store.IssueAuthExpired) {
		t.Fatal("a keyring failure recorded auth_expired")
	}
}

// failingKeyring answers every call as a keyring whose bus is gone.
type failingKeyring struct{}

var errBus = errors.New("dbus: connection refused")

func (failingKeyring) Get(string, string) (string, error) { return "", errBus }
func (failingKeyring) Set(string, string, string) error   { return errBus }
func (failingKeyring) Delete(string, string) error        { return errBus }

// fakeTokenService issues credentials: a cache is "fresh" once refreshed;
// a refresh makes a new cache and counts itself.
type fakeTokenService struct {
	mu        sync.Mutex
	refreshes int
	issued    map[string]bool
}

func (s *fakeTokenService) token(ctx context.Context, cache []byte, minValid time.Duration) (provider.Credential, []byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if bytes.HasPrefix(cache, []byte("fresh:")) {
		return provider.Credential{Kind: "token", Type: "Bearer", Value: string(cache)}, nil, nil
	}
	s.refreshes++
	next := fmt.Sprintf("fresh:%d", s.refreshes)
	s.issued[next] = true
	return provider.Credential{Kind: "token", Type: "Bearer", Value: next}, []byte(next), nil
}

// check is the service's silent refresh as a provider with fresh-cache
// reuse (librus) does it: a fresh cache needs no request, a stale one is
// refreshed as token does.
func (s *fakeTokenService) check(ctx context.Context, cache []byte) ([]byte, error) {
	_, updated, err := s.token(ctx, cache, 0)
	if updated == nil {
		updated = cache
	}
	return updated, err
}

// TestTokenForConcurrent: 20 callers, each with its own Store on one
// config dir (as 20 --token processes), ask for a token from a stale
// cache while a --status and a --reauth run: every caller gets a token the
// service issued, the final cache is one the service issued or the
// reauth's, nothing records auth_expired, and losers of the swap use the
// winner's cache instead of failing.
func TestTokenForConcurrent(t *testing.T) {
	keyrings(t, func(t *testing.T, open func() *store.Store) {
		st := open()
		e, err := st.Add(bg, store.Entry{Domain: flowtest.Domain, UniqueID: uid, Title: email,
			Identity: flowtest.IdentityOf(email)}, []byte("stale"))
		if err != nil {
			t.Fatal(err)
		}
		svc := &fakeTokenService{issued: map[string]bool{}}
		p := flowtest.New()
		p.TokenFunc = svc.token
		p.CheckFunc = svc.check
		const n = 20
		var wg sync.WaitGroup
		creds := make([]provider.Credential, n)
		errs := make([]error, n)
		start := make(chan struct{})
		for i := range n {
			s := open()
			wg.Go(func() {
				<-start
				creds[i], errs[i] = flow.TokenFor(bg, p, s, e.ID, 5*time.Minute)
			})
		}
		reauthCache := []byte("fresh:reauth")
		wg.Go(func() {
			<-start
			re := flowtest.New(flowtest.Outcome{Account: &provider.Account{Login: email, Title: email, Cache: reauthCache}})
			re.CheckFunc = svc.check
			if r, err := flow.NewReauth(re, open(), e).Submit(bg, input(email, password), nil); err != nil || r.Reason != flow.AbortReauthSuccessful {
				t.Errorf("reauth: %v %+v", err, r)
			}
		})
		wg.Go(func() {
			<-start
			if res, err := flow.CheckEntry(bg, p, open(), e.ID); err != nil || res.State != flow.CheckValid {
				t.Errorf("status: %+v %v", res, err)
			}
		})
		close(start)
		wg.Wait()
		svc.mu.Lock()
		defer svc.mu.Unlock()
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("caller %d: %v", i, errs[i])
			}
			if v := creds[i].Value; !svc.issued[v] && v != string(reauthCache) {
				t.Fatalf("caller %d got %q, which nobody issued", i, v)
			}
		}
		final, _, err := st.LoadCache(bg, e.ID)
		if err != nil || (!svc.issued[string(final)] && !bytes.Equal(final, reauthCache)) {
			t.Fatalf("final cache %q, %v", final, err)
		}
		if got, _ := st.Get(bg, e.ID); got.HasIssue(store.IssueAuthExpired) {
			t.Fatal("auth_expired recorded")
		}
		// The refresh lock makes the callers take turns: the first one
		// refreshes the stale cache, the rest (and the --status and the
		// reauth's reload) use what it stored. Without the lock every
		// caller that read "stale" refreshed.
		if svc.refreshes > 1 {
			t.Fatalf("%d callers made %d refreshes, want at most one", n, svc.refreshes)
		}
	})
}

// TestTokenForExpired: the service's word that the grant is dead records
// auth_expired and is provider.ErrAuthExpired (exit 4); a network error
// records nothing.
func TestTokenForExpired(t *testing.T) {
	st := newStore(t)
	e := addAccount(t, st, email)
	p := flowtest.New()
	p.TokenFunc = func(context.Context, []byte, time.Duration) (provider.Credential, []byte, error) {
		return provider.Credential{}, nil, &provider.Error{Key: provider.KeyCannotConnect}
	}
	if _, err := flow.TokenFor(bg, p, st, e.ID, time.Minute); err == nil || errors.Is(err, provider.ErrAuthExpired) {
		t.Fatalf("network error: %v", err)
	}
	if got, _ := st.Get(bg, e.ID); got.HasIssue(store.IssueAuthExpired) {
		t.Fatal("a network error recorded auth_expired")
	}
	p.TokenFunc = func(context.Context, []byte, time.Duration) (provider.Credential, []byte, error) {
		return provider.Credential{}, nil, provider.ErrAuthExpired
	}
	if _, err := flow.TokenFor(bg, p, st, e.ID, time.Minute); !errors.Is(err, provider.ErrAuthExpired) {
		t.Fatalf("expired: %v", err)
	}
	if got, _ := st.Get(bg, e.ID); !got.HasIssue(store.IssueAuthExpired) {
		t.Fatal("auth_expired not recorded")
	}
}

// TestTokenForAfterAuthExpired: once auth_expired is recorded, a cached
// credential is never handed out and the issue is never cleared on it:
// --token checks with the service first (a request made now); refused, it
// is provider.ErrAuthExpired and the issue stays; accepted, the issue is
// cleared and the credential comes from the cache the check stored.
func TestTokenForAfterAuthExpired(t *testing.T) {
	st := newStore(t)
	e := addAccount(t, st, email)
	p := flowtest.New()
	cached := 0
	p.TokenFunc = func(_ context.Context, cache []byte, _ time.Duration) (provider.Credential, []byte, error) {
		cached++ // a cached credential, no request: what a reuse window hands out
		return provider.Credential{Kind: "token", Type: "Bearer", Value: "token-of-" + string(cache)}, nil, nil
	}
	p.CheckErr = provider.ErrAuthExpired
	if res, err := flow.CheckEntry(bg, p, st, e.ID); err != nil || res.State != flow.CheckExpired {
		t.Fatalf("status: %+v %v", res, err)
	}
	for range 2 {
		cred, err := flow.TokenFor(bg, p, st, e.ID, time.Minute)
		if !errors.Is(err, provider.ErrAuthExpired) || cred.Value != "" {
			t.Fatalf("token on a refused grant: %q, %v", cred.Value, err)
		}
		if got, _ := st.Get(bg, e.ID); !got.HasIssue(store.IssueAuthExpired) {
			t.Fatal("--token cleared auth_expired without the service's word")
		}
	}
	if cached != 0 {
		t.Fatalf("a cached credential was taken %d times for a refused grant", cached)
	}
	// Trouble on the way says nothing: still no credential, issue kept.
	p.CheckErr = &provider.Error{Key: provider.KeyCannotConnect}
	if _, err := flow.TokenFor(bg, p, st, e.ID, time.Minute); err == nil || errors.Is(err, provider.ErrAuthExpired) {
		t.Fatalf("network trouble: %v", err)
	}
	if got, _ := st.Get(bg, e.ID); !got.HasIssue(store.IssueAuthExpired) {
		t.Fatal("network trouble cleared auth_expired")
	}
	// The service recovers: the check's request succeeds, then the
	// credential comes from what it stored.
	p.CheckErr, p.CheckCache = nil, []byte(`{"refreshed":true}`)
	cred, err := flow.TokenFor(bg, p, st, e.ID, time.Minute)
	if err != nil || cred.Value != `token-of-{"refreshed":true}` {
		t.Fatalf("after recovery: %q, %v", cred.Value, err)
	}
	if got, _ := st.Get(bg, e.ID); got.HasIssue(store.IssueAuthExpired) {
		t.Fatal("a successful refresh left auth_expired")
	}
}

// TestReauthIdentity: the account is judged by who the service vouched
// for, not by the typed login's slug.
func TestReauthIdentity(t *testing.T) {
	const jan, other = "jan.kowalski@example.com", "jan_kowalski@example.com"
	if provider.Slugify(jan) != provider.Slugify(other) {
		t.Fatal("the test needs two logins that slugify alike")
	}
	cases := []struct {
		name    string
		legacy  bool // entry written before identities were kept
		outcome flowtest.Outcome
		login   string
		want    string
	}{
		{"same slug, another person", false, flowtest.Outcome{}, other, flow.AbortWrongAccount},
		{"token endpoint returns another identity", false,
			flowtest.Outcome{Account: &provider.Account{Login: jan, Title: jan, Identity: "subject:mallory"}}, jan, flow.AbortWrongAccount},
		{"same person", false, flowtest.Outcome{}, jan, flow.AbortReauthSuccessful},
		{"legacy entry, another person (identity read from its cache)", true, flowtest.Outcome{}, other, flow.AbortWrongAccount},
		{"legacy entry, same person", true, flowtest.Outcome{}, jan, flow.AbortReauthSuccessful},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := newStore(t)
			e := addAccount(t, st, jan)
			if c.legacy {
				_ = st.Remove(bg, e.ID)
				var err error
				e, err = st.Add(bg, store.Entry{Domain: flowtest.Domain, UniqueID: provider.Slugify(jan), Title: jan,
					Data: map[string]string{store.DataLogin: jan}}, flowtest.CacheFor(provider.Slugify(jan), flowtest.IdentityOf(jan)))
				if err != nil {
					t.Fatal(err)
				}
			}
			before, _, _ := st.LoadCache(bg, e.ID)
			res := submit(t, flow.NewReauth(flowtest.New(c.outcome), st, e), input(c.login, password))
			if res.Reason != c.want {
				t.Fatalf("reauth as %s: %s %q %v, want %q", c.login, res.Type, res.Reason, res.Cause, c.want)
			}
			after, _, _ := st.LoadCache(bg, e.ID)
			got, _ := st.Get(bg, e.ID)
			if c.want == flow.AbortWrongAccount {
				if !bytes.Equal(before, after) {
					t.Fatal("wrong_account changed the cache")
				}
				return
			}
			if got.Identity != flowtest.IdentityOf(jan) {
				t.Fatalf("identity %q after the reauth", got.Identity)
			}
		})
	}
}

// TestCheckEntryLearnsIdentity: an entry written before identities were
// kept gets its identity from its cache on the next successful write.
func TestCheckEntryLearnsIdentity(t *testing.T) {
	st := newStore(t)
	e, err := st.Add(bg, store.Entry{Domain: flowtest.Domain, UniqueID: uid, Title: email},
		flowtest.CacheFor(uid, flowtest.IdentityOf(email)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := flow.CheckEntry(bg, flowtest.New(), st, e.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := st.Get(bg, e.ID); got.Identity != flowtest.IdentityOf(email) {
		t.Fatalf("identity %q", got.Identity)
	}
}

// TestErrorKeys: the engine supplies the shared keys; a provider lists
// only its own.
func TestErrorKeys(t *testing.T) {
	got := strings.Join(flow.ErrorKeys(flowtest.New()), ",")
	if got != strings.Join(provider.SharedErrorKeys, ",") {
		t.Fatalf("ErrorKeys = %s", got)
	}
	if errs := flow.CheckStrings(flowtest.New()); len(errs) != 0 {
		t.Fatalf("CheckStrings: %v", errs)
	}
}
