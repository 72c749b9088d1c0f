package librus

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/setupwizard/setupwizard/internal/flow"
	"github.com/setupwizard/setupwizard/internal/i18n"
	"github.com/setupwizard/setupwizard/internal/providers/librus/emulator"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
	"github.com/setupwizard/setupwizard/internal/store"
)

// TestDriftSignsIn: the 2026 behaviours that must still sign in, through
// real TLS against the emulator: required actions at any authorization
// hop (skipped at that hop's own URL) and a login POST answered with a
// redirect. Check, which --status runs, then finds the session valid.
func TestDriftSignsIn(t *testing.T) {
	tests := []struct {
		name  string
		shape emulator.Shape
		// skips are the hops the skip must be posted to, in order.
		skips []string
	}{
		{name: "leakedPasswordChangeAdvised at PerformLogin, skip answered with goTo",
			shape: emulator.Shape{RequiredActions: emulator.RequiredActionsSkipJSON, RequiredActionsAt: []string{"PerformLogin"}},
			skips: []string{"PerformLogin"}},
		{name: "leakedPasswordChangeAdvised at Grant, skip answered with goTo",
			shape: emulator.Shape{RequiredActions: emulator.RequiredActionsSkipJSON, RequiredActionsAt: []string{"Grant"}},
			skips: []string{"Grant"}},
		{name: "at Grant, skip answered with a redirect",
			shape: emulator.Shape{RequiredActions: emulator.RequiredActionsSkipRedirect, RequiredActionsAt: []string{"Grant"}},
			skips: []string{"Grant"}},
		{name: "at PerformLogin, skip answered 200 with no next step (GET Grant)",
			shape: emulator.Shape{RequiredActions: emulator.RequiredActionsSkipEmpty, RequiredActionsAt: []string{"PerformLogin"}},
			skips: []string{"PerformLogin"}},
		{name: "at 2FA and again at PerformLogin",
			shape: emulator.Shape{RequiredActions: emulator.RequiredActionsSkipJSON, RequiredActionsAt: []string{"2FA", "PerformLogin"}},
			skips: []string{"2FA", "PerformLogin"}},
		{name: "leakedPasswordChangeAdvised as the login POST's answer, skip answered with goTo",
			shape: emulator.Shape{RequiredActions: emulator.RequiredActionsSkipJSON, RequiredActionsAt: []string{"Authorization"}},
			skips: []string{"Authorization"}},
		{name: "leakedPasswordChangeAdvised as the login POST's answer, skip answered 200 with no next step (GET Grant)",
			shape: emulator.Shape{RequiredActions: emulator.RequiredActionsSkipEmpty, RequiredActionsAt: []string{"Authorization"}},
			skips: []string{"Authorization"}},
		{name: "as the login POST's answer and again at Grant",
			shape: emulator.Shape{RequiredActions: emulator.RequiredActionsSkipRedirect, RequiredActionsAt: []string{"Authorization", "Grant"}},
			skips: []string{"Authorization", "Grant"}},
		{name: "login answered with a redirect to 2FA",
			shape: emulator.Shape{LoginRedirect: "/OAuth/Authorization/2FA?client_id=46"}},
		{name: "login redirect behind a path prefix",
			shape: emulator.Shape{PathPrefix: "/librus", LoginRedirect: "/OAuth/Authorization/2FA?client_id=46"}},
		{name: "login redirect, then required actions at Grant",
			shape: emulator.Shape{LoginRedirect: "/OAuth/Authorization/2FA?client_id=46",
				RequiredActions: emulator.RequiredActionsSkipJSON, RequiredActionsAt: []string{"Grant"}},
			skips: []string{"Grant"}},
	}
	r := newRig(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r.reshape(tc.shape)
			defer r.reshape(emulator.Shape{})
			r.em.ResetRequests()
			acc, err := r.validate(t, demoInput())
			if err != nil {
				t.Fatalf("Validate: %v", err)
			}
			if acc.Identity != "5550001" || acc.Title != "Anna Kowalska" {
				t.Errorf("identity %q title %q", acc.Identity, acc.Title)
			}
			var skips []string
			for _, q := range r.em.Log() {
				if q.Method == http.MethodPost && strings.Contains(q.Body, "action=requiredActions") {
					if !strings.Contains(q.Body, "skip=true") {
						t.Errorf("skip posted as %q", q.Body)
					}
					skips = append(skips, q.Path[strings.LastIndex(q.Path, "/")+1:])
				}
			}
			if strings.Join(skips, ",") != strings.Join(tc.skips, ",") {
				t.Errorf("skips posted to %v, want %v", skips, tc.skips)
			}
			if _, err := r.p.Check(context.Background(), acc.Cache); err != nil {
				t.Fatalf("Check (--status) after the sign-in: %v", err)
			}
		})
	}
}

// TestDriftErrors: the 2026 behaviours that end a sign-in with words the
// person can act on, in English and Polish, and leave no entry and no
// keyring item behind (run through the flow engine with a real store).
func TestDriftErrors(t *testing.T) {
	tests := []struct {
		name  string
		shape emulator.Shape
		login string
		quirk emulator.Quirk
		pass  string
		key   string
		// cause is a part of the error's cause (the debug trace's words).
		cause string
		// en and pl are words the message must hold.
		en, pl []string
	}{
		{name: "account linked to Konto LIBRUS", login: "8880001u", quirk: emulator.QuirkLinked,
			key: KeyAccountLinked, cause: "Request is denied",
			en: []string{"accepted the password", "Konto LIBRUS"}, pl: []string{"przyjął hasło", "Kontem LIBRUS"}},
		{name: "the demo's linked account", login: emulator.DemoLinkedLogin,
			key: KeyAccountLinked, cause: "Request is denied",
			en: []string{"linked to Konto LIBRUS"}, pl: []string{"połączone z Kontem LIBRUS"}},
		{name: "twoFactorRequired", login: "8880002u", quirk: emulator.QuirkTwoFactorRequired,
			key: KeyAccountActionRequired, cause: "twoFactorRequired",
			en: []string{"browser"}, pl: []string{"przeglądarce"}},
		{name: "requiresAction", login: "8880003u", quirk: emulator.QuirkRequiresAction,
			key: KeyAccountActionRequired, cause: "requiresAction",
			en: []string{"browser"}, pl: []string{"przeglądarce"}},
		{name: "captchaRequired", login: "8880004u", quirk: emulator.QuirkCaptchaRequired,
			key: KeyCaptchaNeeded, cause: "captchaRequired",
			en: []string{"CAPTCHA"}, pl: []string{"CAPTCHA"}},
		{name: "wrong password: the text says a CAPTCHA may hide behind it", login: "8880005u", pass: "wrong",
			key: provider.KeyInvalidAuth, cause: "Nieprawidłowy",
			en: []string{"Invalid login or password", "CAPTCHA"}, pl: []string{"Nieprawidłowy login lub hasło", "CAPTCHA"}},
		{name: "required action that cannot be skipped, at PerformLogin", login: "8880006u",
			shape: emulator.Shape{RequiredActions: emulator.RequiredActionsUnskippable, RequiredActionsAt: []string{"PerformLogin"}},
			key:   KeyAccountActionRequired, cause: "refused",
			en: []string{"browser"}, pl: []string{"przeglądarce"}},
		{name: "required action back at the hop just skipped, at Grant", login: "8880008u",
			shape: emulator.Shape{RequiredActions: emulator.RequiredActionsComesBack, RequiredActionsAt: []string{"Grant"}},
			key:   KeyAccountActionRequired, cause: "came back after the skip",
			en: []string{"browser"}, pl: []string{"przeglądarce"}},
		{name: "login redirect off the authorization pages stays a changed service", login: "8880007u",
			shape: emulator.Shape{LoginRedirect: "/OAuth/Other?client_id=46"},
			key:   provider.KeyServiceChanged, cause: "unexpected redirect",
			en: []string{"--debug"}, pl: []string{"--debug"}},
	}
	r := newRig(t)
	cat, err := i18n.Load(r.p.Translations(), ".")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r.reshape(tc.shape)
			defer r.reshape(emulator.Shape{})
			if tc.login != emulator.DemoLinkedLogin {
				r.em.AddAccount(tc.login, "pw-"+tc.login)
				r.em.SetQuirk(tc.login, tc.quirk)
			}
			pass := "pw-" + tc.login
			if tc.login == emulator.DemoLinkedLogin {
				pass = emulator.DemoPassword
			}
			if tc.pass != "" {
				pass = tc.pass
			}
			keyring := store.NewMemoryKeyring()
			st, err := store.Open(t.TempDir(), store.WithKeyring(keyring))
			if err != nil {
				t.Fatal(err)
			}
			res, err := flow.NewUser(r.p, st).Submit(context.Background(), provider.Input{FieldUsername: tc.login, FieldPassword: pass}, nil)
			if err != nil {
				t.Fatalf("Submit: %v", err)
			}
			if res.Type != flow.ResultForm || res.Errors[flow.Base] != tc.key {
				t.Fatalf("result %s errors %v (cause %v), want the form with %s", res.Type, res.Errors, res.Cause, tc.key)
			}
			if res.Cause == nil || !strings.Contains(res.Cause.Error(), tc.cause) {
				t.Errorf("cause %v, want it to mention %q", res.Cause, tc.cause)
			}
			if strings.Contains(res.Cause.Error(), pass) {
				t.Errorf("the cause holds the password: %v", res.Cause)
			}
			if es, err := st.Entries(context.Background()); err != nil || len(es) != 0 || keyring.Len() != 0 {
				t.Fatalf("left behind: entries %v (%v), %d keyring items", es, err, keyring.Len())
			}
			for lang, words := range map[string][]string{"en": tc.en, "pl": tc.pl} {
				text, ok := cat.Raw(lang, "config.error."+tc.key)
				if !ok {
					t.Fatalf("%s: no text for %s", lang, tc.key)
				}
				for _, w := range words {
					if !strings.Contains(text, w) {
						t.Errorf("%s %s = %q: want %q in it", lang, tc.key, text, w)
					}
				}
			}
		})
	}
}

// TestLinkedStoredSessionIsExpired: the gateway's "Request is denied"
// without a Code on a stored session (--status, --token) is expiry
// (auth_expired), as any 401 on a check: account_linked is only the
// sign-in's word.
func TestLinkedStoredSessionIsExpired(t *testing.T) {
	r := newRig(t)
	acc, err := r.validate(t, demoInput())
	if err != nil {
		t.Fatal(err)
	}
	r.em.SetQuirk(emulator.DemoLogin, emulator.QuirkLinked)
	defer r.em.SetQuirk(emulator.DemoLogin, emulator.QuirkNone)
	if _, err := r.p.Check(context.Background(), acc.Cache); !isExpired(err) {
		t.Fatalf("Check: %v, want auth expired", err)
	}
	if _, _, err := r.p.Token(context.Background(), acc.Cache, 0); !isExpired(err) {
		t.Fatalf("Token: %v, want auth expired", err)
	}
}

func isExpired(err error) bool {
	return err != nil && errKey(err) == "" && strings.Contains(err.Error(), provider.ErrAuthExpired.Error())
}

// TestLoginLooksLikeTheBrowser: the login POST carries an x-baner header
// shaped as the page's script computes it, and nothing else does.
func TestLoginLooksLikeTheBrowser(t *testing.T) {
	r := newRig(t)
	if _, err := r.validate(t, demoInput()); err != nil {
		t.Fatal(err)
	}
	shape := regexp.MustCompile(`^(D(B[D-M]+)?|[D-M](B[D-M]+)?yA[D-M]+)_[D-M]{13}$`)
	posts := 0
	for _, q := range r.em.Log() {
		h := q.Header.Get("X-Baner")
		isLogin := q.Method == http.MethodPost && strings.Contains(q.Body, "action=login")
		if isLogin {
			posts++
			if !shape.MatchString(h) {
				t.Errorf("login POST x-baner = %q", h)
			}
		} else if h != "" {
			t.Errorf("%s %s carries x-baner %q", q.Method, q.Path, h)
		}
	}
	if posts != 1 {
		t.Fatalf("%d login POSTs", posts)
	}
}

// TestReauthReusesDeviceCookie: a reauth's fresh session starts with the
// DeviceCookie the previous sign-in stored (Path /OAuth on the API host),
// as a browser keeps it, through the flow engine with a real store; the
// authorize page then sets no new one, and nothing else of the old session
// is sent. An add starts without one.
func TestReauthReusesDeviceCookie(t *testing.T) {
	r := newRig(t)
	st, res := r.addDemo(t)
	ctx := context.Background()
	if got := deviceCookieSent(t, r.em.Log()); got != "" {
		t.Fatalf("an add sent a DeviceCookie %q", got)
	}
	cache, _, err := st.LoadCache(ctx, res.Entry.ID)
	if err != nil {
		t.Fatal(err)
	}
	device := cookieValueOf(t, cache, deviceCookieName)
	oldSID := cookieValueOf(t, cache, "DZIENNIKSID")
	if device == "" {
		t.Fatal("the sign-in stored no DeviceCookie")
	}

	r.em.ResetRequests()
	again, err := flow.NewReauth(r.p, st, res.Entry).Submit(ctx, demoInput(), nil)
	if err != nil || again.Reason != flow.AbortReauthSuccessful {
		t.Fatalf("reauth: %v %s %q %v", err, again.Type, again.Reason, again.Cause)
	}
	if got := deviceCookieSent(t, r.em.Log()); got != device {
		t.Fatalf("reauth sent DeviceCookie %q to the authorize page, want the stored %q", got, device)
	}
	for _, q := range r.em.Log() {
		if strings.Contains(strings.Join(q.Header.Values("Cookie"), ";"), oldSID) {
			t.Fatalf("the old session's DZIENNIKSID was sent to %s", q.Path)
		}
		if q.Path == "/OAuth/Authorization" && q.Method == http.MethodGet && strings.Contains(strings.Join(q.SetCookie, ";"), deviceCookieName+"=") {
			t.Fatalf("the authorize page set a new DeviceCookie although one was sent")
		}
	}
	after, _, err := st.LoadCache(ctx, res.Entry.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := cookieValueOf(t, after, deviceCookieName); got != device {
		t.Fatalf("the renewed cache holds DeviceCookie %q, want %q kept", got, device)
	}
}

// deviceCookieSent is the DeviceCookie value the authorize page GET
// carried ("" when none).
func deviceCookieSent(t *testing.T, log []emulator.Request) string {
	t.Helper()
	for _, q := range log {
		if q.Method != http.MethodGet || q.Path != "/OAuth/Authorization" {
			continue
		}
		req := http.Request{Header: http.Header{"Cookie": q.Header.Values("Cookie")}, URL: &url.URL{}}
		if c, err := req.Cookie(deviceCookieName); err == nil {
			return c.Value
		}
		return ""
	}
	t.Fatal("no authorize page GET in the log")
	return ""
}
