package librus

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/setupwizard/setupwizard/internal/providers/librus/emulator"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

// withRenewedAt is cache with its renewal time set to at (nil: never
// renewed) and its oauth_token expiring at exp.
func withRenewedAt(t *testing.T, cache []byte, at *time.Time, exp time.Time) []byte {
	t.Helper()
	s, err := ParseSession(cache)
	if err != nil {
		t.Fatal(err)
	}
	s.RenewedAt = at
	for i := range s.Cookies {
		if s.Cookies[i].Name == "oauth_token" {
			s.Cookies[i].Expires = &exp
		}
	}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestRenewOncePerWindow: Token and Check use a session renewed less than
// RenewWindow ago as stored, with no request, while its oauth_token lives
// long enough; otherwise they renew once and stamp renewed_at.
func TestRenewOncePerWindow(t *testing.T) {
	r := newRig(t)
	now := time.Now()
	ago := func(d time.Duration) *time.Time { t := now.Add(-d); return &t }
	cases := []struct {
		name      string
		renewedAt *time.Time
		expiresIn time.Duration
		minValid  time.Duration
		renew     bool // Token renews
		check     bool // Check renews (else TokenInfo alone)
	}{
		{"never renewed (fresh sign-in)", nil, 10 * time.Minute, 5 * time.Minute, true, true},
		{"renewed 5 s ago", ago(5 * time.Second), 9 * time.Minute, 5 * time.Minute, false, false},
		{"renewed just under the window", ago(RenewWindow - 2*time.Second), 9 * time.Minute, 5 * time.Minute, false, false},
		{"renewed past the window", ago(RenewWindow + time.Second), 9 * time.Minute, 5 * time.Minute, true, true},
		{"renewed 5 s ago, token too short-lived for --token", ago(5 * time.Second), 4 * time.Minute, 5 * time.Minute, true, false},
		{"renewed 5 s ago, token about to end", ago(5 * time.Second), 30 * time.Second, 5 * time.Minute, true, true},
		{"renewal time in the future", ago(-time.Hour), 9 * time.Minute, 5 * time.Minute, true, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cache := withRenewedAt(t, signIn(t, r), c.renewedAt, now.Add(c.expiresIn))

			// Check always asks the service; within the window it asks
			// TokenInfo, which renews nothing.
			r.em.ResetRequests()
			out, err := r.p.Check(context.Background(), cache)
			if err != nil {
				t.Fatalf("Check: %v", err)
			}
			want := "/gateway/api/2.0/Auth/TokenInfo"
			if c.check {
				want = "/refreshToken"
			}
			if log := r.em.Log(); len(log) != 1 || log[0].Path != want || (string(out) != string(cache)) != c.check {
				t.Fatalf("Check: requests %v, cache changed %v; want one %s", paths(log), string(out) != string(cache), want)
			}
			if c.check {
				cache = withRenewedAt(t, out, c.renewedAt, now.Add(c.expiresIn)) // the live token, as the case says
			}

			r.em.ResetRequests()
			cred, updated, err := r.p.Token(context.Background(), cache, c.minValid)
			if err != nil {
				t.Fatalf("Token: %v", err)
			}
			if got := r.em.Requests(); (got > 0) != c.renew || (updated != nil) != c.renew {
				t.Fatalf("Token: %d requests, updated %v; want a renewal: %v", got, updated != nil, c.renew)
			}
			if err := r.em.CheckCredential(cred); err != nil {
				t.Fatalf("header refused: %v", err)
			}
			if c.renew {
				s, _ := ParseSession(updated)
				if s.RenewedAt == nil || time.Since(*s.RenewedAt) > time.Minute {
					t.Fatalf("renewed_at = %v after a renewal", s.RenewedAt)
				}
				if cred.ExpiresAt.Before(time.Now().Add(c.minValid)) {
					t.Fatalf("renewed credential expires at %v", cred.ExpiresAt)
				}
			} else if !cred.ExpiresAt.Equal(now.Add(c.expiresIn)) {
				t.Fatalf("stored credential expires at %v, want the cookie's %v", cred.ExpiresAt, now.Add(c.expiresIn))
			}
		})
	}
}

func paths(log []emulator.Request) []string {
	var out []string
	for _, q := range log {
		out = append(out, q.Path)
	}
	return out
}

// TestCheckWithinWindowStillSeesExpiry: a session renewed moments ago and
// then ended by the service is expired for Check (TokenInfo refuses it and
// the renewal confirms), never valid on the strength of the renewal.
func TestCheckWithinWindowStillSeesExpiry(t *testing.T) {
	r := newRig(t)
	_, renewed, err := r.p.Token(context.Background(), signIn(t, r), 5*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	r.em.Expire()
	r.em.ResetRequests()
	if _, err := r.p.Check(context.Background(), renewed); !errors.Is(err, provider.ErrAuthExpired) {
		t.Fatalf("Check after the service ended the session: %v, want ErrAuthExpired", err)
	}
	if got := paths(r.em.Log()); len(got) != 2 || got[1] != "/refreshToken" {
		t.Fatalf("requests %v, want TokenInfo then refreshToken", got)
	}
}

// TestCheckWithinWindowStoreLost: the stored token was ended by a renewal
// whose cache never got stored; TokenInfo refuses it, but the session
// lives, so Check renews and says valid (no false auth_expired).
func TestCheckWithinWindowStoreLost(t *testing.T) {
	r := newRig(t)
	first := signIn(t, r)
	_, stored, err := r.p.Token(context.Background(), first, 5*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := r.p.Token(context.Background(), first, 5*time.Minute); err != nil { // renewal "lost"
		t.Fatal(err)
	}
	out, err := r.p.Check(context.Background(), stored)
	if err != nil || string(out) == string(stored) {
		t.Fatalf("Check: %v (renewed: %v)", err, string(out) != string(stored))
	}
}

// TestRenewalEndsEarlierToken: under the emulator's default (strict)
// reading a renewal ends the Cookie header printed before it; with
// KeepEarlierTokens both work. Token's renew-once window is what keeps
// concurrent scripts' headers alive under the strict reading.
func TestRenewalEndsEarlierToken(t *testing.T) {
	for _, keep := range []bool{false, true} {
		r := newRig(t)
		r.reshape(emulator.Shape{KeepEarlierTokens: keep})
		cache := signIn(t, r)
		first, renewed, err := r.p.Token(context.Background(), cache, 5*time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		// Within the window: the same header, no request, still accepted.
		r.em.ResetRequests()
		again, _, err := r.p.Token(context.Background(), renewed, 5*time.Minute)
		if err != nil || again.Value != first.Value || r.em.Requests() != 0 {
			t.Fatalf("within the window: %v, same header %v, %d requests", err, again.Value == first.Value, r.em.Requests())
		}
		// Another renewal (the never-renewed cache again).
		second, _, err := r.p.Token(context.Background(), cache, 5*time.Minute)
		if err != nil || second.Value == first.Value {
			t.Fatalf("second renewal: %v", err)
		}
		if err := r.em.CheckCredential(second); err != nil {
			t.Fatalf("keep=%v: the newest header is refused: %v", keep, err)
		}
		if err := r.em.CheckCredential(first); (err == nil) != keep {
			t.Fatalf("keep=%v: the earlier header after a renewal: %v", keep, err)
		}
	}
}
