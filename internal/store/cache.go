package store

import (
	"errors"
	"fmt"
)

// caches reads and writes chunked token caches in the keyring. Callers hold
// the entries lock (exclusive to write, shared to read), so one writer at a
// time touches an entry's items.
type caches struct{ kr timedKeyring }

// readManifest returns the entry's manifest; a missing one matches
// errItemMissing, a bad one ErrCorrupt.
func (c caches) readManifest(service, id string) (manifest, error) {
	v, err := c.kr.get(service, id)
	if err != nil {
		return manifest{}, err
	}
	return parseManifest(v)
}

func (c caches) setManifest(service, id string, m manifest) error {
	v, err := m.encode()
	if err != nil {
		return err
	}
	return c.kr.set(service, id, v)
}

// load reads the cache back and verifies it: a missing manifest is
// ErrNotFound, a missing or altered chunk ErrCorrupt.
func (c caches) load(service, id string) ([]byte, error) {
	m, err := c.readManifest(service, id)
	switch {
	case errors.Is(err, errItemMissing):
		return nil, fmt.Errorf("no token cache in the keyring (service %q, user %q): %w", service, id, ErrNotFound)
	case err != nil:
		return nil, err
	}
	buf := make([]byte, 0, m.Size)
	for i := range m.Chunks {
		user := ChunkUser(id, m.Gen, i)
		v, err := c.kr.get(service, user)
		if errors.Is(err, errItemMissing) {
			return nil, fmt.Errorf("chunk item %q of service %q is missing: %w", user, service, ErrCorrupt)
		}
		if err != nil {
			return nil, err
		}
		b, err := decodeChunk(m, i, v)
		if err != nil {
			return nil, fmt.Errorf("item %q: %w", user, err)
		}
		buf = append(buf, b...)
	}
	if err := verify(m, buf); err != nil {
		return nil, err
	}
	return buf, nil
}

// create writes the cache of a brand-new entry: chunks, then the manifest.
// Nothing refers to the entry until the index is written, so no intent
// record is needed. It returns what it wrote so a failed Add can undo it.
func (c caches) create(service, id string, cache []byte) (manifest, error) {
	if len(cache) > MaxCacheSize {
		return manifest{}, fmt.Errorf("%d bytes, at most %d: %w", len(cache), MaxCacheSize, ErrTooLarge)
	}
	m := newManifest(newGen(), cache)
	if err := c.setChunks(service, id, m.Gen, cache); err != nil {
		return m, err
	}
	return m, c.setManifest(service, id, m)
}

// undoCreate deletes what create wrote, best effort: it stops at the first
// failure (a keyring that fails or hangs would fail every call).
func (c caches) undoCreate(service, id string, m manifest) {
	if c.deleteGen(service, id, dead{m.Gen, m.Chunks}) == nil {
		_ = c.deleteItem(service, id)
	}
}

// replace swaps the entry's cache so that at every instant the manifest
// names a complete generation (the old one, then the new one):
//
//  1. read the manifest (generation A, maybe stale generations S);
//  2. delete S's chunks (left by a crash or a failed delete);
//  3. write the manifest A with stale [B] (intent: B's chunks may appear);
//  4. write B's chunks;
//  5. write the manifest B with stale [A] (the switch: B is now the cache);
//  6. delete A's chunks;
//  7. write the manifest B with no stale generations.
//
// A failure up to 5 returns an error and leaves A readable; B's chunks are
// listed as stale and deleted by the next write. After 5 the replace has
// happened: failures in 6 and 7 are left for the next write to finish and
// are not reported. A missing or corrupt manifest has nothing to protect,
// so steps 2, 3 and 6 are skipped (chunks of a corrupt manifest cannot be
// found without a list call and stay behind).
func (c caches) replace(service, id string, cache []byte) error {
	if len(cache) > MaxCacheSize {
		return fmt.Errorf("%d bytes, at most %d: %w", len(cache), MaxCacheSize, ErrTooLarge)
	}
	old, err := c.readManifest(service, id)
	prev := err == nil
	if err != nil && !errors.Is(err, errItemMissing) && !errors.Is(err, ErrCorrupt) {
		return err
	}
	avoid := []string{old.Gen}
	for _, d := range old.Stale {
		avoid = append(avoid, d.Gen)
	}
	m := newManifest(newGen(avoid...), cache)
	if prev {
		for _, d := range old.Stale {
			if err := c.deleteGen(service, id, d); err != nil {
				return fmt.Errorf("delete a dead generation: %w", err)
			}
		}
		intent := old
		intent.Stale = []dead{{m.Gen, m.Chunks}}
		if err := c.setManifest(service, id, intent); err != nil {
			return fmt.Errorf("record the new generation: %w", err)
		}
	}
	if err := c.setChunks(service, id, m.Gen, cache); err != nil {
		return err
	}
	if prev {
		m.Stale = []dead{{old.Gen, old.Chunks}}
	}
	if err := c.setManifest(service, id, m); err != nil {
		return fmt.Errorf("switch to the new generation: %w", err)
	}
	if !prev {
		return nil
	}
	if err := c.deleteGen(service, id, m.Stale[0]); err != nil {
		return nil // still listed as stale: the next write deletes it
	}
	m.Stale = nil
	_ = c.setManifest(service, id, m) // on failure the stale entry names deleted items: harmless
	return nil
}

// remove deletes every item of the entry: all listed generations, then the
// manifest. A missing manifest means nothing to delete.
func (c caches) remove(service, id string) error {
	m, err := c.readManifest(service, id)
	switch {
	case errors.Is(err, errItemMissing):
		return nil
	case errors.Is(err, ErrCorrupt):
		// Its chunks cannot be found; drop the manifest at least.
	case err != nil:
		return err
	default:
		for _, d := range append([]dead{{m.Gen, m.Chunks}}, m.Stale...) {
			if err := c.deleteGen(service, id, d); err != nil {
				return err
			}
		}
	}
	return c.deleteItem(service, id)
}

func (c caches) setChunks(service, id, gen string, cache []byte) error {
	for i, v := range split(cache) {
		if err := c.kr.set(service, ChunkUser(id, gen, i), v); err != nil {
			return fmt.Errorf("write chunk %d: %w", i, err)
		}
	}
	return nil
}

// deleteGen deletes chunks 0..Chunks-1 of a generation; absent ones are fine.
func (c caches) deleteGen(service, id string, d dead) error {
	for i := range d.Chunks {
		if err := c.deleteItem(service, ChunkUser(id, d.Gen, i)); err != nil {
			return err
		}
	}
	return nil
}

func (c caches) deleteItem(service, user string) error {
	if err := c.kr.delete(service, user); err != nil && !errors.Is(err, errItemMissing) {
		return err
	}
	return nil
}
