package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"
	"github.com/setupwizard/setupwizard/internal/flow/flowtest"
	"github.com/setupwizard/setupwizard/internal/ui/frontend"
)

// demoMenu is a menu as long as the demo's, asked after a step's output.
func demoMenu(lang string, keep int) Pick {
	steps := map[string][]string{
		"en": {"Check the sign-in (--status)", "Print a token for scripts (--token)", "Let the sign-in expire, then check it (--status)", "Sign in again (--reauth)", "List accounts (--list)", "Remove the account (--remove)", "Quit the demo"},
		"pl": {"Sprawdź logowanie (--status)", "Wypisz token dla skryptów (--token)", "Niech logowanie wygaśnie, potem sprawdź (--status)", "Zaloguj ponownie (--reauth)", "Pokaż konta (--list)", "Usuń konto (--remove)", "Zakończ demonstrację"},
	}[lang]
	p := Pick{Question: map[string]string{"en": "What next? Try the other commands on the demo account:", "pl": "Co dalej? Wypróbuj inne polecenia na koncie demonstracyjnym:"}[lang],
		Menu: true, Keep: keep, Start: 3}
	for _, s := range steps {
		p.Accounts = append(p.Accounts, Account{Label: s})
	}
	return p
}

// TestMenuScreens holds the demo's menu below a step's output at each
// size: a short output (the menu shrinks to what is left) and one that
// leaves a single row (the menu is the cursor's line alone), the output
// in sight above it either way, the cursor on the step run last.
// Refresh with: go test ./internal/ui -run TestMenuScreens -update
func TestMenuScreens(t *testing.T) {
	outputs := map[string][]string{
		"short": {"> Check the sign-in (--status)", "✓ Test Service, user@example.com:", "signed in"},
		"long": {"> Let the sign-in expire, then check it…", "The emulators now refuse every earlier", "sign-in.",
			"✗ Test Service, user@example.com: the", "sign-in has expired (auth_expired);", "renew it with:",
			"  setupwizard --reauth \\", "      --provider test \\", "      --account user-example-com", "(a script would see exit code 4)"},
	}
	for _, size := range sizes {
		w, h := size[0], size[1]
		for _, lang := range []string{"en", "pl"} {
			for _, kind := range []string{"short", "long"} {
				name := fmt.Sprintf("menu_%s_%s_%dx%d", kind, lang, w, h)
				t.Run(name, func(t *testing.T) {
					above := outputs[kind]
					golden.RequireEqual(goldenName{t, name}, menuScreen(t, lang, w, h, above))
				})
			}
		}
	}
}

// menuScreen draws the menu below above's lines and returns the screen
// once it is drawn, then ends the menu with esc.
func menuScreen(t *testing.T, lang string, w, h int, above []string) string {
	t.Helper()
	in, keys := io.Pipe()
	scr := newScreen()
	_, _ = io.WriteString(scr, strings.Join(above, "\r\n")+"\r\n")
	done := make(chan error, 1)
	go func() {
		_, err := PickAccount(context.Background(), Options{In: in, Out: scr, Lang: lang, NoColor: true, Width: w, Height: h}, demoMenu(lang, len(above)))
		done <- err
	}()
	last := above[len(above)-1]
	got := scr.waitFor(t, w, h, "the menu", func(s string) bool {
		i := strings.Index(s, last)
		return i >= 0 && strings.Contains(s[i:], "\n> ")
	})
	for _, l := range above {
		if !strings.Contains(got, l) {
			t.Errorf("%q is out of sight:\n%s", l, got)
		}
	}
	_, _ = keys.Write([]byte{0x1b})
	if err := recv(t, done, "the menu's end"); !errors.Is(err, ErrBack) {
		t.Fatalf("esc: %v", err)
	}
	return got
}

// TestStoppedScreens holds the form as esc leaves it while a sign-in
// runs: the requests are stopped and the form is back, which the note
// says (not that the wizard ended).
// Refresh with: go test ./internal/ui -run TestStoppedScreens -update
func TestStoppedScreens(t *testing.T) {
	for _, size := range sizes {
		w, h := size[0], size[1]
		for _, lang := range []string{"en", "pl"} {
			name := fmt.Sprintf("stopped_%s_%dx%d", lang, w, h)
			t.Run(name, func(t *testing.T) {
				s := startSession(t, sessionOpts{outcomes: []flowtest.Outcome{{Block: true}}, width: w, height: h, lang: lang})
				c := frontend.ChromeFor(lang)
				s.wait(c.HintQuit)
				s.typeText("user@example.com")
				s.key("tab")
				s.typeText("hunter2")
				s.key("enter")
				recv(t, s.prov.Started, "validator start")
				s.key("esc")
				note := strings.Fields(c.StoppedNote)
				golden.RequireEqual(goldenName{t, name}, s.wait(strings.Join(note[:2], " ")))
			})
		}
	}
}
