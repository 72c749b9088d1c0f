package frontend

// Chrome is the front ends' own wording (not a provider's): key help,
// progress framing, the final lines. Kept in Go rather than JSON so start-up
// parses nothing.
type Chrome struct {
	Step           string // "Step %d of %d: %s"
	Working        string // shown before the first progress report
	PickProvider   string
	PickEntry      string
	HelpForm       string
	HelpValidating string
	HelpPick       string
	HelpConfirm    string
	Cancelling     string
	CancelledNote  string
	Cancelled      string
	Created        string // "Account added: %s"
	UniqueID       string // "Unique id: %s"
	ReloadWarning  string // "Warning: ...: %s"
	Choose         string // "Choose [1-%d]: "
	YesNo          string // "[y/N]"
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
		HelpForm:       "tab next field • enter submit • esc cancel • ctrl+c quit",
		HelpValidating: "esc back • ctrl+c quit",
		HelpPick:       "↑/↓ move • enter select • esc cancel • ctrl+c quit",
		HelpConfirm:    "y yes • n no • esc cancel • ctrl+c quit",
		Cancelling:     "Cancelling",
		CancelledNote:  "Sign-in cancelled; nothing was saved.",
		Cancelled:      "Cancelled.",
		Created:        "Account added: %s",
		UniqueID:       "Unique id: %s",
		ReloadWarning:  "Warning: the new sign-in could not be verified: %s",
		Choose:         "Choose [1-%d]: ",
		YesNo:          "[y/N]",
		Yes:            []string{"y", "yes"},
		No:             []string{"n", "no"},
	},
	"pl": {
		Step:           "Krok %d z %d: %s",
		Working:        "Trwa sprawdzanie",
		PickProvider:   "Wybierz usługę",
		PickEntry:      "Wybierz konto",
		HelpForm:       "tab następne pole • enter wyślij • esc anuluj • ctrl+c zakończ",
		HelpValidating: "esc wróć • ctrl+c zakończ",
		HelpPick:       "↑/↓ wybór • enter zatwierdź • esc anuluj • ctrl+c zakończ",
		HelpConfirm:    "t tak • n nie • esc anuluj • ctrl+c zakończ",
		Cancelling:     "Anulowanie",
		CancelledNote:  "Logowanie anulowane; nic nie zapisano.",
		Cancelled:      "Anulowano.",
		Created:        "Dodano konto: %s",
		UniqueID:       "Unikalny identyfikator: %s",
		ReloadWarning:  "Uwaga: nie udało się sprawdzić nowego logowania: %s",
		Choose:         "Wybierz [1-%d]: ",
		YesNo:          "[t/N]",
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
