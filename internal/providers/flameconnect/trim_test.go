package flameconnect

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/setupwizard/setupwizard/internal/flow"
	"github.com/setupwizard/setupwizard/internal/providers/flameconnect/emulator"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

// trimSpacesInPassword is read from every shape SETTINGS takes: JSON, a
// script object with bare keys and a function inside, a quoted value.
// Only an explicit false turns trimming off.
func TestTrimSpacesInPasswordFromPages(t *testing.T) {
	tests := []struct {
		file string
		trim bool
	}{
		{"single_line.html", true},              // "trimSpacesInPassword":true
		{"captured_script_settings.html", true}, // true, in a SETTINGS that is not JSON
		{"../captured/page_large.html", true},   // the captured real page
		{"trim_absent.html", true},              // not said: trim
		{"script_object.html", true},            // not said, a script object
		{"brace_in_function.html", true},        // not said, an object cut short by a brace
		{"trim_false.html", false},              // JSON false
		{"trim_false_script.html", false},       // a bare key, a function in the object
		{"trim_string_false.html", false},       // "False", as some writers quote it
		{"trim_false_after_brace.html", false},  // false after an object cut short by a brace
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			page := readPage(t, tc.file)
			s, err := parseSettings(page)
			if err != nil {
				t.Fatal(err)
			}
			if s.TrimSpaces != tc.trim {
				t.Fatalf("TrimSpaces = %v, want %v", s.TrimSpaces, tc.trim)
			}
		})
	}
}

func TestTrimFlag(t *testing.T) {
	tests := []struct {
		raw  string
		want bool
	}{
		{"", true}, {"true", true}, {"false", false}, {`"false"`, false}, {`"False"`, false},
		{" false ", false}, {"null", true}, {"0", true}, {`"yes"`, true}, {"FALSE", false},
	}
	for _, tc := range tests {
		if got := trimFlag([]byte(tc.raw)); got != tc.want {
			t.Errorf("trimFlag(%q) = %v, want %v", tc.raw, got, tc.want)
		}
	}
}

// jsTrim removes what JavaScript's trim removes, no more: U+0085 (NEL) is
// not JavaScript white space, U+FEFF is.
func TestJSTrim(t *testing.T) {
	tests := []struct{ in, want string }{
		{"pw ", "pw"},
		{"  pw\t\n", "pw"},
		{"\u00a0pw\u3000", "pw"},
		{"\ufeffpw\u2028", "pw"},
		{"p w", "p w"},
		{"\u0085pw\u0085", "\u0085pw\u0085"},
		{"\u200bpw", "\u200bpw"}, // zero-width space is not white space
		{"   ", ""},
		{"", ""},
	}
	for _, tc := range tests {
		if got := jsTrim(tc.in); got != tc.want {
			t.Errorf("jsTrim(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// postedForm is the SelfAsserted form the emulator received.
func postedForm(t *testing.T, e *emulator.Emulator) url.Values {
	t.Helper()
	post := findRequest(t, e.Log(), "POST", "/SelfAsserted")
	form, err := url.ParseQuery(post.Body)
	if err != nil {
		t.Fatal(err)
	}
	return form
}

// trimSpacesInPassword through real TLS and the flow: the service (the
// emulator) compares the password exactly as it receives it, so a password
// typed with spaces around it signs in only if it is trimmed when the
// page says so (or says nothing), and only if it is not when the page says
// false. A sign-in that works is then proved by the status check; one that
// does not ends with invalid_auth and stores nothing.
func TestTrimSpacesInPasswordSignsIn(t *testing.T) {
	const spaced = " pass with spaces\u00a0"
	tests := []struct {
		name     string
		v        emulator.Variant
		account  string // password of the account (DemoPassword when "")
		typed    string
		posted   string // the password the service must receive
		signedIn bool
	}{
		{"page says true, trailing space", emulator.Variant{}, "", emulator.DemoPassword + " ", emulator.DemoPassword, true},
		{"page says true, spaces both sides", emulator.Variant{}, "", "  " + emulator.DemoPassword + "\u3000", emulator.DemoPassword, true},
		{"page says nothing, trailing space", emulator.Variant{Trim: emulator.TrimUnsaid}, "", emulator.DemoPassword + " ", emulator.DemoPassword, true},
		{"page says true in a script object", emulator.Variant{Settings: emulator.SettingsScript}, "", emulator.DemoPassword + " ", emulator.DemoPassword, true},
		{"captured page says nothing", emulator.Variant{Captured: true, Trim: emulator.TrimUnsaid}, "", " " + emulator.DemoPassword, emulator.DemoPassword, true},
		{"page says false, password with spaces", emulator.Variant{Trim: emulator.TrimFalse}, spaced, spaced, spaced, true},
		{"page says false in a script object", emulator.Variant{Settings: emulator.SettingsScript, Trim: emulator.TrimFalse}, spaced, spaced, spaced, true},
		{"captured page says false", emulator.Variant{Captured: true, Trim: emulator.TrimFalse}, spaced, spaced, spaced, true},
		{"page says false, a stray trailing space", emulator.Variant{Trim: emulator.TrimFalse}, "", emulator.DemoPassword + " ", emulator.DemoPassword + " ", false},
		{"page says true, password really has spaces", emulator.Variant{}, spaced, spaced, strings.TrimSpace(spaced), false},
		{"page says true, no spaces", emulator.Variant{}, "", emulator.DemoPassword, emulator.DemoPassword, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e, ca := startEmulator(t)
			e.SetVariant(tc.v)
			if tc.account != "" {
				e.AddAccount(emulator.DemoEmail, tc.account)
			}
			p := providerFor(e, ca)
			st, kr := memStore(t)
			in := provider.Input{FieldEmail: emulator.DemoEmail, FieldPassword: tc.typed}
			res, err := flow.NewUser(p, st).Submit(context.Background(), in, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := postedForm(t, e).Get("password"); got != tc.posted {
				t.Errorf("posted password %q, want %q", got, tc.posted)
			}
			if !tc.signedIn {
				if res.Type != flow.ResultForm || res.Errors[flow.Base] != provider.KeyInvalidAuth {
					t.Fatalf("result %s %v (%v), want invalid_auth", res.Type, res.Errors, res.Cause)
				}
				if entries, _ := st.Entries(context.Background()); len(entries) != 0 || kr.Len() != 0 {
					t.Fatalf("a failed sign-in stored %d entries, %d keyring items", len(entries), kr.Len())
				}
				return
			}
			if res.Type != flow.ResultCreateEntry {
				t.Fatalf("result %s %v (%v), want a new entry", res.Type, res.Errors, res.Cause)
			}
			chk, err := flow.CheckEntry(context.Background(), p, st, res.Entry.ID)
			if err != nil || chk.State != flow.CheckValid {
				t.Fatalf("status after sign-in: %v, %v", chk.State, err)
			}
		})
	}
}

// The e-mail is trimmed as the page trims it, and the unique id, title and
// login all come from the string that was posted.
func TestTrimmedEmailIsTheIdentity(t *testing.T) {
	e, ca := startEmulator(t)
	p := providerFor(e, ca)
	typed := " \u00a0Demo@Example.COM\u3000 "
	acct, err := p.Validate(context.Background(), provider.Input{FieldEmail: typed, FieldPassword: emulator.DemoPassword}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := postedForm(t, e).Get("email"); got != "Demo@Example.COM" {
		t.Errorf("posted e-mail %q", got)
	}
	if acct.UniqueID != "demo-example-com" || acct.Title != "Demo@Example.COM" || acct.Login != "Demo@Example.COM" {
		t.Errorf("account %q / %q / %q", acct.UniqueID, acct.Title, acct.Login)
	}
	// Through the flow, an e-mail typed with spaces is the same entry.
	st, _ := memStore(t)
	res, err := flow.NewUser(p, st).Submit(context.Background(), provider.Input{FieldEmail: "demo@example.com", FieldPassword: emulator.DemoPassword}, nil)
	if err != nil || res.Type != flow.ResultCreateEntry {
		t.Fatalf("first sign-in: %v %v", res.Type, err)
	}
	res, err = flow.NewUser(p, st).Submit(context.Background(), provider.Input{FieldEmail: "  demo@example.com ", FieldPassword: emulator.DemoPassword + " "}, nil)
	if err != nil || res.Type != flow.ResultAbort || res.Reason != flow.AbortAlreadyConfigured {
		t.Fatalf("second sign-in: %v %q %v (%v)", res.Type, res.Reason, err, res.Cause)
	}
}

// A password made only of spaces is never posted when the page trims: the
// page would refuse it as empty.
func TestOnlySpacesPasswordIsNotPosted(t *testing.T) {
	e, ca := startEmulator(t)
	_, err := providerFor(e, ca).Validate(context.Background(), provider.Input{FieldEmail: emulator.DemoEmail, FieldPassword: "   "}, nil)
	wantKey(t, err, provider.KeyInvalidAuth)
	for _, r := range e.Log() {
		if strings.HasSuffix(r.Path, "/SelfAsserted") {
			t.Fatal("a blank password was posted")
		}
	}
}
