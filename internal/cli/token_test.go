package cli

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	fcemu "github.com/setupwizard/setupwizard/internal/providers/flameconnect/emulator"
	libemu "github.com/setupwizard/setupwizard/internal/providers/librus/emulator"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
	"github.com/setupwizard/setupwizard/internal/store"
	"github.com/setupwizard/setupwizard/internal/testenv"
)

// credential rebuilds what --token --json printed as the emulator's
// CheckCredential takes it.
func credential(t *testing.T, out string) (provider.Credential, tokenJSON) {
	t.Helper()
	var tj tokenJSON
	if err := json.Unmarshal([]byte(out), &tj); err != nil {
		t.Fatalf("--token --json: %v\n%s", err, out)
	}
	if tj.Cookie != "" {
		return provider.Credential{Kind: "cookie", Type: tj.TokenType, Value: tj.Cookie}, tj
	}
	return provider.Credential{Kind: "token", Type: tj.TokenType, Value: tj.Token}, tj
}

// lifetimeSetter is an emulator that can issue short-lived access tokens.
type lifetimeSetter interface {
	SetAccessTokenLifetime(time.Duration)
}

func TestToken(t *testing.T) {
	testenv.RealKeyring(t)
	for _, a := range accounts() {
		t.Run(a.provider, func(t *testing.T) {
			w := newWorld(t)
			emu := w.emus[a.provider]
			expect(t, w.add(a), ExitOK)

			// One line, nothing else; the credential works on the
			// service's API.
			emu.ResetRequests()
			o := w.run("", "--token")
			expect(t, o, ExitOK)
			if lines := strings.Split(strings.TrimSuffix(o.out, "\n"), "\n"); len(lines) != 1 || lines[0] == "" {
				t.Fatalf("--token printed %q", o.out)
			}
			o = w.run("", "--token", "--json", "--account", a.uid)
			expect(t, o, ExitOK)
			cred, tj := credential(t, o.out)
			if tj.Provider != a.provider || tj.Account != a.uid || tj.TokenType == "" {
				t.Fatalf("--json = %+v", tj)
			}
			if cred.Kind == "token" && emu.Requests() != 0 {
				// A fresh cached access token is printed without a request.
				t.Fatalf("a fresh token cost %d requests", emu.Requests())
			}
			if err := emu.CheckCredential(cred); err != nil {
				t.Fatalf("the emulator refused the printed credential: %v", err)
			}
			if strings.Contains(w.run("", "--token", "--debug", t.TempDir()+"/trace").errOut, cred.Value) {
				t.Fatal("credential on stderr")
			}

			// The grant is dead: exit 4, auth_expired recorded, the reauth
			// command on stderr. A cached access token would still be
			// printed, so the cache first gets one that is near its end.
			shortLived(t, w, a)
			emu.Expire()
			o = w.run("", "--token")
			expect(t, o, ExitExpired, "setupwizard --reauth --provider "+a.provider)
			if o.out != "" {
				t.Fatalf("stdout %q", o.out)
			}
			if !w.entries()[0].HasIssue(store.IssueAuthExpired) {
				t.Fatal("auth_expired not recorded")
			}
		})
	}
}

// A cached access token near its expiry is refreshed once, and the new
// cache stored.
func TestTokenRefreshesNearExpiry(t *testing.T) {
	testenv.RealKeyring(t)
	for _, a := range accounts() {
		t.Run(a.provider, func(t *testing.T) {
			w := newWorld(t)
			ls, ok := w.emus[a.provider].(lifetimeSetter)
			if !ok {
				t.Skip("the emulator cannot issue short-lived tokens")
			}
			ls.SetAccessTokenLifetime(time.Minute)
			expect(t, w.add(a), ExitOK)
			id := w.entries()[0].ID
			before := w.cache(id)
			w.emus[a.provider].ResetRequests()
			o := w.run("", "--token", "--json")
			expect(t, o, ExitOK)
			if n := refreshGrants(w.emus[a.provider]); n != 1 {
				t.Fatalf("%d refresh grants, want one", n)
			}
			if string(w.cache(id)) == string(before) {
				t.Fatal("the refreshed cache was not stored")
			}
			cred, _ := credential(t, o.out)
			if err := w.emus[a.provider].CheckCredential(cred); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// Network trouble records nothing (exit 1); a broken keyring is exit 3;
// several matches without a terminal are a usage error listing them.
func TestTokenFailures(t *testing.T) {
	testenv.RealKeyring(t)
	w := newWorld(t)
	all := w.addAll()
	if len(all) > 1 {
		o := w.run("", "--token")
		expect(t, o, ExitUsage, "accounts match", all[0].uid, all[1].uid)
	}
	a := all[0]
	shortLived(t, w, a)
	_ = w.emus[a.provider].Close()
	expect(t, w.run("", "--token", "--account", a.uid), ExitFlow)
	for _, e := range w.entries() {
		if e.HasIssue(store.IssueAuthExpired) {
			t.Fatal("a network failure recorded auth_expired")
		}
	}
	w.sopts = []store.Option{store.WithKeyring(brokenKeyring)}
	expect(t, w.run("", "--token", "--account", all[len(all)-1].uid), ExitKeyring, "--demo")
}

// shortLived makes a's stored access token one that --token must refresh:
// the emulator issues one-minute tokens and a reauth stores one.
func shortLived(t *testing.T, w *world, a account) {
	t.Helper()
	if ls, ok := w.emus[a.provider].(lifetimeSetter); ok {
		ls.SetAccessTokenLifetime(time.Minute)
		expect(t, w.run(a.password+"\n", "--reauth", "--account", a.uid, "--password-stdin"), ExitOK)
	}
}

// refreshGrants counts the refresh-token grants an emulator answered, where
// it keeps a request log; else every request counts.
func refreshGrants(e provider.Emulator) int {
	if l, ok := e.(interface{ Log() []fcemu.Recorded }); ok {
		n := 0
		for _, r := range l.Log() {
			if r.Method == "POST" && strings.Contains(r.Body, "grant_type=refresh_token") {
				n++
			}
		}
		return n
	}
	return e.Requests()
}

// A hostile name from the service (escape sequences, a bidi override)
// never reaches the terminal: not on add, --list, --status or --json.
func TestHostileNameCleaned(t *testing.T) {
	w := newWorld(t)
	w.sopts = []store.Option{store.WithKeyring(store.NewMemoryKeyring())}
	lb, ok := w.emus["librus"].(*libemu.Emulator)
	if !ok {
		t.Skip("no librus emulator registered")
	}
	lb.AddUser("7654321u", "hostile-pass-1Aa", "Anna\x1b]0;pwned\x07\x1b[2J", "\u202eKowalska")
	outs := []outcome{w.run("hostile-pass-1Aa\n", "--provider", "librus", "-u", "7654321u", "--password-stdin")}
	expect(t, outs[0], ExitOK)
	for _, args := range [][]string{{"--list"}, {"--list", "--json"}, {"--status"}, {"--status", "--json"}} {
		outs = append(outs, w.run("", args...))
	}
	for _, o := range outs {
		for _, bad := range []string{"\x1b", "\x07", "\u202e", `\u001b`} {
			if strings.Contains(o.out+o.errOut, bad) {
				t.Fatalf("output holds %q:\n%q", bad, o.out+o.errOut)
			}
		}
	}
}

// --status --json has every field README lists for an entry, the error
// key of an expired one included.
func TestStatusJSONMatchesREADME(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(readme)
	i := strings.Index(s, "`accounts` give per entry")
	if i < 0 {
		t.Fatal("README does not list the --status --json fields")
	}
	s = s[i+len("`accounts` give per entry"):]
	s = s[:strings.Index(s, ".\n")]
	s = regexp.MustCompile(`\([^)]*\)`).ReplaceAllString(s, "")
	var fields []string
	for _, m := range regexp.MustCompile("`([a-z_]+)`").FindAllStringSubmatch(s, -1) {
		fields = append(fields, m[1])
	}
	if len(fields) < 4 {
		t.Fatalf("fields %v", fields)
	}

	w := newWorld(t)
	w.sopts = []store.Option{store.WithKeyring(store.NewMemoryKeyring())}
	a := accounts()[0]
	expect(t, w.add(a), ExitOK)
	w.expire(a)
	o := w.run("", "--status", "--json")
	expect(t, o, ExitExpired)
	var doc struct {
		Accounts []map[string]any `json:"accounts"`
	}
	if err := json.Unmarshal([]byte(o.out), &doc); err != nil || len(doc.Accounts) != 1 {
		t.Fatalf("%v\n%s", err, o.out)
	}
	got := doc.Accounts
	for _, f := range fields {
		if _, ok := got[0][f]; !ok {
			t.Errorf("--status --json of an expired entry lacks %q (README lists it): %s", f, o.out)
		}
	}
	if got[0]["error"] != store.IssueAuthExpired {
		t.Errorf("error = %v, want %s", got[0]["error"], store.IssueAuthExpired)
	}
}

// --token never prompts, even on a terminal: several matches are exit 2.
func TestTokenNeverPrompts(t *testing.T) {
	w := newWorld(t)
	w.sopts = []store.Option{store.WithKeyring(store.NewMemoryKeyring())}
	all := w.addAll()
	fp := &fakePrompter{}
	w.prompter, w.tty = fp, true
	if len(all) > 1 {
		expect(t, w.run("", "--token"), ExitUsage, "accounts match")
		if fp.picked != nil {
			t.Fatal("--token opened a picker")
		}
	}
}
