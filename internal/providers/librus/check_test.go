package librus

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/setupwizard/setupwizard/internal/providers/librus/emulator"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

func signIn(t *testing.T, r *rig) []byte {
	t.Helper()
	acc, err := r.validate(t, demoInput())
	if err != nil {
		t.Fatal(err)
	}
	return acc.Cache
}

func cookieValueOf(t *testing.T, cache []byte, name string) string {
	t.Helper()
	s, err := ParseSession(cache)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range s.Cookies {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

func TestCheckRefreshes(t *testing.T) {
	r := newRig(t)
	cache := signIn(t, r)
	r.em.ResetRequests()
	out, err := r.p.Check(context.Background(), cache)
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	old, renewed := cookieValueOf(t, cache, "oauth_token"), cookieValueOf(t, out, "oauth_token")
	if renewed == "" || renewed == old {
		t.Errorf("oauth_token not renewed")
	}
	if cookieValueOf(t, out, "DeviceCookie") == "" || cookieValueOf(t, out, "DZIENNIKSID") != cookieValueOf(t, cache, "DZIENNIKSID") {
		t.Errorf("other cookies not kept")
	}
	reqs := r.em.Log()
	if len(reqs) != 1 || reqs[0].Path != "/refreshToken" || reqs[0].Server != "synergia" || reqs[0].Header.Get("Cookie") == "" {
		t.Fatalf("requests = %+v, want one GET /refreshToken with cookies", reqs)
	}
	// The renewed cache works again, and the original is still a valid
	// session too (only the token rotated).
	if _, err := r.p.Check(context.Background(), out); err != nil {
		t.Errorf("second Check: %v", err)
	}
}

func TestCheckExpired(t *testing.T) {
	r := newRig(t)
	cache := signIn(t, r)
	r.em.Expire()
	_, err := r.p.Check(context.Background(), cache)
	if !errors.Is(err, provider.ErrAuthExpired) {
		t.Fatalf("err = %v, want ErrAuthExpired", err)
	}
	for _, bad := range []string{"", "   ", "not json", `{"version":2,"cookies":[{"name":"a","value":"b","domain":"x","path":"/"}],"user_identifier":"1"}`, `{"version":1,"cookies":[],"user_identifier":"1"}`} {
		if _, err := r.p.Check(context.Background(), []byte(bad)); !errors.Is(err, provider.ErrAuthExpired) {
			t.Errorf("cache %q: err = %v, want ErrAuthExpired", bad, err)
		}
	}
}

// TestCheckTroubleIsNotExpiry: maintenance, server faults and the network
// say nothing about the session.
func TestCheckTroubleIsNotExpiry(t *testing.T) {
	r := newRig(t)
	cache := signIn(t, r)
	slowP := New(r.options(time.Second)) // only the slow case waits for a timeout
	for _, tc := range []struct {
		fault emulator.Fault
		key   string
	}{
		{emulator.FaultMaintenance, "cannot_connect"},
		{emulator.FaultMaintenanceRedirect, "cannot_connect"},
		{emulator.FaultServerError, "cannot_connect"},
		{emulator.FaultBlocked, "cannot_connect"},
		{emulator.FaultSlow, "timeout"},
	} {
		r.em.SetFault(tc.fault)
		p := r.p
		if tc.fault == emulator.FaultSlow {
			p = slowP
		}
		_, err := p.Check(context.Background(), cache)
		if errors.Is(err, provider.ErrAuthExpired) || errKey(err) != tc.key {
			t.Errorf("fault %d: err = %v, want %s", tc.fault, err, tc.key)
		}
	}
	r.em.SetFault(emulator.FaultNone)
	if _, err := r.p.Check(context.Background(), cache); err != nil {
		t.Fatalf("after faults: %v", err)
	}
	_ = r.em.Close()
	if _, err := r.p.Check(context.Background(), cache); errKey(err) != "cannot_connect" {
		t.Errorf("closed emulator: err = %v, want cannot_connect", err)
	}
}

// TestCheckShapes: refreshToken answers docs/librus.md allows. A 2xx with a new
// oauth_token is valid; a 2xx without one is settled by TokenInfo; a
// redirect means expiry only when it points at the sign-in.
func TestCheckShapes(t *testing.T) {
	tests := []struct {
		name     string
		shape    emulator.Shape
		fault    emulator.Fault
		on       string
		expire   bool
		expired  bool   // want ErrAuthExpired
		key      string // else want this *provider.Error key ("" = valid)
		renewed  bool
		requests int
	}{
		{name: "204 with a new token", shape: emulator.Shape{RefreshStatus: 204}, renewed: true, requests: 1},
		{name: "200 without a new token, session lives", shape: emulator.Shape{RefreshNoCookie: true}, requests: 2},
		{name: "204 without a new token, session lives", shape: emulator.Shape{RefreshNoCookie: true, RefreshStatus: 204}, requests: 2},
		{name: "200 without a new token, session dead", shape: emulator.Shape{RefreshNoCookie: true}, expire: true, expired: true, requests: 2},
		{name: "without a new token, TokenInfo in maintenance", shape: emulator.Shape{RefreshNoCookie: true},
			fault: emulator.FaultMaintenance, on: "/gateway/", key: "cannot_connect", requests: 2},
		{name: "redirect to portalRodzina", shape: emulator.Shape{RefreshRedirect: "/loguj/portalRodzina"}, expired: true, requests: 1},
		{name: "redirect to the synergia login page", shape: emulator.Shape{RefreshRedirect: "/loguj"}, expired: true, requests: 1},
		{name: "redirect to the synergia login page, trailing slash", shape: emulator.Shape{RefreshRedirect: "/loguj/"}, expired: true, requests: 1},
		{name: "redirect to another page", shape: emulator.Shape{RefreshRedirect: "/rodzic/index"}, key: "unknown", requests: 1},
		{name: "redirect to a page named like the login", shape: emulator.Shape{RefreshRedirect: "/rodzic/logujemy"}, key: "unknown", requests: 1},
	}
	r := newRig(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r.reshape(emulator.Shape{})
			cache := signIn(t, r)
			if tc.expire {
				r.em.Expire()
			}
			r.reshape(tc.shape)
			r.em.SetFaultOn(tc.fault, tc.on)
			defer r.em.SetFault(emulator.FaultNone)
			r.em.ResetRequests()
			out, err := r.p.Check(context.Background(), cache)
			if n := len(r.em.Log()); n != tc.requests {
				t.Errorf("%d requests, want %d", n, tc.requests)
			}
			switch {
			case tc.expired:
				if !errors.Is(err, provider.ErrAuthExpired) {
					t.Fatalf("err = %v, want ErrAuthExpired", err)
				}
			case tc.key != "":
				if errors.Is(err, provider.ErrAuthExpired) || errKey(err) != tc.key {
					t.Fatalf("err = %v, want %s and not expiry", err, tc.key)
				}
			default:
				if err != nil {
					t.Fatalf("Check: %v", err)
				}
				changed := cookieValueOf(t, out, "oauth_token") != cookieValueOf(t, cache, "oauth_token")
				if changed != tc.renewed {
					t.Errorf("oauth_token changed = %v, want %v", changed, tc.renewed)
				}
			}
		})
	}
}

// TestCheckCookieRules: the renewed cache takes refreshToken's cookies by
// the jar's rules, as a browser would: a cookie for a domain the host may
// not set, or with a broken Domain, is dropped (it once made the renewed
// cache unwritable, which Check reported as expiry); a deletion removes
// the stored cookie; a new domain cookie is kept.
func TestCheckCookieRules(t *testing.T) {
	for _, named := range []bool{false, true} {
		t.Run(map[bool]string{false: "loopback addresses", true: "real host names"}[named], func(t *testing.T) {
			var r *rig
			if named {
				r = newNamedRig(t, "api.librus.pl", "synergia.librus.pl", nil, emulator.Shape{})
			} else {
				r = newRig(t)
			}
			testCheckCookieRules(t, r)
		})
	}
}

func testCheckCookieRules(t *testing.T, r *rig) {
	cache := signIn(t, r)
	shape := r.em.CurrentShape()
	shape.RefreshSetCookie = []string{
		"junk=1; Domain=..; Path=/",
		"foreign=abcdef; Domain=example.com; Path=/",
		"SDZIENNIKSID=; Max-Age=0; Path=/",
		"fresh=xyz; Path=/gateway",
	}
	r.reshape(shape)
	out, err := r.p.Check(context.Background(), cache)
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	s, err := ParseSession(out)
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]Cookie{}
	for _, c := range s.Cookies {
		have[c.Name] = c
	}
	for _, gone := range []string{"junk", "foreign", "SDZIENNIKSID"} {
		if c, ok := have[gone]; ok {
			t.Errorf("cookie %+v kept", c)
		}
	}
	if c := have["fresh"]; c.Path != "/gateway" || c.Value != "xyz" {
		t.Errorf("fresh = %+v, want path /gateway", c)
	}
	for _, kept := range []string{"DeviceCookie", "DZIENNIKSID", "oauth_token"} {
		if have[kept].Value == "" {
			t.Errorf("%s lost", kept)
		}
	}
	if d := have["DeviceCookie"]; d.Expires == nil || d.Path != "/OAuth" {
		t.Errorf("DeviceCookie lost its path or expiry: %+v", d)
	}
}
