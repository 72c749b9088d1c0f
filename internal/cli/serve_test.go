package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/setupwizard/setupwizard/internal/loopback"
	"github.com/setupwizard/setupwizard/internal/providers/registry"
	"github.com/setupwizard/setupwizard/internal/store"
)

func TestServeFlags(t *testing.T) {
	w := &world{t: t, env: map[string]string{"SETUPWIZARD_CONFIG_DIR": t.TempDir()}, ca: &loopback.CA{}}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--serve"}, "--serve needs --demo"},
		{[]string{"--demo", "--serve", "--provider", accounts()[0].provider}, "--provider does not go with it"},
		{[]string{"--demo", "--serve", "--accessible"}, "--accessible does not go with it"},
		{[]string{"--demo", "--serve", "--list"}, "the demo offers --list"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			expect(t, w.run("", tc.args...), ExitUsage, tc.want)
		})
	}
}

// TestServeRunsUntilStopped: the sandbox prints a block a shell can
// source (only export lines and comments, every service's login), answers
// on its control, and once stopped exits 0 with its directory and its
// accounts (and so their keyring items) gone.
func TestServeRunsUntilStopped(t *testing.T) {
	kr := store.NewMemoryKeyring()
	pr, pw := io.Pipe()
	var errOut bytes.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a := &app{io: &IOStreams{In: strings.NewReader(""), Out: pw, ErrOut: &errOut}, getenv: func(string) string { return "" },
		storeOpts: []store.Option{store.WithKeyring(kr)}}
	done := make(chan int, 1)
	go func() {
		done <- a.run(ctx, []string{"--demo", "--serve"})
		_ = pw.Close()
	}()
	vars := map[string]string{}
	var block strings.Builder
	export := regexp.MustCompile(`^export ([A-Z_]+)='([^']*)'$`)
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		l := sc.Text()
		block.WriteString(l + "\n")
		if m := export.FindStringSubmatch(l); m != nil {
			vars[m[1]] = m[2]
		} else if !strings.HasPrefix(l, "# ") {
			t.Fatalf("a line that is neither an export nor a comment: %q", l)
		}
		if strings.Contains(l, "ctrl+c") {
			break
		}
	}
	for _, acct := range accounts() {
		if !strings.Contains(block.String(), "-u "+shellQuote(acct.login)+" --password-stdin") {
			t.Errorf("no sign-in line for %s:\n%s", acct.provider, block.String())
		}
	}
	dir := filepath.Dir(vars[envConfigDir])
	if _, err := os.Stat(vars["SSL_CERT_FILE"]); err != nil || filepath.Dir(vars["SSL_CERT_FILE"]) != dir {
		t.Fatalf("CA file %q outside %q: %v", vars["SSL_CERT_FILE"], dir, err)
	}

	// An account signed in with the sandbox's config dir, as a script's
	// setupwizard would.
	st, err := store.Open(vars[envConfigDir], store.WithKeyring(kr))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Add(context.Background(), store.Entry{Domain: accounts()[0].provider, Title: "t", UniqueID: "u"}, []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	cancel()
	if code := <-done; code != ExitOK {
		t.Fatalf("exit %d, want 0\n%s", code, errOut.String())
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("the sandbox's directory is still there: %v", err)
	}
	if n := kr.Len(); n != 0 {
		t.Errorf("%d keyring items left", n)
	}
}

// TestServeControl: the controls reach every emulator, or the one named,
// and refuse what they do not know; expire records the expiry of the
// sandbox's accounts at once.
func TestServeControl(t *testing.T) {
	ca, emus := startEmulators(t)
	kr := store.NewMemoryKeyring()
	w := &world{t: t, ca: ca, emus: emus, dir: t.TempDir(), env: emus.Env(), sopts: []store.Option{store.WithKeyring(kr)}}
	w.env["SETUPWIZARD_CONFIG_DIR"] = w.dir
	acct := accounts()[0]
	expect(t, w.add(acct), ExitOK)

	a := &app{getenv: func(k string) string { return w.env[k] }, storeOpts: w.sopts, lang: "en"}
	env := emus.Env()
	a.provOpts.RootCAs = ca.Pool
	a.provOpts.Getenv = func(k string) string { return env[k] }
	a.providers = registry.New(a.provOpts)
	sb := &sandbox{a: a, cfg: w.dir, emus: emus}
	h := sb.handler("/s3cret/")
	call := func(method, path string) (int, controlAnswer) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
		var ans controlAnswer
		if err := json.Unmarshal(rec.Body.Bytes(), &ans); err != nil && rec.Code != http.StatusNotFound && rec.Code != http.StatusMethodNotAllowed {
			t.Fatalf("%s %s: %v\n%s", method, path, err, rec.Body.String())
		}
		return rec.Code, ans
	}
	if code, ans := call("GET", "/s3cret/"); code != 200 || len(ans.Controls) != len(controls) || len(ans.Services) != len(emus) {
		t.Errorf("GET: %d %+v", code, ans)
	}
	for _, tc := range []struct {
		method, path string
		code         int
	}{
		{"POST", "/s3cret/nope", http.StatusNotFound},
		{"POST", "/s3cret/slow?delay=soon", http.StatusBadRequest},
		{"POST", "/s3cret/slow?delay=-1s", http.StatusBadRequest},
		{"POST", "/s3cret/down?service=nest", http.StatusNotFound},
		{"POST", "/guess/expire", http.StatusNotFound},
		{"GET", "/s3cret/expire", http.StatusMethodNotAllowed},
		{"POST", "/s3cret/slow?delay=1ms&service=" + strings.ToUpper(acct.provider), http.StatusOK},
		{"POST", "/s3cret/down", http.StatusOK},
		{"POST", "/s3cret/up", http.StatusOK},
	} {
		if code, ans := call(tc.method, tc.path); code != tc.code {
			t.Errorf("%s %s: %d %+v, want %d", tc.method, tc.path, code, ans, tc.code)
		}
	}
	code, ans := call("POST", "/s3cret/expire?service="+acct.provider)
	if code != 200 || len(ans.Expired) != 1 || ans.Expired[0] != acct.uid {
		t.Fatalf("expire: %d %+v", code, ans)
	}
	if !w.entries()[0].HasIssue(store.IssueAuthExpired) {
		t.Fatal("expire did not record auth_expired")
	}
	expect(t, w.run("", "--token"), ExitExpired)
}

func TestExportQuote(t *testing.T) {
	for in, want := range map[string]string{"a": "'a'", "": "''", "it's": `'it'\''s'`, "$HOME `x`": "'$HOME `x`'"} {
		if got := exportQuote(in); got != want {
			t.Errorf("exportQuote(%q) = %s, want %s", in, got, want)
		}
	}
}

// TestServeBlockWords: the block's prose is in the run's language, and
// every line of it is an export or a comment in both.
func TestServeBlockWords(t *testing.T) {
	_, emus := startEmulators(t)
	for _, tc := range []struct{ lang, want, not string }{
		{"en", "Sandbox running", "Piaskownica"},
		{"pl", "Piaskownica działa", "Sandbox running"},
	} {
		var out bytes.Buffer
		a := &app{io: &IOStreams{Out: &out}, lang: tc.lang, text: cliText()}
		sb := &sandbox{a: a, emus: emus}
		sb.printEnv(map[string]string{envConfigDir: "/tmp/x y", envSandboxControl: "https://127.0.0.1:1/z/"})
		s := out.String()
		if !strings.Contains(s, tc.want) || strings.Contains(s, tc.not) {
			t.Errorf("%s: block lacks %q or has %q:\n%s", tc.lang, tc.want, tc.not, s)
		}
		if !strings.Contains(s, "export SETUPWIZARD_CONFIG_DIR='/tmp/x y'\n") {
			t.Errorf("%s: the config dir is not quoted for a shell:\n%s", tc.lang, s)
		}
		for _, l := range strings.Split(strings.TrimSuffix(s, "\n"), "\n") {
			if !strings.HasPrefix(l, "# ") && !strings.HasPrefix(l, "export ") {
				t.Errorf("%s: line %q is neither a comment nor an export", tc.lang, l)
			}
		}
	}
}

// TestServeBlockFitsNarrowTerminals: at 40 columns the block's prose,
// the demo logins included, wraps at words (a login cut by the terminal
// reads as another password); only export lines and commands, which must
// stay one line to paste, may be wider.
func TestServeBlockFitsNarrowTerminals(t *testing.T) {
	ca, err := loopback.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	emus, err := registry.StartEmulators(ca)
	if err != nil {
		t.Fatal(err)
	}
	defer emus.Close()
	for _, lang := range textLangs {
		var out bytes.Buffer
		a := &app{io: &IOStreams{Out: &out, OutWidth: 40}, lang: lang, text: cliText()}
		sb := &sandbox{a: a, emus: emus}
		sb.printEnv(map[string]string{envConfigDir: "/tmp/x", envSandboxControl: "https://127.0.0.1:1/z/"})
		for _, l := range strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n") {
			if len([]rune(l)) <= 40 || strings.HasPrefix(l, "export ") || strings.Contains(l, "curl ") || strings.Contains(l, "--password-stdin") {
				continue
			}
			t.Errorf("%s: a prose line wider than 40 columns: %q", lang, l)
		}
	}
}
