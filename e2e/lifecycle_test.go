package e2e

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/setupwizard/setupwizard/e2e/vterm"
)

// addScripted adds p's demo account without a terminal.
func addScripted(t *testing.T, w *world, p provCase) listed {
	t.Helper()
	w.mustRun(0, w.secret(p.password)+"\n", "--provider", p.domain, "-u", p.login, "--password-stdin")
	return w.entry(p.domain)
}

// TestStatusExpiredThenReauth: --status finds the grant the service
// revoked (exit 4, auth_expired), and an interactive --reauth clears it.
func TestStatusExpiredThenReauth(t *testing.T) {
	forEachProvider(t, func(t *testing.T, p provCase) {
		w := newWorld(t)
		e := addScripted(t, w, p)
		if r := w.mustRun(0, "", "--status"); !strings.Contains(r.stdout, "signed in") {
			t.Fatalf("--status on a fresh account does not say signed in:\n%s", r.stdout)
		}

		p.expire(w)
		r := w.mustRun(4, "", "--status")
		if !strings.Contains(r.stdout, "auth_expired") {
			t.Errorf("--status does not name auth_expired:\n%s", r.stdout)
		}
		if got := w.entry(p.domain); !slices.Contains(got.Issues, "auth_expired") {
			t.Fatalf("--list --json issues %v, want auth_expired", got.Issues)
		}

		tm := w.start("--reauth", "--account", p.login)
		tm.waitFor(p.text(t, "config.step.reauth_confirm.title", map[string]string{"name": e.Title}))
		if s := tm.Screen(); !strings.Contains(s, p.login) {
			t.Errorf("reauth form is not prefilled with the login %s:\n%s", p.login, s)
		}
		tm.fill("", w.secret(p.password))
		tm.waitFor(signedInAgain)
		tm.exit(0)

		got := w.entry(p.domain)
		if got.ID != e.ID || len(got.Issues) != 0 {
			t.Fatalf("after reauth: %+v, want entry %s with no issues", got, e.ID)
		}
		w.mustRun(0, "", "--status")
		// The replace protocol deletes the old generation's chunks.
		gens := map[string]bool{}
		for _, it := range itemsOf(t, p.domain, e.ID) {
			if parts := strings.Split(it.user, "/"); len(parts) == 3 {
				gens[parts[1]] = true
			}
		}
		if len(gens) != 1 {
			t.Fatalf("entry %s has chunks of %d generations after reauth, want 1: %v", e.ID, len(gens), gens)
		}
	})
}

// TestReauthWrongAccount: a reauth that signs in as someone else aborts
// wrong_account and leaves the entry's keyring items exactly as they were.
func TestReauthWrongAccount(t *testing.T) {
	forEachProvider(t, func(t *testing.T, p provCase) {
		w := newWorld(t)
		e := addScripted(t, w, p)
		before := itemsOf(t, p.domain, e.ID)
		other, otherPW := p.addOther(w)
		r := w.mustRun(1, w.secret(otherPW)+"\n", "--reauth", "--account", p.login, "-u", other, "--password-stdin")
		if !strings.Contains(r.stdout, "(wrong_account)") {
			t.Errorf("stdout does not name wrong_account:\n%s", r.stdout)
		}
		if after := itemsOf(t, p.domain, e.ID); !slices.Equal(before, after) {
			t.Fatalf("a failed reauth changed the keyring items:\nbefore %v\nafter  %v", names(before), names(after))
		}
		if l := w.list(); len(l) != 1 {
			t.Fatalf("entries after wrong_account: %+v", l)
		}
	})
}

// TestRacingAdds: two scripted wizards adding one account at once give one
// entry and one already_configured, and the loser leaves no keyring item.
func TestRacingAdds(t *testing.T) {
	forEachProvider(t, func(t *testing.T, p provCase) {
		w := newWorld(t)
		args := []string{"--provider", p.domain, "-u", p.login, "--password-stdin"}
		w.secret(p.password)
		results := make(chan result, 2)
		for range 2 {
			go func() { results <- w.runQuiet(p.password+"\n", args...) }()
		}
		a, b := <-results, <-results
		for i, r := range []result{a, b} {
			w.outputs = append(w.outputs, capture{fmt.Sprintf("output of racer %d", i), func() []byte { return []byte(r.stdout + r.stderr) }})
		}
		if a.code+b.code != 1 || (a.code != 0 && b.code != 0) {
			t.Fatalf("exit codes %d and %d, want one 0 and one 1\n%s%s\n%s%s", a.code, b.code, a.stdout, a.stderr, b.stdout, b.stderr)
		}
		if !strings.Contains(a.stdout+b.stdout, "(already_configured)") {
			t.Errorf("the loser does not say already_configured:\n%s\n%s", a.stdout, b.stdout)
		}
		e := w.entry(p.domain)
		own := itemNames(itemsOf(t, p.domain, e.ID))
		for _, it := range w.newItems(p.domain) {
			if !own[it.user] {
				t.Errorf("keyring item %s belongs to no entry (left by the loser)", it.user)
			}
		}
	})
}

// TestRemoveConfirm: --remove without --yes asks on the terminal; no keeps
// the entry and is a cancel (exit 130), yes removes it and its keyring items.
func TestRemoveConfirm(t *testing.T) {
	p := providers[1]
	w := newWorld(t)
	e := addScripted(t, w, p)

	tm := w.start("--remove", "--account", p.login)
	tm.waitFor("[y/N]")
	tm.typeText("n")
	tm.exit(130)
	w.entry(p.domain)

	tm = w.start("--remove", "--account", p.login)
	tm.waitFor("[y/N]")
	tm.typeText("y")
	tm.exit(0)
	if l := w.list(); len(l) != 0 {
		t.Fatalf("entries after --remove: %+v", l)
	}
	if left := itemsOf(t, p.domain, e.ID); len(left) != 0 {
		t.Fatalf("--remove left keyring items: %v", names(left))
	}
}

// TestStatusOffline: when the service cannot be reached --status reports
// it (exit 1) and changes nothing: no auth_expired, the cache untouched.
func TestStatusOffline(t *testing.T) {
	forEachProvider(t, func(t *testing.T, p provCase) {
		w := newWorld(t)
		e := addScripted(t, w, p)
		before := itemsOf(t, p.domain, e.ID)
		w.emus.Close()
		r := w.mustRun(1, "", "--status")
		if !strings.Contains(r.stdout, "cannot_connect") {
			t.Errorf("--status offline does not say cannot_connect:\n%s", r.stdout)
		}
		if got := w.entry(p.domain); len(got.Issues) != 0 {
			t.Fatalf("an unreachable service recorded issues %v", got.Issues)
		}
		if after := itemsOf(t, p.domain, e.ID); !slices.Equal(before, after) {
			t.Fatalf("--status offline changed the keyring items")
		}
	})
}

// TestReauthCancelledChangesNothing: ctrl+c during a reauth keeps the old
// cache and the open auth_expired issue.
func TestReauthCancelledChangesNothing(t *testing.T) {
	forEachProvider(t, func(t *testing.T, p provCase) {
		w := newWorld(t)
		e := addScripted(t, w, p)
		p.expire(w)
		w.mustRun(4, "", "--status")
		before := itemsOf(t, p.domain, e.ID)

		p.hang(w)
		tm := w.start("--reauth", "--account", p.login, "--timeout", "5m")
		tm.waitFor(p.text(t, "config.step.reauth_confirm.title", map[string]string{"name": e.Title}))
		tm.fill("", w.secret(p.password))
		select {
		case <-p.held(w):
		case <-time.After(screenWait):
			t.Fatalf("no request reached the hanging emulator; screen:\n%s", tm.Screen())
		}
		tm.waitFor(helpValidating)
		tm.press(vterm.CtrlC)
		tm.exit(130)

		if got := w.entry(p.domain); !slices.Contains(got.Issues, "auth_expired") {
			t.Fatalf("a cancelled reauth cleared auth_expired: %v", got.Issues)
		}
		if after := itemsOf(t, p.domain, e.ID); !slices.Equal(before, after) {
			t.Fatalf("a cancelled reauth changed the keyring items:\nbefore %v\nafter  %v", names(before), names(after))
		}
	})
}

// TestReauthPicker: --reauth with several entries asks which one in the
// terminal, then runs that entry's reauth form in the same terminal.
func TestReauthPicker(t *testing.T) {
	w := newWorld(t)
	var entries []listed
	for _, p := range providers {
		entries = append(entries, addScripted(t, w, p))
	}
	p := providers[1]
	tm := w.start("--reauth")
	tm.waitFor("Which account do you want to sign in again?")
	tm.waitFor(entries[0].Title)
	tm.press(vterm.Down)
	tm.waitFor("> " + p.text(t, "config.flow_title", nil))
	tm.press(vterm.Enter)
	tm.waitFor(p.text(t, "config.step.reauth_confirm.title", map[string]string{"name": entries[1].Title}))
	tm.fill("", w.secret(p.password))
	tm.waitFor(signedInAgain)
	tm.exit(0)
}
