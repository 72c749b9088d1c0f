package librus

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/setupwizard/setupwizard/internal/i18n"
	"github.com/setupwizard/setupwizard/internal/providers/librus/emulator"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

// TestGrantVariants signs in through real TLS against the emulator's
// readings of how the grant behaves in 2026: each must sign in, Check must
// then find the session valid, and Token's cookie header must be accepted
// by the emulator's API.
func TestGrantVariants(t *testing.T) {
	tests := []struct {
		name     string
		shape    emulator.Shape
		title    string
		skips    int // required-actions posts expected
		performs int // PerformLogin requests expected
		landing  string
	}{
		{name: "gateway usable only after the parent landing page", shape: emulator.Shape{GatewayAfterLanding: true},
			title: "Anna Kowalska", performs: 1, landing: "/rodzic/index"},
		{name: "chain ending on /uczen/index", shape: emulator.Shape{Landing: "/uczen/index", GatewayAfterLanding: true},
			title: "Anna Kowalska", performs: 1, landing: "/uczen/index"},
		{name: "required actions, skip answered with goTo", shape: emulator.Shape{RequiredActions: emulator.RequiredActionsSkipJSON},
			title: "Anna Kowalska", skips: 1, performs: 0, landing: "/rodzic/index"},
		{name: "required actions, skip answered with a redirect", shape: emulator.Shape{RequiredActions: emulator.RequiredActionsSkipRedirect},
			title: "Anna Kowalska", skips: 1, performs: 0, landing: "/rodzic/index"},
		{name: "required actions, skip answered 200 with no next step", shape: emulator.Shape{RequiredActions: emulator.RequiredActionsSkipEmpty},
			title: "Anna Kowalska", skips: 1, performs: 0, landing: "/rodzic/index"},
		{name: "PerformLogin requested twice", shape: emulator.Shape{PerformLoginTwice: true},
			title: "Anna Kowalska", performs: 2, landing: "/rodzic/index"},
		{name: "UserInfo without names", shape: emulator.Shape{UserInfoBody: `{"UserIdentifier":"5550001","Login":"1234567u","UserType":"Parent"}`},
			title: emulator.DemoLogin, performs: 1, landing: "/rodzic/index"},
		{name: "all at once", shape: emulator.Shape{Landing: "/uczen/index", GatewayAfterLanding: true, PerformLoginTwice: true, RequiredActions: emulator.RequiredActionsSkipJSON},
			title: "Anna Kowalska", skips: 1, performs: 0, landing: "/uczen/index"},
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
			if acc.Title != tc.title || acc.Identity != "5550001" {
				t.Errorf("title %q identity %q, want %q 5550001", acc.Title, acc.Identity, tc.title)
			}
			var skips, performs, landed int
			for _, q := range r.em.Log() {
				switch {
				case q.Method == "POST" && strings.HasSuffix(q.Path, "/2FA"):
					skips++
					if !strings.Contains(q.Body, "action=requiredActions") || !strings.Contains(q.Body, "skip=true") {
						t.Errorf("skip posted as %q", q.Body)
					}
				case strings.HasSuffix(q.Path, "/PerformLogin"):
					performs++
				case q.Path == tc.landing:
					landed++
				}
			}
			if skips != tc.skips || performs != tc.performs || landed != 1 {
				t.Errorf("%d skips, %d PerformLogin, %d landings; want %d, %d, 1", skips, performs, landed, tc.skips, tc.performs)
			}
			if _, err := r.p.Check(context.Background(), acc.Cache); err != nil {
				t.Fatalf("Check after sign-in: %v", err)
			}
			cred, updated, err := r.p.Token(context.Background(), acc.Cache, 5*time.Minute)
			if err != nil || updated == nil {
				t.Fatalf("Token: %v (updated %d bytes)", err, len(updated))
			}
			if err := r.em.CheckCredential(cred); err != nil {
				t.Fatalf("the API refused the cookie header: %v", err)
			}
			if _, err := r.p.Check(context.Background(), updated); err != nil {
				t.Fatalf("Check of a cache renewed moments ago: %v", err)
			}
			if err := r.em.CheckCredential(cred); err != nil {
				t.Fatalf("a check within the renewal window ended the cookie header: %v", err)
			}
		})
	}
}

// TestRequiredActionsUnskippable: a page that cannot be skipped is the
// user's to settle in a browser, not an unexpected error.
func TestRequiredActionsUnskippable(t *testing.T) {
	r := newRig(t)
	r.reshape(emulator.Shape{RequiredActions: emulator.RequiredActionsUnskippable})
	_, err := r.validate(t, demoInput())
	if errKey(err) != KeyAccountActionRequired {
		t.Fatalf("err = %v, want %s", err, KeyAccountActionRequired)
	}
}

// TestNoSkipUnlessShown: the default chain never posts a skip (a skip
// sent when the page was not shown spoils the session).
func TestNoSkipUnlessShown(t *testing.T) {
	r := newRig(t)
	if _, err := r.validate(t, demoInput()); err != nil {
		t.Fatal(err)
	}
	for _, q := range r.em.Log() {
		if q.Method == "POST" && strings.HasSuffix(q.Path, "/2FA") {
			t.Fatalf("skip posted without the page: %+v", q)
		}
	}
}

// TestServiceChanged: answers of a shape no client knows end with
// service_changed, whose strings name the service and ask for a trace.
func TestServiceChanged(t *testing.T) {
	tests := []struct {
		name   string
		change emulator.Change
		cause  string
	}{
		{"entry point serves a page instead of the authorize redirect", emulator.ChangeEntry, "never reached the authorize page"},
		{"login answer of another form", emulator.ChangeLogin, "login: unexpected answer"},
		{"TokenInfo of another form", emulator.ChangeGateway, "no UserIdentifier"},
		{"required-actions skip naming no next step and not taken", emulator.ChangeSkip, "Grant refused"},
	}
	r := newRig(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r.reshape(emulator.Shape{Changed: tc.change, RequiredActions: emulator.RequiredActionsSkipJSON})
			defer r.reshape(emulator.Shape{})
			acc, err := r.validate(t, demoInput())
			if acc != nil || errKey(err) != provider.KeyServiceChanged || !strings.Contains(err.Error(), tc.cause) {
				t.Fatalf("err = %v, want %s mentioning %q", err, provider.KeyServiceChanged, tc.cause)
			}
		})
	}
	cat, err := i18n.Load(r.p.Translations(), ".")
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"en", "pl"} {
		s, _ := cat.Raw(lang, "config.error.service_changed")
		if !strings.Contains(s, "Librus Synergia") || !strings.Contains(s, "--debug") {
			t.Errorf("%s service_changed = %q: want the service named and the --debug hint", lang, s)
		}
	}
}

// TestToken: the cookie header works against the API, the cache comes
// back renewed, and only the service's word makes it expired.
func TestToken(t *testing.T) {
	r := newRig(t)
	acc, err := r.validate(t, demoInput())
	if err != nil {
		t.Fatal(err)
	}
	before := time.Now()
	cred, updated, err := r.p.Token(context.Background(), acc.Cache, 5*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if cred.Kind != "cookie" || cred.Type != "Cookie" || !strings.Contains(cred.Value, "oauth_token=") || !strings.Contains(cred.Value, "DZIENNIKSID=") {
		t.Fatalf("credential %+v", cred)
	}
	if strings.Contains(cred.Value, "DeviceCookie") {
		t.Errorf("the API host's cookie is in the synergia header: %q", cred.Value)
	}
	if d := cred.ExpiresAt.Sub(before); d < 9*time.Minute || d > 11*time.Minute {
		t.Errorf("ExpiresAt in %v, want the oauth_token's 10 minutes", d)
	}
	if cookieValueOf(t, updated, "oauth_token") == cookieValueOf(t, acc.Cache, "oauth_token") {
		t.Error("Token did not renew oauth_token")
	}
	if err := r.em.CheckCredential(cred); err != nil {
		t.Fatalf("API refused the header: %v", err)
	}

	// A cache that was never renewed (acc.Cache) makes Token ask the
	// service; one renewed moments ago (updated) would not.
	r.em.SetFault(emulator.FaultServerError)
	if _, _, err := r.p.Token(context.Background(), acc.Cache, 5*time.Minute); errors.Is(err, provider.ErrAuthExpired) || errKey(err) != provider.KeyCannotConnect {
		t.Fatalf("server down: %v, want cannot_connect and not expired", err)
	}
	r.em.SetFault(emulator.FaultNone)
	r.em.Expire()
	if _, _, err := r.p.Token(context.Background(), acc.Cache, 5*time.Minute); !errors.Is(err, provider.ErrAuthExpired) {
		t.Fatalf("expired session: %v, want ErrAuthExpired", err)
	}
}

// TestIdentity: the identity is the UserIdentifier, read back from the
// cache alone; a service vouching for another identity is visible.
func TestIdentity(t *testing.T) {
	r := newRig(t)
	acc, err := r.validate(t, demoInput())
	if err != nil {
		t.Fatal(err)
	}
	got, err := r.p.Identity(acc.Cache)
	if err != nil || got != acc.Identity || got == "" {
		t.Fatalf("Identity = %q, %v; account says %q", got, err, acc.Identity)
	}
	if _, err := r.p.Identity([]byte("{}")); err == nil {
		t.Fatal("Identity of a broken cache did not fail")
	}
	hostile := `{"version":1,"cookies":[{"name":"a","value":"b","domain":"x","path":"/"}],"user_identifier":"555\u001b[2J1"}`
	if who, err := r.p.Identity([]byte(hostile)); err == nil {
		t.Fatalf("Identity of a cache with a hostile identifier = %q", who)
	}
	r.em.SetUserIdentifier(emulator.DemoLogin, "9990001")
	again, err := r.validate(t, demoInput())
	if err != nil {
		t.Fatal(err)
	}
	if again.Identity != "9990001" || again.UniqueID != acc.UniqueID {
		t.Fatalf("lying service: identity %q unique id %q", again.Identity, again.UniqueID)
	}
}

// TestHostileNames: names with terminal escapes and bidi overrides come
// out as plain text.
func TestHostileNames(t *testing.T) {
	r := newRig(t)
	r.em.AddUser("7777777u", "pw-7", "\x1b]0;pwned\x07Jan\x1b[2J", "\u202eNowak\u202c\r\n")
	acc, err := r.validate(t, provider.Input{FieldUsername: "7777777u", FieldPassword: "pw-7"})
	if err != nil {
		t.Fatal(err)
	}
	if acc.Title != "Jan Nowak" {
		t.Fatalf("title %q", acc.Title)
	}
}
