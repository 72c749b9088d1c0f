package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/setupwizard/setupwizard/e2e/vterm"
)

// startSizedEnv is startSized with extra environment.
func (w *world) startSizedEnv(c, r int, extra []string, args ...string) *term {
	w.t.Helper()
	what := fmt.Sprintf("terminal (%dx%d) of setupwizard %s", c, r, strings.Join(args, " "))
	return w.startProgram(w.t, what, append(w.env(), extra...), c, r, binary, args...)
}

// addScripted adds p's account without a terminal.
func (w *world) addScripted(p provCase) {
	w.t.Helper()
	w.mustRun(0, w.secret(p.password)+"\n", "--provider", p.domain, "-u", p.login, "--password-stdin")
}

// TestAccessibleEscAtLinePrompt: esc then Enter at a line prompt goes back
// one step, and at the first one cancels (exit 130); the escape byte is
// never printed back as the prompt's default (a terminal reads "ESC ]" as
// the start of a sequence and shows nothing more).
func TestAccessibleEscAtLinePrompt(t *testing.T) {
	forEachProvider(t, func(t *testing.T, p provCase) {
		w := newWorld(t)
		w.addScripted(p)
		label := p.text(t, "config.step.reauth_confirm.data."+p.loginField, nil)
		password := p.text(t, "config.step.reauth_confirm.data.password", nil) + ":"
		tm := w.start("--accessible", "--reauth")
		first := label + " [" + p.login + "]:"
		tm.waitPrompt(first)
		// esc at the password: back to the login, its default kept.
		tm.typeText(p.login + "\r")
		tm.waitPrompt(password)
		tm.waitNoEcho()
		tm.typeText(vterm.Esc + "\r")
		tm.waitUntilCount(first, 2)
		// esc at the first question: cancelled.
		tm.typeText(vterm.Esc + "\r")
		tm.waitFor("✗ Cancelled.")
		tm.exit(130)
		if raw := string(tm.Raw()); strings.Contains(raw, "[\x1b") || strings.Contains(raw, "\x1b]") {
			t.Fatalf("an escape byte was printed back:\n%q", raw)
		}
		if e := w.entry(p.domain); len(e.Issues) != 0 {
			t.Fatalf("the cancelled reauth changed the entry: %+v", e)
		}
	})
}

// waitUntilCount waits until text is on the screen n times.
func (tm *term) waitUntilCount(text string, n int) {
	tm.t.Helper()
	tm.waitScreen(fmt.Sprintf("%q %d times", text, n), func(s string) bool { return strings.Count(s, text) >= n })
}

// TestAccessiblePickerSaysWhatItAccepts: an answer the service choice
// does not take gets a line saying what it does take; the service's name
// is taken as well as its number, in any letter case, and esc on the form
// comes back to this choice.
func TestAccessiblePickerSaysWhatItAccepts(t *testing.T) {
	if len(providers) < 2 {
		t.Skip("one service: no choice to make")
	}
	p := providers[len(providers)-1]
	w := newWorld(t)
	tm := w.start("--accessible")
	choose := fmt.Sprintf("Choose [1-%d]:", len(providers))
	tm.waitPrompt(choose)
	tm.typeText("8\r")
	tm.waitFor(fmt.Sprintf("✗ Type a number from 1 to %d, or a name as listed.", len(providers)))
	tm.waitUntilCount(choose, 2)
	tm.typeText("not a service\r")
	tm.waitUntilCount(choose, 3)
	tm.typeText(strings.ToUpper(p.domain) + "\r")
	login := p.text(t, "config.step.user.data."+p.loginField, nil) + ":"
	tm.waitPrompt(login)
	// esc on the form's first question: the service choice again.
	tm.typeText(vterm.Esc + "\r")
	tm.waitUntilCount(choose, 4)
	tm.typeText(p.text(t, "config.flow_title", nil) + "\r")
	tm.waitPrompt(login)
	tm.typeText(p.login + "\r")
	tm.typePassword(w, p.text(t, "config.step.user.data.password", nil)+":", p.password)
	tm.waitFor(saved)
	tm.exit(0)
	w.entry(p.domain)
}

// TestListFitsTheTerminal: at 80 columns --list is a table with whole
// rows; at 40 the columns that can be spared shorten, or each account
// becomes a block; the unique id and issues are never cut, and neither is
// --status's renew command (broken between arguments with the shell's
// line continuation). Piped, the rows are whole.
func TestListFitsTheTerminal(t *testing.T) {
	w := newWorld(t)
	for _, p := range providers {
		w.addScripted(p)
	}
	for _, width := range []int{80, 40} {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			tm := w.startSized(width, 30, "--list")
			tm.exit(0)
			scr := tm.Screen()
			for _, p := range providers {
				if !hasWord(scr, p.uniqueID) {
					t.Errorf("the unique id %s is not whole on one line:\n%s", p.uniqueID, scr)
				}
			}
			if width == 80 && !hasWord(scr, "UNIQUE ID") {
				t.Errorf("the header is cut:\n%s", scr)
			}
		})
	}
	piped := w.mustRun(0, "", "--list")
	head := strings.SplitN(piped.stdout, "\n", 2)[0]
	for _, h := range []string{"SERVICE", "ACCOUNT", "UNIQUE ID", "ISSUES"} {
		if !strings.Contains(head, h) {
			t.Fatalf("piped --list lost whole rows; first line %q", head)
		}
	}

	p := providers[0]
	p.expire(w)
	// Started as a person does, by its name on PATH: the printed command
	// names the program as started, and the test binary's long temporary
	// path could never fit 40 columns.
	tm := w.startProgram(t, "terminal (40x30) of setupwizard --status", w.env(), 40, 30,
		"bash", "-c", `exec -a setupwizard "$0" "$@"`, binary, "--status", "--account", p.uniqueID)
	tm.exit(4)
	scr := tm.Screen()
	joined := strings.Join(strings.Fields(strings.ReplaceAll(scr, " \\\n", " ")), " ")
	cmd := "setupwizard --reauth --provider " + p.domain + " --account " + p.uniqueID
	if !strings.Contains(joined, cmd) {
		t.Fatalf("the renew command is not whole once its continued lines are joined:\n%s", scr)
	}
	for _, line := range strings.Split(scr, "\n") {
		if len([]rune(line)) == 40 && !strings.HasSuffix(line, " ") {
			// A full line may be a cut one: it must end a word.
			if strings.Contains(cmd, strings.TrimSpace(line)) && !strings.HasSuffix(line, p.uniqueID) {
				t.Errorf("a line of the command fills the width (cut?): %q", line)
			}
		}
	}
}

// hasWord reports whether some screen line holds s whole.
func hasWord(screen, s string) bool {
	for _, l := range strings.Split(screen, "\n") {
		if strings.Contains(l, s) {
			return true
		}
	}
	return false
}

// TestDemoResultInSight: at 40x12 the result of each demo step is on the
// screen in full above the menu (which shrinks for it), and the menu's
// cursor stays on the step just run.
func TestDemoResultInSight(t *testing.T) {
	p := providers[0]
	w := newWorld(t)
	tm := w.startSizedEnv(40, 12, noBus, "--demo", "--provider", p.domain)
	// 12 rows leave no room for the step's title: its first field shows.
	tm.waitFor(p.text(t, "config.step.user.data."+p.loginField, nil))
	tm.fill(p.login, p.password)
	tm.waitFor("> Check the sign-in")
	flat := func() string { return strings.Join(strings.Fields(strings.ReplaceAll(tm.Screen(), " \\\n", " ")), " ") }
	inSight := func(what string, cursor string) {
		t.Helper()
		tm.waitScreen(what+" in sight with the cursor on "+cursor, func(s string) bool {
			f := strings.Join(strings.Fields(strings.ReplaceAll(s, " \\\n", " ")), " ")
			// The menu ends the screen: its help line, or its one line
			// (the cursor's step) when the output leaves no more room.
			// The cursor's line is the menu's, below the result.
			last := vterm.LastLine(s)
			below := strings.LastIndex(s, "\n> "+cursor) > strings.LastIndex(s, what[len(what)-8:])
			return strings.Contains(f, what) && below && (strings.HasPrefix(last, "> "+cursor) || hintsEnd(s))
		})
	}
	title := p.text(t, "config.flow_title", nil)
	tm.press(vterm.Enter) // Check the sign-in
	inSight("✓ "+title+", "+p.login+": signed in", "Check the sign-in")
	tm.show("40x12 after check")
	tm.press(vterm.Down)
	tm.press(vterm.Down)
	tm.press(vterm.Enter) // Let the sign-in expire
	inSight("(a script would see exit code 4)", "Let the sign-in")
	tm.show("40x12 after expire")
	for _, want := range []string{"The emulators now refuse every earlier sign-in.", "has expired (auth_expired)", "--account " + p.uniqueID} {
		if !strings.Contains(flat(), want) {
			t.Errorf("%q not in sight at 40x12:\n%s", want, tm.Screen())
		}
	}
	tm.press(vterm.Esc)
	tm.exit(0)
}

// TestAccessibleDemoOneBanner: the accessible demo says once that it is
// the demo (its notice), not twice; esc at its first question cancels.
func TestAccessibleDemoOneBanner(t *testing.T) {
	w := newWorld(t)
	tm := w.startWith(noBus, "--demo", "--accessible")
	tm.waitPrompt(fmt.Sprintf("Choose [1-%d]:", len(providers)))
	scr := tm.Screen()
	if n := strings.Count(scr, "Demo"); n != 1 {
		t.Fatalf("%d banners, want one:\n%s", n, scr)
	}
	tm.typeText(vterm.Esc + "\r")
	tm.waitFor("✗ Cancelled.")
	tm.exit(130)
}
