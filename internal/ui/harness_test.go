package ui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/hinshun/vt10x"
	"github.com/setupwizard/setupwizard/internal/flow"
	"github.com/setupwizard/setupwizard/internal/flow/flowtest"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
	"github.com/setupwizard/setupwizard/internal/store"
	"github.com/setupwizard/setupwizard/internal/ui/frontend"
)

// guard bounds every wait so a broken test fails instead of hanging; it is
// never what a test waits for.
const guard = 10 * time.Second

// memStore is an in-memory flow.Store for unit tests.
type memStore struct {
	mu      sync.Mutex
	entries []store.Entry
	caches  map[string][]byte
	writes  int
}

func newMemStore(entries ...store.Entry) *memStore {
	s := &memStore{caches: map[string][]byte{}}
	for _, e := range entries {
		s.entries = append(s.entries, e)
		s.caches[e.ID] = []byte(`{"old":true}`)
	}
	return s
}

// LockRefresh implements flow.Store: one test process, nothing to lock
// across processes.
func (s *memStore) LockRefresh(context.Context, string) (func(), error) { return func() {}, nil }

func (s *memStore) Entries(context.Context) ([]store.Entry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]store.Entry(nil), s.entries...), nil
}

func (s *memStore) Add(_ context.Context, e store.Entry, cache []byte) (store.Entry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, x := range s.entries {
		if x.Domain == e.Domain && x.UniqueID == e.UniqueID {
			return store.Entry{}, store.ErrDuplicate
		}
	}
	e.ID = fmt.Sprintf("entry%d", len(s.entries)+1)
	s.entries = append(s.entries, e)
	s.caches[e.ID] = append([]byte(nil), cache...)
	s.writes++
	return e, nil
}

func (s *memStore) ReplaceCache(_ context.Context, id string, cache []byte, _ store.Version) (store.Version, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.caches[id]; !ok {
		return "", store.ErrNotFound
	}
	s.caches[id] = append([]byte(nil), cache...)
	s.writes++
	return store.Version(fmt.Sprint(s.writes)), nil
}

func (s *memStore) Get(_ context.Context, id string) (store.Entry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range s.entries {
		if e.ID == id {
			return e, nil
		}
	}
	return store.Entry{}, store.ErrNotFound
}

func (s *memStore) SetIdentity(_ context.Context, id, identity string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.entries {
		if s.entries[i].ID == id {
			s.entries[i].Identity = identity
			return nil
		}
	}
	return store.ErrNotFound
}

func (s *memStore) LoadCache(_ context.Context, id string) ([]byte, store.Version, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.caches[id]
	if !ok {
		return nil, "", store.ErrNotFound
	}
	return append([]byte(nil), c...), "", nil
}

func (s *memStore) SetIssue(_ context.Context, id, issue string, open bool, _ store.Version) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.entries {
		if s.entries[i].ID == id {
			if !open {
				s.entries[i].Issues = nil
			}
			s.writes++
			return nil
		}
	}
	return store.ErrNotFound
}

func (s *memStore) Remove(context.Context, string) error { return errors.New("not used") }

func (s *memStore) Writes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.writes
}

// screen records everything the program writes and wakes waiters on each
// write, so tests wait for what is on screen rather than for time.
type screen struct {
	mu      sync.Mutex
	raw     bytes.Buffer
	changed chan struct{}
	resizes []resize
}

// resize is a terminal size change after at bytes of output.
type resize struct{ at, w, h int }

func newScreen() *screen { return &screen{changed: make(chan struct{})} }

func (s *screen) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.raw.Write(p)
	close(s.changed)
	s.changed = make(chan struct{})
	return len(p), nil
}

// Bytes is every byte written so far.
func (s *screen) Bytes() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]byte(nil), s.raw.Bytes()...)
}

// text replays the output on a virtual terminal of w x h cells (resized
// where the test resized the program) and returns its lines with trailing
// blanks trimmed. The program's output is meant for a tty that maps \n to
// \r\n (ONLCR), so the replay does the same.
func text(raw []byte, w, h int, resizes ...resize) string {
	vt := vt10x.New(vt10x.WithSize(w, h))
	feed := func(b []byte) {
		b = unknownToVT.ReplaceAll(b, nil)
		_, _ = vt.Write(bytes.ReplaceAll(b, []byte("\n"), []byte("\r\n")))
	}
	done := 0
	for _, r := range resizes {
		feed(raw[done:r.at])
		done = r.at
		vt.Resize(r.w, r.h)
	}
	feed(raw[done:])
	lines := strings.Split(vt.String(), "\n")
	for i := range lines {
		lines[i] = strings.TrimRight(lines[i], " ")
	}
	return strings.TrimRight(strings.Join(lines, "\n"), "\n") + "\n"
}

// unknownToVT matches the sequences vt10x would misread: keyboard-protocol
// pushes and pops (CSI > 1 u, CSI < u: vt10x takes them for "restore
// cursor"), modifyOtherKeys (CSI > 4 m) and mode queries (CSI ? n $ p).
var unknownToVT = regexp.MustCompile(`\x1b\[[<>=][0-9;]*[A-Za-z]|\x1b\[\?[0-9;]*\$p|\x1b\[\?u`)

// waitFor blocks until cond holds for the screen (w x h) or the guard ends.
func (s *screen) waitFor(tb testing.TB, w, h int, what string, cond func(screen string) bool) string {
	tb.Helper()
	deadline := time.NewTimer(guard)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		raw := append([]byte(nil), s.raw.Bytes()...)
		ch := s.changed
		resizes := s.resizes
		s.mu.Unlock()
		if scr := text(raw, w, h, resizes...); cond(scr) {
			return scr
		}
		select {
		case <-ch:
		case <-deadline.C:
			tb.Fatalf("never saw %s; screen:\n%s", what, text(raw, w, h, resizes...))
		}
	}
}

// session is RunFlow running in the background against a scripted provider.
type session struct {
	t    *testing.T
	prov *flowtest.Provider
	st   *memStore
	scr  *screen
	prog *tea.Program
	w, h int
	done chan struct{}
	res  flow.Result
	err  error
}

type sessionOpts struct {
	outcomes   []flowtest.Outcome
	reauth     *store.Entry // nil: add flow
	entries    []store.Entry
	width      int // 0: 80
	height     int // 0: 24
	notice     string
	in         io.Reader // nil: no input (keys are sent to the program)
	back       bool      // Options.Back
	brief      map[string]string
	extra      []provider.Provider
	noStatic   bool
	colour     bool
	lang       string
	parentCtx  context.Context
	wrapStore  func(*memStore) flow.Store
	checkErr   error // what the provider's silent check returns
	checkBlock bool  // the silent check waits until cancelled
}

func startSession(t *testing.T, o sessionOpts) *session {
	t.Helper()
	s := &session{t: t, prov: flowtest.New(o.outcomes...), w: 80, h: 24, scr: newScreen(), done: make(chan struct{})}
	s.prov.CheckErr = o.checkErr
	s.prov.CheckBlock = o.checkBlock
	if o.width > 0 {
		s.w = o.width
	}
	if o.height > 0 {
		s.h = o.height
	}
	entries := o.entries
	if o.reauth != nil {
		entries = append(entries, *o.reauth)
	}
	s.st = newMemStore(entries...)
	ctx := o.parentCtx
	if ctx == nil {
		ctx = context.Background()
	}
	if o.in == nil {
		o.in = strings.NewReader("")
	}
	started := make(chan *tea.Program, 1)
	cfg := config{
		Options: Options{
			In: o.in, Out: s.scr, Lang: o.lang,
			NoColor: !o.colour, Width: o.width, Height: s.h,
			Notice: o.notice, NoticeBrief: o.brief, Back: o.back,
		},
		staticSpinner: !o.noStatic,
		onStart:       func(p *tea.Program) { started <- p },
	}
	providers := append([]provider.Provider{bilingual{scripted{s.prov}}}, o.extra...)
	var st flow.Store = s.st
	if o.wrapStore != nil {
		st = o.wrapStore(s.st)
	}
	newFlow := func(p provider.Provider) (*flow.Flow, error) {
		if o.reauth != nil {
			return flow.NewReauth(p, st, *o.reauth), nil
		}
		return flow.NewUser(p, st), nil
	}
	go func() {
		defer close(s.done)
		s.res, s.err = runFlow(ctx, cfg, providers, newFlow)
	}()
	select {
	case s.prog = <-started:
	case <-time.After(guard):
		t.Fatal("program never started")
	}
	t.Cleanup(func() {
		s.prog.Kill()
		<-s.done
	})
	return s
}

// screenNow is the terminal as it is.
func (s *session) screenNow() string {
	s.scr.mu.Lock()
	raw := append([]byte(nil), s.scr.raw.Bytes()...)
	resizes := s.scr.resizes
	s.scr.mu.Unlock()
	return text(raw, s.w, s.h, resizes...)
}

// resize changes the terminal's size, as SIGWINCH would.
func (s *session) resize(w, h int) {
	s.scr.mu.Lock()
	s.scr.resizes = append(s.scr.resizes, resize{at: s.scr.raw.Len(), w: w, h: h})
	s.scr.mu.Unlock()
	s.prog.Send(tea.WindowSizeMsg{Width: w, Height: h})
}

// key sends one named key press.
func (s *session) key(name string) {
	s.prog.Send(keyMsg(name))
}

func keyMsg(name string) tea.KeyPressMsg {
	switch name {
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "shift+tab":
		return tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "ctrl+c":
		return tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	}
	panic("unknown key " + name)
}

// typeText types s one key at a time.
func (s *session) typeText(text string) {
	for _, r := range text {
		s.prog.Send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

// wait blocks until the screen shows substr and returns the screen.
func (s *session) wait(substr string) string {
	s.t.Helper()
	return s.scr.waitFor(s.t, s.w, s.h, fmt.Sprintf("%q", substr), func(scr string) bool { return strings.Contains(scr, substr) })
}

// result waits for RunFlow to return.
func (s *session) result() (flow.Result, error) {
	s.t.Helper()
	select {
	case <-s.done:
	case <-time.After(guard):
		s.t.Fatalf("RunFlow never returned; screen:\n%s", s.screenNow())
	}
	return s.res, s.err
}

// finalScreen is the terminal once RunFlow has returned.
func (s *session) finalScreen() string {
	s.t.Helper()
	_, _ = s.result()
	return s.screenNow()
}

// signIn fills the form and submits it.
func (s *session) signIn(login, password string) {
	s.wait("Password")
	s.typeText(login)
	s.key("enter") // to the password
	s.typeText(password)
	s.key("enter") // submit
}

// scripted is a flowtest.Provider as a whole provider.Provider: the
// methods these tests never reach (Identity, Token) answer "not scripted".
type scripted struct{ *flowtest.Provider }

func (scripted) Identity([]byte) (string, error) { return "", nil }

func (scripted) Token(context.Context, []byte, time.Duration) (provider.Credential, []byte, error) {
	return provider.Credential{}, nil, errors.New("not scripted")
}

func frontendChrome(lang string) frontend.Chrome { return frontend.ChromeFor(lang) }

// bilingual is the scripted provider with Polish strings as well, for the
// Polish screens.
type bilingual struct{ scripted }

func (b bilingual) Translations() fs.FS {
	en, err := fs.ReadFile(b.scripted.Provider.Translations(), "en.json")
	if err != nil {
		panic(err)
	}
	return fstest.MapFS{"en.json": {Data: en}, "pl.json": {Data: []byte(polishStrings)}}
}

const polishStrings = `{
  "config": {
    "flow_title": "Test Service",
    "step": {
      "user": {
        "title": "Logowanie do Test Service",
        "description": "Zaloguj się na konto Test Service.",
        "data": {"email": "E-mail", "password": "Hasło"},
        "data_description": {"email": "Adres e-mail, którym się logujesz.", "password": "Nigdy nie jest zapisywane."}
      },
      "reauth_confirm": {
        "title": "Ponowne logowanie: {name}",
        "description": "Sesja konta wygasła: {name}. Zaloguj się ponownie.",
        "data": {"email": "E-mail", "password": "Hasło"},
        "data_description": {"email": "Adres e-mail, którym się logujesz.", "password": "Nigdy nie jest zapisywane."}
      }
    },
    "error": {
      "invalid_auth": "Nieprawidłowy e-mail lub hasło.",
      "cannot_connect": "Nie udało się połączyć.",
      "timeout": "Przekroczono czas połączenia."
    },
    "progress": {"connecting": "Łączenie", "signing_in": "Logowanie"}
  }
}`
