package librus

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/setupwizard/setupwizard/internal/providers/librus/emulator"
)

// portalURL is where the grant of an account linked to Konto LIBRUS may
// go on (docs/librus.md).
const portalURL = "https://portal.librus.pl/rodzina/synergia/loguj"

// TestLinkedAccountGrantVariants: the readings of "the grant walks on,
// possibly via portal.librus.pl, then every gateway call answers 401
// Request is denied" all end with account_linked, through real TLS,
// without a request to anything but the emulator, and without a
// required-actions skip after the code was issued.
func TestLinkedAccountGrantVariants(t *testing.T) {
	tests := []struct {
		name  string
		shape emulator.Shape
		// cause is a part of the error's cause.
		cause string
	}{
		{name: "synergia sends the session on to the portal (a host the overrides do not allow)",
			shape: emulator.Shape{LinkedFromSynergia: portalURL}, cause: "portal.librus.pl"},
		{name: "Grant sends the account to the portal instead of issuing a code, no session, Code TokenIsExpired",
			shape: emulator.Shape{LinkedFromGrant: portalURL}, cause: "portal.librus.pl"},
		{name: "via the portal, the gateway's refusal carries Code TokenIsExpired",
			shape: emulator.Shape{LinkedFromSynergia: portalURL, LinkedExpiredCode: true}, cause: "TokenIsExpired"},
		{name: "after the code, on to another client's sign-in page whose script mentions requiredActions",
			shape: emulator.Shape{LinkedFromSynergia: "/OAuth/Authorization/Konto?client_id=59"}, cause: "Request is denied"},
		{name: "the login POST redirects to the portal",
			shape: emulator.Shape{LoginRedirect: portalURL}, cause: "portal.librus.pl"},
		{name: "the login answer's goTo is the portal",
			shape: emulator.Shape{LoginGoTo: portalURL}, cause: "portal.librus.pl"},
		{name: "TokenInfo passes, UserInfo refuses",
			shape: emulator.Shape{LinkedTokenInfoPasses: true}, cause: "user info"},
	}
	r := newRig(t)
	const login = "8880101u"
	r.em.AddAccount(login, "pw")
	r.em.SetQuirk(login, emulator.QuirkLinked)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r.reshape(tc.shape)
			defer r.reshape(emulator.Shape{})
			r.em.ResetRequests()
			acc, err := r.validate(t, map[string]string{FieldUsername: login, FieldPassword: "pw"})
			if acc != nil || errKey(err) != KeyAccountLinked || errors.Is(err, errNoNetwork) {
				t.Fatalf("err = %v, want %s", err, KeyAccountLinked)
			}
			if !strings.Contains(err.Error(), tc.cause) {
				t.Errorf("cause %v, want it to mention %q", err, tc.cause)
			}
			for _, q := range r.em.Log() {
				if q.Method == http.MethodPost && strings.Contains(q.Body, "requiredActions") {
					t.Errorf("a required-actions skip was posted to %s", q.Path)
				}
			}
		})
	}
}

// TestLinkedAccountViaRealPortal: with Librus's own hosts the grant may
// follow the portal (a *.librus.pl host); whatever the portal answers,
// TokenInfo's refusal is account_linked.
func TestLinkedAccountViaRealPortal(t *testing.T) {
	r := newNamedRig(t, "api.librus.pl", "synergia.librus.pl", nil, emulator.Shape{LinkedFromSynergia: portalURL})
	// The portal's name reaches the synergia listener, which has no such
	// page (404), as an /etc/hosts entry would.
	r.names["portal.librus.pl:443"] = r.em.SynergiaAddr()
	r.p = New(r.options(testTimeout))
	const login = "8880102u"
	r.em.AddAccount(login, "pw")
	r.em.SetQuirk(login, emulator.QuirkLinked)
	_, err := r.validate(t, map[string]string{FieldUsername: login, FieldPassword: "pw"})
	if errKey(err) != KeyAccountLinked {
		t.Fatalf("err = %v, want %s", err, KeyAccountLinked)
	}
	portal := 0
	for _, q := range r.em.Log() {
		if strings.TrimSuffix(q.Host, ":443") == "portal.librus.pl" {
			portal++
		}
	}
	if portal != 1 {
		t.Fatalf("%d requests to the portal, want the walk to follow it once", portal)
	}
}

// TestNoSkipOnSignInPage: a sign-in page at an authorization hop, whose
// script handles required actions, is not a required-actions page: no
// skip is posted, and the sign-in that stopped there is a changed
// service, not an action the person must take.
func TestNoSkipOnSignInPage(t *testing.T) {
	r := newRig(t)
	r.reshape(emulator.Shape{LoginRedirect: "/OAuth/Authorization/Konto?client_id=46"})
	_, err := r.validate(t, demoInput())
	if errKey(err) == KeyAccountActionRequired || err == nil {
		t.Fatalf("err = %v, want no account_action_required", err)
	}
	for _, q := range r.em.Log() {
		if q.Method == http.MethodPost && strings.Contains(q.Body, "requiredActions") {
			t.Fatalf("a required-actions skip was posted to %s", q.Path)
		}
	}
}

// TestLinkedStoredSessionSentToPortal: a check whose refresh is sent to
// the Konto LIBRUS portal is expiry (auth_expired), and nothing is sent
// there.
func TestLinkedStoredSessionSentToPortal(t *testing.T) {
	r := newRig(t)
	acc, err := r.validate(t, demoInput())
	if err != nil {
		t.Fatal(err)
	}
	r.reshape(emulator.Shape{RefreshRedirect: portalURL})
	if _, err := r.p.Check(context.Background(), acc.Cache); !isExpired(err) {
		t.Fatalf("Check: %v, want auth expired", err)
	}
}

// TestLoginRedirectForms: a login POST answered with a redirect, in the
// forms a Location takes: absolute or relative to the login URL (both the
// same as goTo when they name an authorization page), and the maintenance
// page (cannot_connect, not a changed service).
func TestLoginRedirectForms(t *testing.T) {
	r := newRig(t)
	tests := []struct {
		name, loc, key string
	}{
		{"absolute URL of 2FA", r.em.APIURL() + "/OAuth/Authorization/2FA?client_id=46", ""},
		{"relative to the login URL", "Authorization/2FA?client_id=46", ""},
		{"absolute URL of Grant", r.em.APIURL() + "/OAuth/Authorization/Grant?client_id=46", ""},
		{"the maintenance page", "/przerwa_techniczna", "cannot_connect"},
		{"the maintenance page on synergia", r.em.SynergiaURL() + "/przerwa_techniczna", "cannot_connect"},
		{"synergia's landing page", r.em.SynergiaURL() + "/rodzic/index", "service_changed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r.reshape(emulator.Shape{LoginRedirect: tc.loc})
			defer r.reshape(emulator.Shape{})
			acc, err := r.validate(t, demoInput())
			if tc.key == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				if _, err := r.p.Check(context.Background(), acc.Cache); err != nil {
					t.Fatalf("Check after the sign-in: %v", err)
				}
				return
			}
			if errKey(err) != tc.key {
				t.Fatalf("err = %v, want %s", err, tc.key)
			}
		})
	}
}

// TestObserveOneProxyHost: with both hosts behind one proxy name, an
// authorization hop is still before the code (its required-actions page
// may be skipped); synergia's pages and a code off the API are after it;
// the portal is noted.
func TestObserveOneProxyHost(t *testing.T) {
	ep, err := loadEndpoints(providersOptions(map[string]string{EnvAPIURL: "https://proxy.test/api", EnvSynergiaURL: "https://proxy.test/syn"}))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		url             string
		pastCode, portl bool
	}{
		{"https://proxy.test/api/OAuth/Authorization/2FA?client_id=46", false, false},
		{"https://proxy.test/api/OAuth/Authorization/Grant?client_id=46", false, false},
		{"https://proxy.test/syn/loguj/portalRodzina?code=x&state=y", true, false},
		{"https://proxy.test/syn/rodzic/index", true, false},
		{"https://portal.librus.pl/rodzina?code=x", true, true},
		{"https://portal.librus.pl/rodzina", false, true},
	}
	for _, tc := range tests {
		a := &attempt{ep: ep}
		u, _ := url.Parse(tc.url)
		a.observe(u)
		if a.pastCode != tc.pastCode || a.viaPortal != tc.portl {
			t.Errorf("%s: pastCode %v viaPortal %v, want %v %v", tc.url, a.pastCode, a.viaPortal, tc.pastCode, tc.portl)
		}
	}
}
