package cli

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/setupwizard/setupwizard/internal/flow"
	"github.com/setupwizard/setupwizard/internal/i18n"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
	"github.com/setupwizard/setupwizard/internal/providers/registry"
)

// Every string the command line prints has English and Polish text, every
// catalog key is used, and each language uses the same placeholders. The
// keys are found by reading the package's Go source for "cli.*" literals.
func TestCLIStringsComplete(t *testing.T) {
	cat := cliText()
	used := usedKeys(t)
	if len(used) < 20 {
		t.Fatalf("found only %d catalog keys in the source", len(used))
	}
	for _, lang := range textLangs {
		for key := range used {
			if strings.HasSuffix(key, "*") {
				continue
			}
			if !cat.Has(lang, key) {
				t.Errorf("%s: no text for %s", lang, key)
			}
		}
		for _, key := range cat.Keys(lang) {
			if !used[key] && !prefixUsed(used, key) {
				t.Errorf("%s: %s is never used", lang, key)
			}
		}
	}
	for _, key := range cat.Keys("en") {
		en, _ := cat.Raw("en", key)
		pl, _ := cat.Raw("pl", key)
		if a, b := sorted(i18n.Placeholders(en)), sorted(i18n.Placeholders(pl)); strings.Join(a, ",") != strings.Join(b, ",") {
			t.Errorf("%s: placeholders differ: en %v, pl %v", key, a, b)
		}
		if key != "cli.entry.describe" && key != "cli.entry.label" && key != "cli.demo.credential" && key != "cli.demo.brief" && key != "cli.usage.debug_file" && en == pl {
			t.Errorf("%s: the Polish text is the English one", key)
		}
	}
}

// usedKeys collects "cli.…" string literals from the package's non-test
// Go files. A literal ending in "." is a prefix (keys built at run time).
func usedKeys(t *testing.T) map[string]bool {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		file, err := parser.ParseFile(fset, f, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if s, err := strconv.Unquote(lit.Value); err == nil && strings.HasPrefix(s, "cli.") {
					keys[s] = true
				}
			}
			return true
		})
	}
	for k := range keys {
		if strings.HasSuffix(k, ".") {
			delete(keys, k)
			keys[k+"*"] = true
		}
	}
	return keys
}

func prefixUsed(used map[string]bool, key string) bool {
	for k := range used {
		if strings.HasSuffix(k, "*") && strings.HasPrefix(key, strings.TrimSuffix(k, "*")) {
			return true
		}
	}
	return false
}

func sorted(xs []string) []string {
	sort.Strings(xs)
	return xs
}

// Server-supplied text never reaches the terminal with control
// characters: escape sequences and bidi overrides are gone.
func TestClean(t *testing.T) {
	for _, in := range []string{"A\x1b]0;pwned\x07B", "A\x1b[2JB", "tab\there", "bell\x07", "c1\u009bx", "rtl\u202egnp.exe", "iso\u2066late\u2069", "nl\nx", "del\x7f"} {
		got := clean(in)
		for _, r := range got {
			if r < 0x20 || (r >= 0x7f && r <= 0x9f) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
				t.Errorf("clean(%q) = %q keeps %U", in, got, r)
			}
		}
	}
	if got := clean("Zażółć gęślą jaźń"); got != "Zażółć gęślą jaźń" {
		t.Errorf("clean changed plain text: %q", got)
	}
}

// --help is grouped, names the keyring and the demo, lists the registered
// services and gives three examples, in both languages.
func TestHelpGrouped(t *testing.T) {
	for _, lang := range []string{"en_US.UTF-8", "pl_PL.UTF-8"} {
		w := &world{t: t, env: map[string]string{"LANG": lang}, ca: nil}
		o := w.runNoCA("", "--help")
		expect(t, o, ExitOK, "--demo", "--token", "--password-stdin", "130")
		if strings.HasPrefix(lang, "en") {
			expect(t, o, ExitOK, "Commands:", "Options:", "Environment:", "Exit codes:", "Examples:", "keyring", "Secret Service", "Keychain", "Credential Manager")
		} else {
			expect(t, o, ExitOK, "Polecenia:", "Opcje:", "Kody wyjścia:", "Przykłady:")
		}
		for _, d := range registryDomains() {
			expect(t, o, ExitOK, d)
		}
		ex := o.out[strings.LastIndex(o.out, ":\n")+2:]
		if n := strings.Count(strings.TrimSpace(ex), "\n") + 1; n != 3 {
			t.Errorf("%s: %d examples:\n%s", lang, n, ex)
		}
	}
}

// Every keyring trouble has its sentence in every language.
func TestKeyringTroublesHaveText(t *testing.T) {
	for _, lang := range textLangs {
		for _, tr := range []keyringTrouble{troubleNoBus, troubleNoService, troubleLocked, troubleTimeout, troubleOther} {
			if !cliText().Has(lang, "cli.keyring."+string(tr)) {
				t.Errorf("%s: no text for %s", lang, tr)
			}
		}
	}
}

// --help fits an 80-column terminal in every language.
func TestHelpFits80Columns(t *testing.T) {
	for _, lang := range textLangs {
		var b strings.Builder
		(&app{lang: lang}).usage(&b)
		for _, line := range strings.Split(b.String(), "\n") {
			if n := len([]rune(line)); n > 80 {
				t.Errorf("%s: %d columns: %s", lang, n, line)
			}
		}
	}
}

// TestPolishNamesStandAlone: Polish would need an account's or a person's
// name inflected inside a sentence ("Sesja konta Anna Kowalska" is
// ungrammatical), so wherever a Polish string shows one ({title},
// {name}) it stands alone: first, after a colon, a comma or a middle
// dot, or quoted.
// Checked for the command line's words and every service's.
func TestPolishNamesStandAlone(t *testing.T) {
	cats := map[string]*i18n.Catalog{"cli": cliText()}
	for _, p := range registry.New(provider.Options{}) {
		c, err := flow.Strings(p)
		if err != nil {
			t.Fatal(err)
		}
		cats[p.Domain()] = c
	}
	alone := []string{": ", ", ", "· ", "„", "\n"}
	for what, c := range cats {
		for _, key := range c.Keys("pl") {
			s, _ := c.Raw("pl", key)
			for _, name := range []string{"{title}", "{name}"} {
				for i := strings.Index(s, name); i >= 0; i = next(s, name, i) {
					ok := i == 0
					for _, a := range alone {
						ok = ok || strings.HasSuffix(s[:i], a)
					}
					if !ok {
						t.Errorf("%s %s: %s is inside the sentence: %q", what, key, name, s)
					}
				}
			}
		}
	}
}

// next is the index of the next sub in s after the one at i, or -1.
func next(s, sub string, i int) int {
	j := strings.Index(s[i+len(sub):], sub)
	if j < 0 {
		return -1
	}
	return i + len(sub) + j
}

// TestReauthWordsFitAValidSignIn: --reauth also renews a sign-in that
// --status called valid, so no service's reauth form says it expired.
func TestReauthWordsFitAValidSignIn(t *testing.T) {
	for _, p := range registry.New(provider.Options{}) {
		c, err := flow.Strings(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, lang := range c.Languages() {
			for _, key := range []string{"config.step.reauth_confirm.title", "config.step.reauth_confirm.description"} {
				s, _ := c.Raw(lang, key)
				if low := strings.ToLower(s); strings.Contains(low, "expired") || strings.Contains(low, "wygas") {
					t.Errorf("%s %s %s says the sign-in expired: %q", p.Domain(), lang, key, s)
				}
			}
		}
	}
}

// TestFitWrapsAtWords: prose printed to a narrow terminal breaks between
// words, never inside one, and is left alone when it fits or when the
// output is not a terminal (width 0).
func TestFitWrapsAtWords(t *testing.T) {
	const pl = "Koniec demonstracji; nic z niej nie zostało zapisane."
	const en = "The emulators now refuse every earlier sign-in."
	for _, c := range []struct {
		in    string
		width int
		want  string
	}{
		{pl, 0, pl},
		{pl, 80, pl},
		{pl, 40, "Koniec demonstracji; nic z niej nie\nzostało zapisane."},
		{en, 20, "The emulators now\nrefuse every earlier\nsign-in."},
	} {
		if got := fit(c.in, c.width); got != c.want {
			t.Errorf("fit(%q, %d) = %q, want %q", c.in, c.width, got, c.want)
		}
	}
}

// TestSayCommandKeepsTheCommandWhole: on a narrow terminal the command at
// the end of a status line gets lines of its own, broken between arguments
// with the shell's line continuation (pasted, they run as one command),
// never cut inside a word; on a pipe or a wide terminal the line is
// printed as it is.
func TestSayCommandKeepsTheCommandWhole(t *testing.T) {
	const cmd = "setupwizard --reauth --provider librus --account 1234567u"
	line := "✗ Librus Synergia, Anna Kowalska: logowanie wygasło (auth_expired); odnów je poleceniem: " + cmd
	for _, c := range []struct {
		width int
		want  string
	}{
		{0, line + "\n"},
		{200, line + "\n"},
		{40, "✗ Librus Synergia, Anna Kowalska:\nlogowanie wygasło (auth_expired); odnów\nje poleceniem:\n  setupwizard --reauth \\\n      --provider librus \\\n      --account 1234567u\n"},
		{80, "✗ Librus Synergia, Anna Kowalska: logowanie wygasło (auth_expired); odnów je\npoleceniem:\n  " + cmd + "\n"},
	} {
		var out strings.Builder
		a := &app{io: &IOStreams{Out: &out, OutWidth: c.width}}
		a.sayCommand(line, cmd)
		if out.String() != c.want {
			t.Errorf("width %d:\n%q\nwant\n%q", c.width, out.String(), c.want)
		}
	}
	// A line without a command is prose: wrapped at words.
	var out strings.Builder
	a := &app{io: &IOStreams{Out: &out, OutWidth: 40}}
	a.sayCommand("✓ Librus Synergia, Anna Kowalska: zalogowano", "")
	if want := "✓ Librus Synergia, Anna Kowalska:\nzalogowano\n"; out.String() != want {
		t.Errorf("a line without a command at 40 columns: %q, want %q", out.String(), want)
	}
}

// TestSayErrMessageKeepsEveryFixWhole: each keyring fix the program prints
// (headless.go's shapes, including the systemd login's, which starts with
// "unset" or "systemctl") gets a line of its own after "Fix:", never
// wrapped at words: a newline inside its quoted script breaks it when
// pasted.
func TestSayErrMessageKeepsEveryFixWhole(t *testing.T) {
	script := `bash -c 'read -rsp "Keyring password: " p; echo; printf %s "$p" | setsid gnome-keyring-daemon --replace --unlock --components=secrets >/dev/null'`
	for _, fix := range []string{
		"unset DBUS_SESSION_BUS_ADDRESS && systemctl --user start dbus.socket && " + script + " && ./setupwizard --provider librus",
		"systemctl --user daemon-reload && systemctl --user start dbus.socket && " + script + " && ./setupwizard",
		"sudo apt install gnome-keyring && " + script + " && ./setupwizard",
		script + " && ./setupwizard",
	} {
		for _, w := range []int{40, 80} {
			var out strings.Builder
			a := &app{io: &IOStreams{ErrOut: &out, ErrWidth: w}}
			a.sayErrMessage("setupwizard: No keyring: the session bus DBUS_SESSION_BUS_ADDRESS names is gone.\nFix: " + fix + "\nNew shells of this login share it until you log out everywhere.")
			if !strings.Contains(out.String(), "\nFix:\n  "+fix+"\n") {
				t.Errorf("width %d: the fix is not whole on a line of its own:\n%s", w, out.String())
			}
		}
	}
}

// TestSayErrMessageWrapsListItems: an indented item of a list (the
// accounts a selection matched) wraps at words keeping its indent, so the
// terminal never cuts an id in two; an indented command stays whole.
func TestSayErrMessageWrapsListItems(t *testing.T) {
	msg := "setupwizard: 2 accounts match; choose one with --account:\n  Flame Connect: demo@example.com (demo-example-com)\n  Librus Synergia: Anna Kowalska (1234567u)\n  ./setupwizard --reauth --provider flameconnect --account demo-example-com"
	var out strings.Builder
	a := &app{io: &IOStreams{ErrOut: &out, ErrWidth: 40}}
	a.sayErrMessage(msg)
	want := "setupwizard: 2 accounts match; choose\none with --account:\n  Flame Connect: demo@example.com\n  (demo-example-com)\n  Librus Synergia: Anna Kowalska\n  (1234567u)\n  ./setupwizard --reauth --provider flameconnect --account demo-example-com\n"
	if out.String() != want {
		t.Errorf("got\n%q\nwant\n%q", out.String(), want)
	}
}

// TestSayErrMessageLeavesQuotedCommandsInTheSentence: a command named in
// quotes after a colon (the Polish "no accounts" and "corrupt" words) is
// part of the sentence, never given a line of its own with its quotes and
// full stop, which would be pasted with it.
func TestSayErrMessageLeavesQuotedCommandsInTheSentence(t *testing.T) {
	for _, msg := range []string{
		"setupwizard: brak skonfigurowanych kont; dodaj konto poleceniem 'setupwizard' albo wypróbuj offline: 'setupwizard --demo'",
		"setupwizard: Zapisane logowanie w pęku kluczy jest uszkodzone; zaloguj się ponownie: 'setupwizard --reauth'.",
	} {
		var out strings.Builder
		a := &app{io: &IOStreams{ErrOut: &out, ErrWidth: 40}}
		a.sayErrMessage(msg)
		for _, line := range strings.Split(out.String(), "\n") {
			if strings.HasPrefix(line, "  '") {
				t.Errorf("a quoted command on a line of its own:\n%s", out.String())
			}
		}
		if got := strings.Join(strings.Fields(out.String()), " "); got != msg {
			t.Errorf("the words changed:\n%q\nwant\n%q", got, msg)
		}
	}
}
