package cli

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// TestTableFits: a table never has a line wider than the terminal, never
// cuts the unique id or the issues, and on a pipe keeps whole rows.
func TestTableFits(t *testing.T) {
	tab := table{
		head:   []string{"SERVICE", "ACCOUNT", "UNIQUE ID", "ISSUES"},
		rows:   [][]string{{"Flame Connect", "demo@example.com", "demo-example-com", "auth_expired"}, {"Librus Synergia", "Anna Kowalska", "1234567u", "-"}},
		shrink: []int{1, 0},
	}
	tests := []struct {
		width     int
		want      []string // whole lines expected
		wantCut   bool     // some text carries an ellipsis
		wantBlock bool
	}{
		{width: 0, want: []string{"Flame Connect    demo@example.com  demo-example-com  auth_expired"}},
		{width: 80, want: []string{"Flame Connect    demo@example.com  demo-example-com  auth_expired"}},
		{width: 60, wantCut: true},
		{width: 40, wantBlock: true, want: []string{"UNIQUE ID: demo-example-com", "ISSUES:    auth_expired", "ACCOUNT:   Anna Kowalska"}},
		{width: 20, wantBlock: true, want: []string{"  demo-example-com"}},
	}
	for _, tt := range tests {
		var b strings.Builder
		if err := tab.write(&b, tt.width); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		for _, l := range lines {
			if tt.width > 0 && ansi.StringWidth(l) > tt.width {
				t.Errorf("width %d: line %q is wider", tt.width, l)
			}
		}
		for _, w := range tt.want {
			if !containsLine(lines, w) {
				t.Errorf("width %d: no line %q in\n%s", tt.width, w, out)
			}
		}
		for _, id := range []string{"demo-example-com", "auth_expired", "1234567u"} {
			if !strings.Contains(out, id) {
				t.Errorf("width %d: %s cut:\n%s", tt.width, id, out)
			}
		}
		if got := strings.Contains(out, "…"); got != tt.wantCut {
			t.Errorf("width %d: ellipsis %v, want %v:\n%s", tt.width, got, tt.wantCut, out)
		}
		if got := strings.Contains(out, "SERVICE:"); got != tt.wantBlock {
			t.Errorf("width %d: blocks %v, want %v:\n%s", tt.width, got, tt.wantBlock, out)
		}
	}
}

func containsLine(lines []string, want string) bool {
	for _, l := range lines {
		if l == want {
			return true
		}
	}
	return false
}

// TestContinued: a command wider than the terminal is broken at spaces
// with the shell's line continuation, a flag kept with its value; one
// with quotes is left whole.
func TestContinued(t *testing.T) {
	tests := []struct {
		cmd   string
		width int
		want  string
	}{
		{"setupwizard --list", 40, "setupwizard --list"},
		{"setupwizard --reauth --provider flameconnect --account demo-example-com", 38,
			"setupwizard --reauth \\\n      --provider flameconnect \\\n      --account demo-example-com"},
		{"setupwizard --reauth --provider flameconnect --account demo-example-com", 0,
			"setupwizard --reauth --provider flameconnect --account demo-example-com"},
		{"echo 'a b c d e f g h i j k l m n o p' | gnome-keyring-daemon --unlock", 20,
			"echo 'a b c d e f g h i j k l m n o p' | gnome-keyring-daemon --unlock"},
	}
	for _, tt := range tests {
		if got := continued(tt.cmd, tt.width); got != tt.want {
			t.Errorf("continued(%q, %d) =\n%s\nwant\n%s", tt.cmd, tt.width, got, tt.want)
		}
		// Pasted, the lines are one command again.
		if got := strings.ReplaceAll(continued(tt.cmd, tt.width), " \\\n      ", " "); got != tt.cmd {
			t.Errorf("continued(%q) does not join back: %q", tt.cmd, got)
		}
	}
}

// TestErrorMessagesWrapAtWords: an error's sentences wrap at words on a
// terminal ("Konto: Anna" / " Kowalska" at 80 columns was the terminal
// cutting), and a command that ends a line gets lines of its own.
func TestErrorMessagesWrapAtWords(t *testing.T) {
	const cmd = "setupwizard --reauth --provider librus --account 1234567u"
	msg := "setupwizard: Logowanie do usługi Librus Synergia wygasło. Konto: Anna Kowalska. Odnów je poleceniem: " + cmd
	for _, c := range []struct {
		width int
		want  string
	}{
		{0, msg + "\n"},
		{80, "setupwizard: Logowanie do usługi Librus Synergia wygasło. Konto: Anna Kowalska.\nOdnów je poleceniem:\n  " + cmd + "\n"},
		{40, "setupwizard: Logowanie do usługi Librus\nSynergia wygasło. Konto: Anna Kowalska.\nOdnów je poleceniem:\n  setupwizard --reauth \\\n      --provider librus \\\n      --account 1234567u\n"},
	} {
		var errOut strings.Builder
		a := &app{io: &IOStreams{ErrOut: &errOut, ErrWidth: c.width}}
		a.sayErrMessage(msg)
		if errOut.String() != c.want {
			t.Errorf("width %d:\n%s\nwant\n%s", c.width, errOut.String(), c.want)
		}
	}
	// A keyring fix (a quoted shell snippet) stays one line, whole.
	fix := `bash -c 'read -rsp "Keyring password: " p; echo; printf %s "$p" | gnome-keyring-daemon --replace --unlock --components=secrets >/dev/null'`
	var errOut strings.Builder
	a := &app{io: &IOStreams{ErrOut: &errOut, ErrWidth: 80}}
	a.sayErrMessage("setupwizard: The keyring is locked.\nFix: " + fix + "\nOr try it without a keyring: setupwizard --demo")
	if want := "setupwizard: The keyring is locked.\nFix:\n  " + fix + "\nOr try it without a keyring: setupwizard --demo\n"; errOut.String() != want {
		t.Errorf("keyring advice:\n%s\nwant\n%s", errOut.String(), want)
	}
}
