package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// Index file names in the config dir.
const (
	IndexFile    = "entries.json"
	LockFile     = "entries.lock"
	IndexVersion = 1
	// maxIndexSize caps what is read from entries.json; thousands of
	// entries fit in far less.
	maxIndexSize = 16 << 20
)

// indexFile is the layout of entries.json.
type indexFile struct {
	Version int     `json:"version"`
	Entries []Entry `json:"entries"`
}

// readIndex reads entries.json; a missing file is an empty index. Anything
// it cannot read safely is ErrIndex, so a later write never replaces data
// this version does not understand.
func readIndex(path string) ([]Entry, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read entries index: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxIndexSize+1))
	if err != nil {
		return nil, fmt.Errorf("read entries index: %w", err)
	}
	return parseIndex(path, b)
}

// parseIndex decodes and checks the bytes of entries.json.
func parseIndex(path string, b []byte) ([]Entry, error) {
	bad := func(format string, a ...any) ([]Entry, error) {
		return nil, fmt.Errorf("%s: %s; fix or move the file away (setupwizard will not overwrite it): %w",
			path, fmt.Sprintf(format, a...), ErrIndex)
	}
	if len(b) > maxIndexSize {
		return bad("larger than %d bytes", maxIndexSize)
	}
	var probe struct {
		Version *int `json:"version"`
	}
	if err := json.Unmarshal(b, &probe); err != nil {
		return bad("not valid JSON (%v)", err)
	}
	switch {
	case probe.Version == nil:
		return bad(`no "version" field`)
	case *probe.Version > IndexVersion:
		return bad("written by a newer setupwizard (version %d; this one reads version %d): upgrade setupwizard", *probe.Version, IndexVersion)
	case *probe.Version != IndexVersion:
		return bad("unknown version %d", *probe.Version)
	}
	var idx indexFile
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&idx); err != nil {
		return bad("unexpected content (%v)", err)
	}
	ids := map[string]bool{}
	for i, e := range idx.Entries {
		if err := checkEntry(e); err != nil {
			return bad("entry %d: %v", i, err)
		}
		if ids[e.ID] {
			return bad("entry id %q appears twice", e.ID)
		}
		ids[e.ID] = true
	}
	return idx.Entries, nil
}

// checkEntry checks the fields other code relies on.
func checkEntry(e Entry) error {
	switch {
	case e.ID == "" || len(e.ID) > 64 || strings.ContainsAny(e.ID, "/\\ \t\n"):
		return fmt.Errorf("bad entry id %q", e.ID)
	case !domainRE.MatchString(e.Domain):
		return fmt.Errorf("bad domain %q", e.Domain)
	case e.UniqueID == "":
		return errors.New("empty unique id")
	case e.Keyring != (KeyringRef{Service: Service(e.Domain), Item: e.ID}):
		return fmt.Errorf("keyring reference %+v, want service %q item %q", e.Keyring, Service(e.Domain), e.ID)
	}
	return nil
}

// writeIndex replaces entries.json atomically: a temp file in the same dir
// (mode 0600), fsync, rename over the old file, fsync the dir. A crash
// leaves the old or the new index, and no temp file survives an error.
func writeIndex(path string, entries []Entry) (err error) {
	if entries == nil {
		entries = []Entry{}
	}
	b, err := json.MarshalIndent(indexFile{Version: IndexVersion, Entries: entries}, "", "  ")
	if err != nil {
		return fmt.Errorf("encode entries index: %w", err)
	}
	b = append(b, '\n')
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+IndexFile+".*.tmp")
	if err != nil {
		return fmt.Errorf("write entries index: %w", err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(tmp)
		}
	}()
	if err = f.Chmod(0o600); err != nil {
		return fmt.Errorf("write entries index: %w", err)
	}
	if _, err = f.Write(b); err != nil {
		return fmt.Errorf("write entries index: %w", err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("write entries index: %w", err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("write entries index: %w", err)
	}
	if err = os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write entries index: %w", err)
	}
	return syncDir(dir)
}

// syncDir makes the rename durable. Windows cannot open a directory for
// syncing, and NTFS renames are journalled.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync config dir: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync config dir: %w", err)
	}
	return nil
}
