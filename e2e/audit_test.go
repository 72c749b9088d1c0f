package e2e

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/setupwizard/setupwizard/internal/store"
)

// secretToolItems lists every item of setupwizard:<domain> with libsecret's
// own client (`secret-tool search --all service ...`), a second reader
// besides go-keyring's: user name to secret. secret-tool prints each
// item's secret on stdout and its attributes on stderr, in the same order,
// two attributes (service, username) per item as go-keyring writes them.
//
// bus is the D-Bus address of the keyring to list ("" for this process's);
// only this process's is also listed through D-Bus to cross-check.
func secretToolItems(t *testing.T, bus, domain string) map[string]string {
	t.Helper()
	if _, err := exec.LookPath("secret-tool"); err != nil {
		t.Skip("secret-tool is not installed (libsecret-tools)")
	}
	cmd := exec.Command("secret-tool", "search", "--all", "service", store.Service(domain))
	if bus != "" {
		cmd.Env = append(os.Environ(), "DBUS_SESSION_BUS_ADDRESS="+bus)
	}
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	// secret-tool exits 1 when nothing matches; its output then is empty.
	_ = cmd.Run()
	var secrets, users []string
	for _, l := range strings.Split(out.String(), "\n") {
		if v, ok := strings.CutPrefix(l, "secret = "); ok {
			secrets = append(secrets, v)
		}
	}
	for _, l := range strings.Split(errOut.String(), "\n") {
		if v, ok := strings.CutPrefix(l, "attribute.username = "); ok {
			users = append(users, v)
		}
	}
	if len(users) != len(secrets) {
		t.Fatalf("secret-tool listed %d secrets and %d user names:\n%s\n%s", len(secrets), len(users), out.String(), errOut.String())
	}
	items := map[string]string{}
	for i, u := range users {
		items[u] = secrets[i]
	}
	if bus != "" {
		return items
	}
	// The same items as the Secret Service lists them to go-keyring's
	// D-Bus client: two readers that agree.
	viaDBus := itemNames(keyringItems(t, domain))
	if len(viaDBus) != len(items) {
		t.Fatalf("secret-tool lists %d items of %s, D-Bus %d", len(items), domain, len(viaDBus))
	}
	for u := range items {
		if !viaDBus[u] {
			t.Fatalf("secret-tool lists %s item %q, D-Bus does not", domain, u)
		}
	}
	return items
}

// audit is what a kill or stall left, judged as an outsider would: the
// index as JSON and the keyring as secret-tool lists it, checked against
// internal/store/FORMAT.md without the store's code.
type audit struct {
	entries int
	// orphans are items of the service no entry of the index owns (not
	// present when the world began).
	orphans []string
	// corrupt are entries whose cache does not read back whole.
	corrupt []string
	// bad says what is wrong with the index itself ("" when valid).
	bad string
	// pending is how many interrupted changes the index still records.
	pending int
}

func (a audit) String() string {
	return fmt.Sprintf("entries %d, orphans %v, corrupt %v, index %q, pending %d", a.entries, a.orphans, a.corrupt, a.bad, a.pending)
}

// manifestJSON is a manifest item (FORMAT.md).
type manifestJSON struct {
	Version int    `json:"version"`
	Gen     string `json:"generation"`
	Chunks  int    `json:"chunks"`
	Size    int    `json:"size"`
	SHA256  string `json:"sha256"`
	Stale   []struct {
		Gen    string `json:"generation"`
		Chunks int    `json:"chunks"`
	} `json:"stale"`
}

// auditDomain checks the world's config dir and the keyring for domain.
func (w *world) auditDomain(domain string) audit {
	w.t.Helper()
	var a audit
	var idx struct {
		Version int `json:"version"`
		Entries []struct {
			ID      string `json:"entry_id"`
			Domain  string `json:"domain"`
			Keyring struct {
				Service string `json:"service"`
				Item    string `json:"item"`
			} `json:"keyring"`
		} `json:"entries"`
		Pending []json.RawMessage `json:"pending"`
	}
	b, err := os.ReadFile(filepath.Join(w.configDir, store.IndexFile))
	switch {
	case os.IsNotExist(err):
		idx.Version = store.IndexVersion
	case err != nil:
		a.bad = err.Error()
	default:
		if err := json.Unmarshal(b, &idx); err != nil {
			a.bad = "not JSON: " + err.Error()
		} else if idx.Version != store.IndexVersion {
			a.bad = fmt.Sprintf("version %d", idx.Version)
		}
	}
	a.pending = len(idx.Pending)
	items := secretToolItems(w.t, w.bus(), domain)
	owned := map[string]bool{}
	for _, e := range idx.Entries {
		if e.Domain != domain {
			continue
		}
		a.entries++
		if e.Keyring.Service != store.Service(domain) || e.Keyring.Item != e.ID {
			a.bad = fmt.Sprintf("entry %s has keyring reference %+v", e.ID, e.Keyring)
		}
		owned[e.ID] = true
		if err := verifyCache(items, e.ID, owned); err != nil {
			a.corrupt = append(a.corrupt, e.ID+": "+err.Error())
		}
	}
	for u := range items {
		if !owned[u] && !w.before[domain][u] {
			a.orphans = append(a.orphans, u)
		}
	}
	sort.Strings(a.orphans)
	return a
}

// verifyCache reads entry id's cache back per FORMAT.md (manifest, then
// chunks 0..n-1 of its generation, base64, size and SHA-256) and marks the
// items it used as owned. A stale generation still listed counts as owned
// only while listed: the next write deletes it.
func verifyCache(items map[string]string, id string, owned map[string]bool) error {
	v, ok := items[id]
	if !ok {
		return fmt.Errorf("no manifest item")
	}
	var m manifestJSON
	if err := json.Unmarshal([]byte(v), &m); err != nil {
		return fmt.Errorf("manifest is not JSON: %v", err)
	}
	var cache []byte
	for i := range m.Chunks {
		u := fmt.Sprintf("%s/%s/%d", id, m.Gen, i)
		c, ok := items[u]
		if !ok {
			return fmt.Errorf("chunk %s missing", u)
		}
		owned[u] = true
		d, err := base64.StdEncoding.DecodeString(c)
		if err != nil {
			return fmt.Errorf("chunk %s is not base64: %v", u, err)
		}
		cache = append(cache, d...)
	}
	sum := sha256.Sum256(cache)
	if len(cache) != m.Size || hex.EncodeToString(sum[:]) != m.SHA256 {
		return fmt.Errorf("generation %s: %d bytes, want %d, or checksum differs", m.Gen, len(cache), m.Size)
	}
	if m.Size == 0 {
		return fmt.Errorf("generation %s is empty (a remove stopped half-way)", m.Gen)
	}
	for _, s := range m.Stale {
		for i := range s.Chunks {
			owned[fmt.Sprintf("%s/%s/%d", id, s.Gen, i)] = true
		}
	}
	return nil
}
