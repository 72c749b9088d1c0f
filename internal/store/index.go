package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// Index file names in the config dir.
const (
	IndexFile = "entries.json"
	LockFile  = "entries.lock"
	// IndexVersion is the format written. Version 2 added each entry's
	// identity and the pending list; version 1 indexes are read as they
	// are and written as version 2 by the next change (never refused).
	IndexVersion = 2
	// maxIndexSize caps what is read from entries.json; thousands of
	// entries fit in far less.
	maxIndexSize = 16 << 20
)

// indexFile is the layout of entries.json.
type indexFile struct {
	Version int     `json:"version"`
	Entries []Entry `json:"entries"`
	// Pending lists changes that were writing keyring items when the
	// index was written: each records its intent here before its first
	// keyring write and drops it in the index write that commits it, so
	// whatever an interrupted change left is known to the next writer,
	// which finishes or undoes it (recoverPending).
	Pending []pendingOp `json:"pending,omitempty"`
}

// Kinds of pending change.
const (
	opAdd     = "add"     // undo: delete generation Gen (Chunks) and the manifest
	opReplace = "replace" // finish: delete the generations the manifest lists as stale
	opRemove  = "remove"  // finish: delete every item, then the entry
)

// pendingOp is the intent of a change to entry ID's items in Service. For
// an add, generation Gen (Chunks chunks) may exist with no entry owning it.
type pendingOp struct {
	Op      string `json:"op"`
	ID      string `json:"entry_id"`
	Service string `json:"service"`
	Gen     string `json:"generation,omitempty"`
	Chunks  int    `json:"chunks,omitempty"`
}

// readIndex reads entries.json; a missing file is an empty index. Anything
// it cannot read safely is an *IndexError (ErrIndex), so a later write
// never replaces data this version does not understand. A symbolic link
// is followed (writeIndex writes through it); see indexTarget for one
// whose target does not exist.
func readIndex(path string) (indexFile, error) {
	target, err := indexTarget(path)
	if err != nil {
		return indexFile{}, err
	}
	f, err := os.Open(target)
	if errors.Is(err, os.ErrNotExist) {
		return indexFile{Version: IndexVersion}, nil
	}
	if err != nil {
		return indexFile{}, fmt.Errorf("read entries index: %w", &IndexError{Path: path, Problem: IndexRead, Detail: err.Error()})
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxIndexSize+1))
	if err != nil {
		return indexFile{}, fmt.Errorf("read entries index: %w", &IndexError{Path: path, Problem: IndexRead, Detail: err.Error()})
	}
	return parseIndex(path, b)
}

// indexTarget is the file entries.json names: path itself, or where a
// symbolic link at path leads. A link that cannot be followed (dangling,
// a loop) is an *IndexError.
func indexTarget(path string) (string, error) {
	fi, err := os.Lstat(path)
	if err != nil || fi.Mode()&os.ModeSymlink == 0 {
		return path, nil // absent or a plain file; os.Open says the rest
	}
	target, err := filepath.EvalSymlinks(path)
	if err == nil {
		return target, nil
	}
	// A link to a file not made yet, in a directory that exists (a
	// dotfiles repository's): an empty index whose first write creates
	// the file, as an editor does. A link into a directory that does
	// not exist (a disk not mounted now) or a loop is unreadable.
	dest, _ := os.Readlink(path)
	if dest != "" {
		if !filepath.IsAbs(dest) {
			dest = filepath.Join(filepath.Dir(path), dest)
		}
		dir, derr := filepath.EvalSymlinks(filepath.Dir(dest))
		if _, lerr := os.Lstat(dest); derr == nil && errors.Is(lerr, os.ErrNotExist) {
			return filepath.Join(dir, filepath.Base(dest)), nil
		}
	}
	return "", fmt.Errorf("read entries index: %w", &IndexError{Path: path, Problem: IndexLink, Detail: dest})
}

// strict is how entries.json is decoded: keys match in their exact case,
// a repeated key and an unknown field are errors (encoding/json would
// match "Entries" to entries, let the last repeat win and, without
// DisallowUnknownFields, drop what it does not know: an index read that
// way and written back loses entries). github.com/go-json-experiment/json
// is encoding/json/v2 as proposed, usable without GOEXPERIMENT.
var strict = jsonv2.JoinOptions(jsonv2.RejectUnknownMembers(true), jsontext.AllowDuplicateNames(false))

// parseIndex decodes and checks the bytes of entries.json.
func parseIndex(path string, b []byte) (indexFile, error) {
	bad := func(ie *IndexError) (indexFile, error) { return indexFile{}, ie }
	rules := func(format string, a ...any) (indexFile, error) {
		return bad(&IndexError{Path: path, Problem: IndexRules, Detail: fmt.Sprintf(format, a...)})
	}
	if len(b) > maxIndexSize {
		return bad(&IndexError{Path: path, Problem: IndexTooLarge})
	}
	// The version first, ignoring other fields: a newer format may
	// change any of them, and "upgrade" is the useful answer then.
	var probe struct {
		Version *int `json:"version"`
	}
	if err := jsonv2.Unmarshal(b, &probe, jsontext.AllowDuplicateNames(false)); err != nil {
		return bad(jsonProblem(path, b, err))
	}
	switch {
	case probe.Version == nil:
		return bad(&IndexError{Path: path, Problem: IndexNoVersion})
	case *probe.Version > IndexVersion:
		return bad(&IndexError{Path: path, Problem: IndexNewer, Version: *probe.Version})
	case *probe.Version < 1:
		return bad(&IndexError{Path: path, Problem: IndexBadVersion, Version: *probe.Version})
	}
	var idx indexFile
	if err := jsonv2.Unmarshal(b, &idx, strict); err != nil {
		return bad(jsonProblem(path, b, err))
	}
	ids := map[string]bool{}
	uniques := map[[2]string]bool{}
	for i, e := range idx.Entries {
		if err := checkEntry(e); err != nil {
			return rules("entry %d: %v", i, err)
		}
		if ids[e.ID] {
			return rules("entry id %q appears twice", e.ID)
		}
		ids[e.ID] = true
		u := [2]string{e.Domain, e.UniqueID}
		if uniques[u] {
			return rules("%s unique id %q appears twice", e.Domain, e.UniqueID)
		}
		uniques[u] = true
		// Titles come from servers; one stored by an older version may
		// hold control characters (defence in depth: see cleanText).
		idx.Entries[i].Title = cleanText(e.Title)
	}
	for i, p := range idx.Pending {
		if (p.Op != opAdd && p.Op != opReplace && p.Op != opRemove) || !entryIDRE.MatchString(p.ID) ||
			!strings.HasPrefix(p.Service, ServicePrefix) || !domainRE.MatchString(strings.TrimPrefix(p.Service, ServicePrefix)) ||
			(p.Op == opAdd && !genRE.MatchString(p.Gen)) || (p.Gen != "" && !genRE.MatchString(p.Gen)) ||
			p.Chunks < 0 || p.Chunks > maxChunks {
			return rules("pending change %d: bad fields", i)
		}
	}
	return idx, nil
}

// entryIDRE is what newEntryID makes; the id becomes keyring user names.
var entryIDRE = regexp.MustCompile(`^[0-9a-f]{16}$`)

// checkEntry checks the fields other code relies on.
func checkEntry(e Entry) error {
	switch {
	case !entryIDRE.MatchString(e.ID):
		return fmt.Errorf("bad entry id %q (want 16 lower-case hex digits)", e.ID)
	case !domainRE.MatchString(e.Domain):
		return fmt.Errorf("bad domain %q", e.Domain)
	case e.UniqueID == "":
		return errors.New("empty unique id")
	case e.Keyring != (KeyringRef{Service: Service(e.Domain), Item: e.ID}):
		return fmt.Errorf("keyring reference %+v, want service %q item %q", e.Keyring, Service(e.Domain), e.ID)
	}
	for _, is := range e.Issues {
		if is.ID == "" {
			return errors.New("repair issue with an empty issue_id")
		}
	}
	return nil
}

// staleTempAge is how old a temp file of an index write must be before a
// later write deletes it: older than any write in progress, left by a
// process that died between creating and renaming it.
const staleTempAge = time.Minute

// tempPattern names the temp files of index writes.
const tempPattern = "." + IndexFile + ".*.tmp"

// writeIndex replaces entries.json atomically: a temp file in the same dir
// (mode 0600), fsync, rename over the old file, fsync the dir. A crash
// leaves the old or the new index, and no temp file survives an error. An
// error means the index was not replaced: once the rename is done nothing
// fails, so a caller never undoes a committed change (see syncDir).
func writeIndex(path string, idx indexFile) (err error) {
	if idx.Entries == nil {
		idx.Entries = []Entry{}
	}
	idx.Version = IndexVersion
	b, err := json.MarshalIndent(idx, "", "  ")
	if err != nil {
		return fmt.Errorf("encode entries index: %w", err)
	}
	b = append(b, '\n')
	// A symbolic link (a dotfiles manager's) is written through, as
	// editors do: the temp file goes beside its target and is renamed
	// over it, so the link stays and every reader sees one index.
	target, err := indexTarget(path)
	if err != nil {
		return err
	}
	dir := filepath.Dir(target)
	defer func() { err = asDiskFull(dir, err) }()
	removeStaleTemps(dir)
	f, err := os.CreateTemp(dir, tempPattern)
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
	if err = rename(tmp, target); err != nil {
		return fmt.Errorf("write entries index: %w", err)
	}
	// The new index is in place. A failed dir fsync (EINVAL or ENOTSUP
	// on FUSE, 9p, WSL) only weakens durability across a power cut; it
	// is not a failed write.
	_ = syncDir(dir)
	return nil
}

// removeStaleTemps deletes temp files of index writes older than
// staleTempAge, best effort.
func removeStaleTemps(dir string) {
	names, _ := filepath.Glob(filepath.Join(dir, tempPattern))
	for _, n := range names {
		if fi, err := os.Lstat(n); err == nil && fi.Mode().IsRegular() && time.Since(fi.ModTime()) > staleTempAge {
			_ = os.Remove(n)
		}
	}
}

// syncDir makes the rename durable. Windows cannot open a directory for
// syncing, and NTFS renames are journalled. A variable so tests can fail it.
var syncDir = func(dir string) error {
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
