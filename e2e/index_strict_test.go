package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/setupwizard/setupwizard/internal/store"
	"github.com/setupwizard/setupwizard/internal/testenv"
)

// TestIndexNeverRewrittenWhenNotUnderstood (issue 17, items 2 and 4): an
// entries.json with anything this version does not understand (a case
// variant of a known key, a repeated key, an unknown field, a newer
// version, broken JSON, a value of the wrong type) is refused by every
// command, which names the file and says why, and nothing rewrites it: no
// add, reauth, --status or --remove, and no request reaches a service.
// encoding/json read the first two as an index with no entries, and the
// next add wrote one without them.
func TestIndexNeverRewrittenWhenNotUnderstood(t *testing.T) {
	firstPassOnly(t)
	p := providers[0]
	w := newWorld(t)
	e := addScripted(t, w, p)
	index := filepath.Join(w.configDir, store.IndexFile)
	valid := string(w.readIndex())
	last := strings.LastIndex(valid, "}")
	cases := []struct {
		name, content string
		says          []string
	}{
		{"case variant of a key", valid[:last] + `, "Entries": []}` + "\n", []string{`"Entries"`, "line "}},
		{"repeated key", valid[:last] + `, "entries": []}` + "\n", []string{`"entries" appears twice`, "line "}},
		{"unknown field in an entry", strings.Replace(valid, `"title"`, `"nickname": "x", "title"`, 1), []string{`"nickname"`, "does not know"}},
		{"newer version", strings.Replace(valid, `"version": 2`, `"version": 99`, 1), []string{"newer setupwizard", "upgrade"}},
		{"broken JSON", valid[:len(valid)/2], []string{"not valid JSON", "line "}},
		{"wrong type", strings.Replace(valid, `"version": 2`, `"version": "2"`, 1), []string{"/version", "wrong type"}},
	}
	other, otherPW := p.addOther(w)
	w.secret(otherPW)
	commands := []struct {
		stdin string
		args  []string
	}{
		{"", []string{"--list"}},
		{otherPW + "\n", []string{"--provider", p.domain, "-u", other, "--password-stdin"}},
		{p.password + "\n", []string{"--reauth", "--account", p.uniqueID, "--password-stdin"}},
		{"", []string{"--status"}},
		{"", []string{"--token"}},
		{"", []string{"--remove", "--account", p.uniqueID, "--yes"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.content == valid {
				t.Fatal("the case changes nothing")
			}
			if err := os.WriteFile(index, []byte(c.content), 0o600); err != nil {
				t.Fatal(err)
			}
			w.emus[p.domain].ResetRequests()
			for _, cmd := range commands {
				r := w.run(cmd.stdin, cmd.args...)
				if r.code != 1 || !strings.Contains(r.stderr, index) {
					t.Errorf("%v: exit %d, want 1 naming %s\n%s%s", cmd.args, r.code, index, r.stdout, r.stderr)
				}
				for _, s := range c.says {
					if !strings.Contains(r.stderr, s) {
						t.Errorf("%v: stderr lacks %q:\n%s", cmd.args, s, r.stderr)
					}
				}
			}
			if n := w.emus[p.domain].Requests(); n != 0 {
				t.Errorf("%d requests reached the service with an unreadable index", n)
			}
			if now := w.readIndex(); string(now) != c.content {
				t.Errorf("entries.json was rewritten:\n%s", now)
			}
		})
	}
	t.Run("in Polish", func(t *testing.T) {
		if err := os.WriteFile(index, []byte(cases[0].content), 0o600); err != nil {
			t.Fatal(err)
		}
		r := w.runQuietEnv([]string{"LANG=pl_PL.UTF-8"}, "", "--list")
		w.record(r, "--list")
		if r.code != 1 || !strings.Contains(r.stderr, "Nie można odczytać listy kont "+index) || !strings.Contains(r.stderr, "wiersz") {
			t.Errorf("exit %d, want 1 with the Polish words\n%s", r.code, r.stderr)
		}
	})
	// Put back, the index is whole and the account as it was.
	if err := os.WriteFile(index, []byte(valid), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := w.entry(p.domain); got.ID != e.ID {
		t.Errorf("entry %s, want %s", got.ID, e.ID)
	}
	w.clean(p, 1)
}

// TestSymlinkedIndex (issue 17, item 10): an entries.json that is a
// symbolic link (a dotfiles manager's) is written through, as editors do:
// the link stays a link, its target holds every entry, and nothing splits
// the index in two. A link into a directory that does not exist (a disk
// not mounted) is refused with words naming the file, and left alone.
func TestSymlinkedIndex(t *testing.T) {
	firstPassOnly(t)
	p := providers[0]
	w := newWorld(t)
	if err := os.MkdirAll(w.configDir, 0o700); err != nil {
		t.Fatal(err)
	}
	index := filepath.Join(w.configDir, store.IndexFile)
	dotfiles := t.TempDir()
	target := filepath.Join(dotfiles, "setupwizard.json")
	isLink := func() {
		t.Helper()
		if fi, err := os.Lstat(index); err != nil || fi.Mode()&os.ModeSymlink == 0 {
			t.Fatalf("entries.json is no longer a symbolic link: %v %v", fi, err)
		}
	}

	unmounted := filepath.Join(t.TempDir(), "usb", "setupwizard.json")
	if err := os.Symlink(unmounted, index); err != nil {
		t.Fatal(err)
	}
	w.emus[p.domain].ResetRequests()
	for _, args := range [][]string{{"--list"}, addArgs(p)} {
		r := w.run(password(p), args...)
		if r.code != 1 || !strings.Contains(r.stderr, index) || !strings.Contains(r.stderr, "symbolic link to "+unmounted) {
			t.Errorf("%v with a link into a missing dir: exit %d\n%s", args, r.code, r.stderr)
		}
	}
	if n := w.emus[p.domain].Requests(); n != 0 {
		t.Errorf("%d requests with a link into a missing dir", n)
	}
	isLink()

	if err := os.Remove(index); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, index); err != nil {
		t.Fatal(err)
	}
	e := addScripted(t, w, p) // makes the target
	other, otherPW := p.addOther(w)
	w.secret(otherPW)
	w.mustRun(0, otherPW+"\n", "--provider", p.domain, "-u", other, "--password-stdin")
	isLink()
	b, err := os.ReadFile(target)
	if err != nil || !strings.Contains(string(b), e.ID) || strings.Count(string(b), `"entry_id"`) != 2 {
		t.Fatalf("the link's target does not hold both entries: %v\n%s", err, b)
	}
	if n := len(w.list()); n != 2 {
		t.Errorf("--list shows %d entries, want 2", n)
	}
	w.mustRun(0, "", "--remove", "--account", p.uniqueID, "--yes")
	isLink()
	w.mustRun(0, "", "--remove", "--account", other, "--yes")
	w.clean(p, 0)
}

// TestFullDiskBeforeSignIn (issue 17, item 4): on a full disk an add, a
// reauth and --status stop before any request, saying the disk holding
// the config dir is full; once there is room they work. A small tmpfs is
// mounted and filled for it (this needs root: elsewhere the test is
// skipped, saying why; internal/store's TestCheckWritableDiskFull covers
// the same path with an injected writer).
func TestFullDiskBeforeSignIn(t *testing.T) {
	firstPassOnly(t)
	mnt := testenv.MountTmpfs(t, "64k")
	p := providers[0]
	w := newWorld(t)
	w.configDir = filepath.Join(mnt, "config")
	addScripted(t, w, p)
	w.mustRun(0, "", "--status") // its refresh lock dir, while there is room
	fills := testenv.Fill(t, mnt)
	other, otherPW := p.addOther(w)
	w.secret(otherPW)
	w.emus[p.domain].ResetRequests()
	for _, c := range []struct {
		stdin string
		args  []string
	}{
		{otherPW + "\n", []string{"--provider", p.domain, "-u", other, "--password-stdin"}},
		{p.password + "\n", []string{"--reauth", "--account", p.uniqueID, "--password-stdin"}},
		{"", []string{"--status"}},
	} {
		r := w.run(c.stdin, c.args...)
		if r.code != 1 || !strings.Contains(r.stderr, "The disk holding "+w.configDir+" is full") {
			t.Errorf("%v on a full disk: exit %d, want 1 saying the disk is full\n%s%s", c.args, r.code, r.stdout, r.stderr)
		}
	}
	if n := w.emus[p.domain].Requests(); n != 0 {
		t.Errorf("%d requests reached the service on a full disk", n)
	}
	for _, f := range fills {
		_ = os.Remove(f)
	}
	w.mustRun(0, otherPW+"\n", "--provider", p.domain, "-u", other, "--password-stdin")
	w.clean(p, 2)
}
