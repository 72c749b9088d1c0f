package e2e

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/setupwizard/setupwizard/internal/store"
)

// forms are the ways a password could be written down besides verbatim.
func forms(pw string) []string {
	return []string{
		pw,
		url.QueryEscape(pw),
		base64.StdEncoding.EncodeToString([]byte(pw)),
		base64.RawURLEncoding.EncodeToString([]byte(pw)),
	}
}

// scanSecrets fails the test if any password of the scenario shows up in
// the keyring (items verbatim and chunked caches decoded), in any file under
// the config dir, or in anything the program wrote to a terminal or pipe.
func (w *world) scanSecrets() {
	w.t.Helper()
	for _, leak := range w.leaks() {
		w.t.Error(leak)
	}
}

// leaks lists every place a password of the scenario was found.
func (w *world) leaks() []string {
	var found []string
	type blob struct {
		where string
		data  []byte
	}
	var blobs []blob
	for _, p := range providers {
		items := keyringItems(w.t, p.domain)
		for _, it := range items {
			blobs = append(blobs, blob{"keyring item " + p.domain + " " + it.user, []byte(it.secret)})
		}
		for k, c := range decodedCaches(items) {
			blobs = append(blobs, blob{"decoded cache " + p.domain + " " + k, c})
		}
	}
	_ = filepath.WalkDir(w.configDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			found = append(found, fmt.Sprintf("cannot scan %s: %v", path, err))
			return nil
		}
		blobs = append(blobs, blob{"file " + path, b})
		return nil
	})
	for _, c := range w.outputs {
		blobs = append(blobs, blob{c.what, c.data()})
	}
	for _, pw := range w.secrets {
		for _, f := range forms(pw) {
			for _, b := range blobs {
				if bytes.Contains(b.data, []byte(f)) {
					found = append(found, fmt.Sprintf("password %q (as %q) found in %s", pw, f, b.where))
				}
			}
		}
	}
	return found
}

// TestScanFindsLeaks proves the scan is not blind: a password in a config
// file, split over two base64 chunks in the keyring, or in terminal output
// is reported.
func TestScanFindsLeaks(t *testing.T) {
	w := newWorld(t)
	pw := w.secret("leak-canary-Zp4")
	fileOnly := w.secret("file-canary-Qm8")
	outOnly := w.secret("output-canary-Hs2")
	if err := os.MkdirAll(w.configDir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(w.configDir, "x.json"), []byte(`{"p":"`+fileOnly+`"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	w.outputs = append(w.outputs, capture{what: "fake output", data: func() []byte { return []byte("\x1b[1m" + outOnly) }})
	// A cache whose password straddles the chunk boundary.
	cache := []byte(`{"x":"` + pw + `"}`)
	half := len(cache) / 2
	svc, id := store.Service("flameconnect"), fmt.Sprintf("e2e-scan-%d", time.Now().UnixNano())
	chunks := [][]byte{cache[:half], cache[half:]}
	for i, c := range chunks {
		user := fmt.Sprintf("%s/abcdef01/%d", id, i)
		if err := keyring.Set(svc, user, base64.StdEncoding.EncodeToString(c)); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = keyring.Delete(svc, user) })
	}

	leaks := strings.Join(w.leaks(), "\n")
	for _, want := range []string{
		`"` + pw + `" (as "` + pw + `") found in decoded cache flameconnect ` + id + "/abcdef01",
		`"` + fileOnly + `" (as "` + fileOnly + `") found in file`,
		`"` + outOnly + `" (as "` + outOnly + `") found in fake output`,
	} {
		if !strings.Contains(leaks, want) {
			t.Errorf("the scan missed %s; it reported:\n%s", want, leaks)
		}
	}
	// The planted leaks are this test's own: clear them before cleanup scans.
	w.secrets = nil
}
