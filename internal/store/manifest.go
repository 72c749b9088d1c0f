package store

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// Keyring layout; FORMAT.md documents it for other programs and must change
// with it.
const (
	// ServicePrefix + domain is the keyring service of every item.
	ServicePrefix = "setupwizard:"
	// MaxItemSize is the largest value ever passed to the keyring, in bytes.
	// Windows rejects more than 2560 and macOS about 3000 (with service and
	// user), so one limit below both keeps one code path on every OS.
	MaxItemSize = 2048
	// ChunkSize is the raw bytes per chunk: std base64 of 1536 bytes is
	// exactly MaxItemSize characters.
	ChunkSize = MaxItemSize / 4 * 3
	// MaxCacheSize bounds a token cache written (real ones are 4-6 KB):
	// 43 chunks at most, so a write holds entries.lock for a short batch
	// of keyring calls and a hostile service cannot fill the keyring.
	MaxCacheSize = 64 << 10
	// maxReadSize bounds a cache read back: caches of up to 4 MiB written
	// by earlier versions stay readable and removable, and a hostile
	// manifest still cannot make a reader fetch millions of items.
	maxReadSize = 4 << 20
	// ManifestVersion is the "version" of the manifest format.
	ManifestVersion = 1
	// maxStale bounds the manifest's list of dead generations; the replace
	// protocol never needs more than one, and a few leave room for repair.
	maxStale = 8
)

// Service is the keyring service holding a domain's token caches.
func Service(domain string) string { return ServicePrefix + domain }

// ChunkUser is the keyring user (account) of chunk index of generation gen
// of entry id's cache. The manifest's user is the entry id alone.
func ChunkUser(id, gen string, index int) string {
	return id + "/" + gen + "/" + strconv.Itoa(index)
}

// manifest is the keyring item under user <entry_id>. It names the current
// generation and the dead ones whose chunks may still exist (a crash or a
// failed delete), so the next write can delete them: go-keyring cannot list.
type manifest struct {
	Version int    `json:"version"`
	Gen     string `json:"generation"`
	Chunks  int    `json:"chunks"`
	Size    int    `json:"size"`
	SHA256  string `json:"sha256"`
	Stale   []dead `json:"stale,omitempty"`
}

// dead is a generation pending deletion: chunks 0..Chunks-1 may exist.
type dead struct {
	Gen    string `json:"generation"`
	Chunks int    `json:"chunks"`
}

var (
	genRE = regexp.MustCompile(`^[0-9a-f]{8}$`)
	// genFieldRE finds generation fields in a manifest too broken to parse.
	genFieldRE = regexp.MustCompile(`"generation"\s*:\s*"([0-9a-f]{8})"`)
	shaRE      = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

// maxChunks is the chunk count of a maxReadSize cache.
const maxChunks = (maxReadSize + ChunkSize - 1) / ChunkSize

// chunkCount is how many chunks a cache of size bytes takes.
func chunkCount(size int) int { return (size + ChunkSize - 1) / ChunkSize }

// newManifest describes cache as generation gen.
func newManifest(gen string, cache []byte) manifest {
	sum := sha256.Sum256(cache)
	return manifest{
		Version: ManifestVersion,
		Gen:     gen,
		Chunks:  chunkCount(len(cache)),
		Size:    len(cache),
		SHA256:  hex.EncodeToString(sum[:]),
	}
}

// encode is the manifest's keyring value.
func (m manifest) encode() (string, error) {
	b, err := json.Marshal(m)
	if err != nil {
		return "", fmt.Errorf("encode manifest: %w", err)
	}
	if len(b) > MaxItemSize {
		return "", fmt.Errorf("manifest of %d bytes is over the %d-byte item limit", len(b), MaxItemSize)
	}
	return string(b), nil
}

// looseManifest is what can still be learnt from a manifest that fails
// parseManifest: its version, and the generations whose chunks may exist.
type looseManifest struct {
	Version int    `json:"version"`
	Gen     string `json:"generation"`
	Chunks  int    `json:"chunks"`
	Stale   []dead `json:"stale"`
}

// parseLoose decodes what it can of v's first JSON value; fields of the
// wrong type stay zero.
func parseLoose(v string) (looseManifest, bool) {
	var l looseManifest
	err := json.NewDecoder(bytes.NewReader([]byte(v))).Decode(&l)
	var te *json.UnmarshalTypeError
	if err != nil && !errors.As(err, &te) {
		return looseManifest{}, false
	}
	return l, true
}

// leftovers lists the generations a corrupt manifest names, so Remove and
// replace can still delete their chunks. Chunk counts are only upper bounds
// here (deleteLeftovers probes for the chunks that really exist).
//
// A value that is not even JSON (a manifest cut off mid-write, or mangled)
// is scanned for anything shaped like a generation field instead, so its
// chunks are deleted all the same.
func leftovers(v string) []dead {
	l, ok := parseLoose(v)
	if !ok {
		l = looseManifest{}
		for _, m := range genFieldRE.FindAllStringSubmatch(v, maxStale+1) {
			l.Stale = append(l.Stale, dead{Gen: m[1]})
		}
	}
	var out []dead
	add := func(gen string, chunks int) {
		if !genRE.MatchString(gen) || len(out) > maxStale {
			return
		}
		for _, d := range out {
			if d.Gen == gen {
				return
			}
		}
		if chunks <= 0 || chunks > maxChunks {
			chunks = maxChunks
		}
		out = append(out, dead{gen, chunks})
	}
	add(l.Gen, l.Chunks)
	for _, d := range l.Stale {
		add(d.Gen, d.Chunks)
	}
	return out
}

// parseManifest reads and checks a manifest value. A higher version is
// ErrNewer (checked first: a newer format may change any other field);
// every other problem is ErrCorrupt, with the reason.
func parseManifest(v string) (manifest, error) {
	var m manifest
	bad := func(format string, a ...any) (manifest, error) {
		return manifest{}, fmt.Errorf("manifest: %s: %w", fmt.Sprintf(format, a...), ErrCorrupt)
	}
	// The version by its exact key (encoding/json would match "Version"
	// too and let the last of repeated keys win).
	var probe struct {
		Version int `json:"version"`
	}
	if jsonv2.Unmarshal([]byte(v), &probe, jsontext.AllowDuplicateNames(false)) == nil && probe.Version > ManifestVersion {
		return manifest{}, fmt.Errorf("manifest version %d was written by a newer setupwizard (this one reads version %d); upgrade setupwizard: %w",
			probe.Version, ManifestVersion, ErrNewer)
	}
	if len(v) > MaxItemSize {
		return bad("%d bytes, over the %d-byte item limit", len(v), MaxItemSize)
	}
	// Strictly, as the index (see strict): keys in their exact case, no
	// repeats, no unknown fields, nothing after the object.
	dec := jsontext.NewDecoder(strings.NewReader(v))
	val, err := dec.ReadValue()
	if err != nil {
		return bad("not the expected JSON (%v)", err)
	}
	val = val.Clone() // valid only until the next read
	if _, err := dec.ReadToken(); err != io.EOF {
		return bad("trailing data after the JSON object")
	}
	if err := jsonv2.Unmarshal(val, &m, strict); err != nil {
		return bad("not the expected JSON (%v)", err)
	}
	switch {
	case m.Version != ManifestVersion:
		return bad("version %d, this setupwizard reads version %d", m.Version, ManifestVersion)
	case !genRE.MatchString(m.Gen):
		return bad("generation %q is not 8 lower-case hex digits", m.Gen)
	case m.Size < 0 || m.Size > maxReadSize:
		return bad("size %d out of range 0..%d", m.Size, maxReadSize)
	case m.Chunks != chunkCount(m.Size):
		return bad("%d chunks for %d bytes, want %d", m.Chunks, m.Size, chunkCount(m.Size))
	case !shaRE.MatchString(m.SHA256):
		return bad("sha256 is not 64 lower-case hex digits")
	case len(m.Stale) > maxStale:
		return bad("%d stale generations, at most %d", len(m.Stale), maxStale)
	}
	for _, d := range m.Stale {
		if !genRE.MatchString(d.Gen) || d.Gen == m.Gen || d.Chunks < 0 || d.Chunks > maxChunks {
			return bad("bad stale generation %q (%d chunks)", d.Gen, d.Chunks)
		}
	}
	return m, nil
}

// newGen picks a random generation id unlike the ones in avoid.
func newGen(avoid ...string) string {
	for {
		var b [4]byte
		_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
		g := hex.EncodeToString(b[:])
		clash := false
		for _, a := range avoid {
			clash = clash || a == g
		}
		if !clash {
			return g
		}
	}
}

// split cuts cache into chunk values (std base64 of ChunkSize raw bytes,
// the last one shorter).
func split(cache []byte) []string {
	var out []string
	for off := 0; off < len(cache); off += ChunkSize {
		end := min(off+ChunkSize, len(cache))
		out = append(out, base64.StdEncoding.EncodeToString(cache[off:end]))
	}
	return out
}

// decodeChunk checks one chunk value of a cache described by m.
func decodeChunk(m manifest, index int, v string) ([]byte, error) {
	if len(v) > MaxItemSize {
		return nil, fmt.Errorf("chunk %d: %d bytes, over the item limit: %w", index, len(v), ErrCorrupt)
	}
	b, err := base64.StdEncoding.Strict().DecodeString(v)
	if err != nil {
		return nil, fmt.Errorf("chunk %d: not std base64: %w", index, ErrCorrupt)
	}
	want := ChunkSize
	if index == m.Chunks-1 {
		want = m.Size - index*ChunkSize
	}
	if len(b) != want {
		return nil, fmt.Errorf("chunk %d: %d bytes, want %d: %w", index, len(b), want, ErrCorrupt)
	}
	return b, nil
}

// verify checks the reassembled cache against the manifest.
func verify(m manifest, cache []byte) error {
	if len(cache) != m.Size {
		return fmt.Errorf("reassembled %d bytes, manifest says %d: %w", len(cache), m.Size, ErrCorrupt)
	}
	sum := sha256.Sum256(cache)
	if hex.EncodeToString(sum[:]) != m.SHA256 {
		return fmt.Errorf("SHA-256 of the reassembled cache does not match the manifest: %w", ErrCorrupt)
	}
	return nil
}
