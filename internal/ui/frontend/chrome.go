package frontend

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Chrome is the front ends' own wording (not a provider's): key help,
// progress framing, the final lines. Kept in Go rather than JSON so start-up
// parses nothing. Sentences never inflect a person's or an account's name
// (Polish would need its case): a name stands alone after a colon.
type Chrome struct {
	Step    string // "Step %d of %d: %s"
	Working string // shown before the first progress report
	// PickProvider and PickEntry title the pickers; ReauthQuestion is the
	// entry picker's question when an account signs in again.
	PickProvider   string
	PickEntry      string
	ReauthQuestion string
	// Key hints, joined with " • " into the help line of each screen.
	HintNext, HintPrev, HintSubmit, HintBack, HintCancel, HintQuit string
	HintMove, HintSelect                                           string
	HintDone                                                       string // esc on a menu (Pick.Menu)
	Cancelling                                                     string
	CancelledNote                                                  string // the wizard ended cancelled
	StoppedNote                                                    string // esc stopped a sign-in; the form is back
	Cancelled                                                      string
	Created                                                        string // "Added your %s account: %s" (service, account), as the scripted result says it
	ReauthDone                                                     string // "Signed in to %s again: %s" (service, account)
	Expired                                                        string // the note beside an expired account in the picker
	ReloadWarning                                                  string // "Warning: ...: %s"
	Choose                                                         string // "Choose [1-%d]: "
	ChooseHelp                                                     string // what a picker accepts, after an answer it did not
	YesNo                                                          string // "[y/N]"
	// TraceHint follows an error a bug report needs a trace for (see
	// Text.Error).
	TraceHint string
	// Yes and No are the accepted answers; [1] is the word echoed back.
	Yes []string
	No  []string
}

var chromes = map[string]Chrome{
	"en": {
		Step:           "Step %d of %d: %s",
		Working:        "Working",
		PickProvider:   "Choose a service",
		PickEntry:      "Choose an account",
		ReauthQuestion: "Which account do you want to sign in again?",
		HintNext:       "tab/↓ next",
		HintPrev:       "shift+tab/↑ previous",
		HintSubmit:     "enter submit",
		HintBack:       "esc back",
		HintCancel:     "esc cancel",
		HintQuit:       "ctrl+c quit",
		HintMove:       "↑/↓ move",
		HintSelect:     "enter select",
		HintDone:       "esc done",
		Cancelling:     "Cancelling",
		CancelledNote:  "Sign-in cancelled; nothing was saved.",
		StoppedNote:    "Sign-in stopped; nothing was saved. Change the form or send it again.",
		Cancelled:      "Cancelled.",
		Created:        "Added your %s account: %s",
		ReauthDone:     "Signed in to %s again: %s",
		Expired:        "sign-in expired",
		ReloadWarning:  "Warning: the new sign-in could not be verified: %s",
		Choose:         "Choose [1-%d]: ",
		ChooseHelp:     "Type a number from 1 to %d, or a name as listed.",
		YesNo:          "[y/N]",
		TraceHint:      "Run again with --debug FILE and attach the file to a bug report.",
		Yes:            []string{"y", "yes"},
		No:             []string{"n", "no"},
	},
	"pl": {
		Step:           "Krok %d z %d: %s",
		Working:        "Trwa sprawdzanie",
		PickProvider:   "Wybierz usługę",
		PickEntry:      "Wybierz konto",
		ReauthQuestion: "Które konto zalogować ponownie?",
		HintNext:       "tab/↓ dalej",
		HintPrev:       "shift+tab/↑ poprzednie",
		HintSubmit:     "enter wyślij",
		HintBack:       "esc wróć",
		HintCancel:     "esc anuluj",
		HintQuit:       "ctrl+c wyjdź",
		HintMove:       "↑/↓ wybór",
		HintSelect:     "enter zatwierdź",
		HintDone:       "esc zakończ",
		Cancelling:     "Anulowanie",
		CancelledNote:  "Logowanie anulowane; nic nie zapisano.",
		StoppedNote:    "Logowanie zatrzymane; nic nie zapisano. Popraw formularz lub wyślij go ponownie.",
		Cancelled:      "Anulowano.",
		Created:        "Dodano konto usługi %s: %s",
		ReauthDone:     "Ponownie zalogowano do usługi %s. Konto: %s",
		Expired:        "logowanie wygasło",
		ReloadWarning:  "Uwaga: nie udało się sprawdzić nowego logowania: %s",
		Choose:         "Wybierz [1-%d]: ",
		ChooseHelp:     "Wpisz liczbę od 1 do %d albo nazwę z listy.",
		YesNo:          "[t/N]",
		TraceHint:      "Uruchom ponownie z --debug PLIK i dołącz ten plik do zgłoszenia błędu.",
		Yes:            []string{"t", "tak", "y", "yes"},
		No:             []string{"n", "nie", "no"},
	},
}

// ChromeFor returns the wording for lang, English when there is none.
func ChromeFor(lang string) Chrome {
	if c, ok := chromes[lang]; ok {
		return c
	}
	return chromes["en"]
}

// HintSep separates key hints on a help line.
const HintSep = " • "

// Hints joins key hints into one help line.
func Hints(hints ...string) string { return strings.Join(hints, HintSep) }

// HelpForm is the form's help line; back says whether esc goes back to a
// previous step (else it cancels the wizard).
func (c Chrome) HelpForm(back bool) string {
	esc := c.HintCancel
	if back {
		esc = c.HintBack
	}
	return Hints(c.HintNext, c.HintPrev, c.HintSubmit, esc, c.HintQuit)
}

// HelpValidating is the help line while a validator runs: esc stops it
// and goes back to the form.
func (c Chrome) HelpValidating() string { return Hints(c.HintBack, c.HintQuit) }

// HelpPick is a picker's help line; back as in HelpForm.
func (c Chrome) HelpPick(back bool) string {
	esc := c.HintCancel
	if back {
		esc = c.HintBack
	}
	return Hints(c.HintMove, c.HintSelect, esc, c.HintQuit)
}

// HelpMenu is a menu's help line (Pick.Menu): esc ends the menu.
func (c Chrome) HelpMenu() string {
	return Hints(c.HintMove, c.HintSelect, c.HintDone, c.HintQuit)
}

// Clean makes text from a server or a store safe to print: control and
// format characters (escape sequences, BEL, bidi overrides, line breaks)
// become U+FFFD, so they can neither drive the terminal nor hide text.
func Clean(s string) string {
	if utf8.ValidString(s) && strings.IndexFunc(s, unsafeRune) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if unsafeRune(r) {
			return '\uFFFD'
		}
		return r
	}, s)
}

func unsafeRune(r rune) bool {
	return unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || unicode.Is(unicode.Cf, r)
}
