package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
)

// caches reads and writes chunked token caches in the keyring. Callers hold
// the entries lock (exclusive to write, shared to read), so one writer at a
// time touches an entry's items.
//
// Chunks are written in ascending and deleted in descending order, so the
// chunks of a generation that exist always form a prefix 0..k-1: a dead
// generation is cleaned by finding k (deleteLeftovers), whatever chunk
// count a manifest claims.
type caches struct{ kr *timedKeyring }

// inspect returns the entry's manifest. A missing one matches
// errItemMissing; a newer one ErrNewer; a bad one ErrCorrupt, with the
// generations it still names (leftovers) so they can be deleted.
func (c caches) inspect(ctx context.Context, service, id string) (manifest, []dead, error) {
	v, err := c.kr.get(ctx, service, id)
	if err != nil {
		return manifest{}, nil, err
	}
	m, err := parseManifest(v)
	if errors.Is(err, ErrCorrupt) {
		return manifest{}, leftovers(v), err
	}
	return m, nil, err
}

func (c caches) setManifest(ctx context.Context, service, id string, m manifest) error {
	v, err := m.encode()
	if err != nil {
		return err
	}
	return c.kr.set(ctx, service, id, v)
}

// loadRetries bounds how often load starts again because the cache was
// replaced while it read (it reads without the entries lock).
const loadRetries = 5

// load reads the cache back and verifies it, returning its generation: a
// missing manifest is ErrNotFound, a missing or altered chunk ErrCorrupt.
// It takes no lock: a writer replacing the cache meanwhile may delete the
// chunks being read, so a read that fails verification reads the manifest
// again and starts over when it names another generation; only a failure
// against an unchanged manifest is corruption.
func (c caches) load(ctx context.Context, service, id string) ([]byte, string, error) {
	var lastErr error
	for range loadRetries {
		m, _, err := c.inspect(ctx, service, id)
		switch {
		case errors.Is(err, errItemMissing):
			return nil, "", fmt.Errorf("no token cache in the keyring (service %q, user %q): %w", service, id, ErrNotFound)
		case err != nil:
			return nil, "", err
		}
		buf, err := c.loadGen(ctx, service, id, m)
		if err == nil {
			return buf, m.Gen, nil
		}
		if !errors.Is(err, ErrCorrupt) {
			return nil, "", err
		}
		lastErr = err
		now, _, err := c.inspect(ctx, service, id)
		if err != nil || now.Gen == m.Gen {
			return nil, "", lastErr
		}
	}
	return nil, "", lastErr
}

// loadGen reads and verifies the chunks m names.
func (c caches) loadGen(ctx context.Context, service, id string, m manifest) ([]byte, error) {
	buf := make([]byte, 0, m.Size)
	for i := range m.Chunks {
		user := ChunkUser(id, m.Gen, i)
		v, err := c.kr.get(ctx, service, user)
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

// create writes the cache of a brand-new entry as generation m.Gen:
// chunks, then the manifest. Add records the intent (entry id and
// generation) in the index first, so whatever an interruption leaves is
// found and deleted by the next writer (see recoverPending).
func (c caches) create(ctx context.Context, service, id string, m manifest, cache []byte) (manifest, error) {
	if err := c.setChunks(ctx, service, id, m.Gen, cache); err != nil {
		return m, err
	}
	return m, c.setManifest(ctx, service, id, m)
}

// undoCreate deletes what create wrote and reports whether it is gone. It
// stops at the first failure (a keyring that fails would fail every
// call). If a call of this store is stuck in the keyring (it may be one of
// create's writes, landing late), the deletes are queued to run once it
// returns, so the cache's items do not stay behind where nothing can find
// them.
func (c caches) undoCreate(ctx context.Context, service, id string, m manifest) bool {
	ctx = context.WithoutCancel(ctx) // clean-up runs even after a cancel
	if !c.kr.busy() {
		err := c.deleteGen(ctx, service, id, m.Gen, m.Chunks)
		if err == nil {
			err = c.deleteItem(ctx, service, id)
		}
		if !c.kr.busy() { // done, or failed for a reason waiting won't fix
			return err == nil
		}
	}
	c.kr.queue(func(k Keyring) {
		for i := m.Chunks - 1; i >= 0; i-- {
			if rawDelete(k, service, ChunkUser(id, m.Gen, i)) != nil {
				return
			}
		}
		_ = rawDelete(k, service, id)
	})
	return false
}

// rawDelete deletes one item without a timeout (queued clean-up).
func rawDelete(k Keyring, service, user string) error {
	if err := k.Delete(service, user); err != nil && !errors.Is(err, errItemMissing) {
		return err
	}
	return nil
}

// replace swaps the entry's cache so that at every instant the manifest
// names a complete generation (the old one, then the new one):
//
//  1. read the manifest (generation A, maybe stale generations S);
//     if ifGen is set and A is not ifGen, stop with ErrConflict;
//  2. delete S's chunks (left by a crash or a failed delete);
//  3. write the manifest A with stale [B] (intent: B's chunks may appear);
//  4. write B's chunks;
//  5. write the manifest B with stale [A] (the switch: B is now the cache);
//  6. delete A's chunks;
//  7. write the manifest B with no stale generations.
//
// A failure up to 5 returns an error and leaves A readable; B's chunks are
// listed as stale and deleted by the next write. If the switch itself was
// abandoned while in the keyring, it may still land: that is
// ErrOutcomeUnknown (either A or B is then readable, never a mix). After 5
// the replace has happened: failures in 6 and 7 are left for the next
// write to finish and are not reported. A missing manifest has nothing to
// protect, so steps 2, 3 and 6 are skipped; a corrupt one has its
// generations' chunks deleted first. A manifest of a newer version is left
// alone (ErrNewer). It returns the new generation, and whether the old one
// is gone (else the caller keeps its intent so the next change tidies).
func (c caches) replace(ctx context.Context, service, id string, cache []byte, ifGen string) (gen string, clean bool, err error) {
	if len(cache) > MaxCacheSize {
		return "", false, fmt.Errorf("%d bytes, at most %d: %w", len(cache), MaxCacheSize, ErrTooLarge)
	}
	old, left, err := c.inspect(ctx, service, id)
	prev := err == nil
	if ifGen != "" && (!prev || old.Gen != ifGen) {
		if err != nil && !errors.Is(err, errItemMissing) && !errors.Is(err, ErrCorrupt) {
			return "", false, err
		}
		return "", false, fmt.Errorf("cache changed since generation %s was read: %w", ifGen, ErrConflict)
	}
	switch {
	case prev, errors.Is(err, errItemMissing):
	case errors.Is(err, ErrCorrupt):
		if err := c.deleteLeftovers(ctx, service, id, left); err != nil {
			return "", false, fmt.Errorf("delete the chunks a corrupt manifest names: %w", err)
		}
	default:
		return "", false, err
	}
	avoid := []string{old.Gen}
	for _, d := range append(old.Stale, left...) {
		avoid = append(avoid, d.Gen)
	}
	m := newManifest(newGen(avoid...), cache)
	if prev {
		if err := c.deleteLeftovers(ctx, service, id, old.Stale); err != nil {
			return "", false, fmt.Errorf("delete a dead generation: %w", err)
		}
		intent := old
		intent.Stale = []dead{{m.Gen, m.Chunks}}
		if err := c.setManifest(ctx, service, id, intent); err != nil {
			return "", false, fmt.Errorf("record the new generation: %w", err)
		}
	}
	if err := c.setChunks(ctx, service, id, m.Gen, cache); err != nil {
		return "", false, err
	}
	if prev {
		m.Stale = []dead{{old.Gen, old.Chunks}}
	}
	if err := c.setManifest(ctx, service, id, m); err != nil {
		if errors.Is(err, errMayHaveLanded) {
			return "", false, fmt.Errorf("switch to the new generation: %w: %w", ErrOutcomeUnknown, err)
		}
		return "", false, fmt.Errorf("switch to the new generation: %w", err)
	}
	if !prev {
		return m.Gen, true, nil
	}
	if err := c.deleteGen(ctx, service, id, old.Gen, old.Chunks); err != nil {
		return m.Gen, false, nil // still listed as stale: the next change deletes it
	}
	m.Stale = nil
	if err := c.setManifest(ctx, service, id, m); err != nil {
		return m.Gen, false, nil // the stale entry names deleted items: harmless, tidied next
	}
	return m.Gen, true, nil
}

// tidy deletes the generations the manifest lists as stale (what an
// interrupted replace left) and rewrites it without them. A missing, corrupt
// or newer manifest is left as it is: a reauth or remove deals with it.
func (c caches) tidy(ctx context.Context, service, id string) error {
	m, _, err := c.inspect(ctx, service, id)
	switch {
	case errors.Is(err, errItemMissing), errors.Is(err, ErrCorrupt), errors.Is(err, ErrNewer):
		return nil
	case err != nil:
		return err
	case len(m.Stale) == 0:
		return nil
	}
	if err := c.deleteLeftovers(ctx, service, id, m.Stale); err != nil {
		return err
	}
	m.Stale = nil
	return c.setManifest(ctx, service, id, m)
}

// generation returns the generation the entry's manifest names now ("" when
// there is no manifest), for compare-and-swap checks.
func (c caches) generation(ctx context.Context, service, id string) (string, error) {
	m, _, err := c.inspect(ctx, service, id)
	switch {
	case err == nil:
		return m.Gen, nil
	case errors.Is(err, errItemMissing), errors.Is(err, ErrCorrupt):
		return "", nil
	}
	return "", err
}

// remove deletes every item of the entry (see removeFrom), reading its
// manifest first. A missing manifest means nothing to delete; a newer one
// is left alone (ErrNewer).
func (c caches) remove(ctx context.Context, service, id string) error {
	m, left, err := c.inspect(ctx, service, id)
	corrupt := errors.Is(err, ErrCorrupt)
	switch {
	case errors.Is(err, errItemMissing):
		return nil
	case err != nil && !corrupt:
		return err
	}
	return c.removeFrom(ctx, service, id, m, left, corrupt, newGen(avoidGens(m, left)...))
}

// avoidGens are the generations a manifest (or a corrupt one's leftovers)
// names, which a new generation id must differ from.
func avoidGens(m manifest, left []dead) []string {
	out := []string{m.Gen}
	for _, d := range append(slices.Clone(m.Stale), left...) {
		out = append(out, d.Gen)
	}
	return out
}

// removeFrom deletes every item of a cache whose manifest was read as m
// (or found corrupt, naming the generations left), so that at every
// instant the manifest names a complete generation, and nothing it named
// is left unlisted if it stops half-way:
//
//  1. delete the chunks of the stale generations (not part of the cache);
//  2. write a manifest naming the empty generation tomb, with stale [A]:
//     the point of no return, the cache reads as empty from here on;
//  3. delete A's chunks;
//  4. delete the manifest.
//
// Until step 2 has landed the cache is as it was (step 1 deletes only
// dead generations), so removeBegan can tell, from the keyring alone,
// whether a remove that stopped had really begun. An empty cache (no
// chunks) skips steps 2 and 3: deleting its manifest is the whole remove.
// A corrupt manifest has the chunks it still names deleted, then itself:
// its cache was unreadable before and stays so.
func (c caches) removeFrom(ctx context.Context, service, id string, m manifest, left []dead, corrupt bool, tomb string) error {
	if corrupt {
		if err := c.deleteLeftovers(ctx, service, id, left); err != nil {
			return err
		}
		return c.deleteItem(ctx, service, id)
	}
	if err := c.deleteLeftovers(ctx, service, id, m.Stale); err != nil {
		return err
	}
	if m.Chunks > 0 {
		t := newManifest(tomb, nil)
		t.Stale = []dead{{m.Gen, m.Chunks}}
		if err := c.setManifest(ctx, service, id, t); err != nil {
			return fmt.Errorf("mark the cache as being removed: %w", err)
		}
		if err := c.deleteGen(ctx, service, id, m.Gen, m.Chunks); err != nil {
			return err
		}
	}
	return c.deleteItem(ctx, service, id)
}

// removeBegan reports whether the remove that recorded intent p had begun
// deleting the entry's cache, judged from the keyring: its manifest names
// p's empty tombstone generation, or is gone (a remove starts only when
// there is one). Intents written before the tombstone was recorded (no
// p.Gen) count a manifest shaped like one (no chunks, a stale generation).
// A manifest that is still the cache, corrupt (a corrupt cache loses
// nothing it could give) or newer means the remove had not begun.
func (c caches) removeBegan(ctx context.Context, p pendingOp) (bool, error) {
	m, _, err := c.inspect(ctx, p.Service, p.ID)
	switch {
	case errors.Is(err, errItemMissing):
		return true, nil
	case errors.Is(err, ErrCorrupt), errors.Is(err, ErrNewer):
		return false, nil
	case err != nil:
		return false, err
	case p.Gen != "":
		return m.Gen == p.Gen, nil
	}
	return m.Chunks == 0 && len(m.Stale) > 0, nil
}

func (c caches) setChunks(ctx context.Context, service, id, gen string, cache []byte) error {
	for i, v := range split(cache) {
		if err := c.kr.set(ctx, service, ChunkUser(id, gen, i), v); err != nil {
			return fmt.Errorf("write chunk %d: %w", i, err)
		}
	}
	return nil
}

// deleteLeftovers deletes the chunks that exist of dead generations. It
// first finds how many exist (a prefix, see caches) with a binary search
// of gets, so the work follows the real items, not the counts a manifest
// claims: a hostile manifest listing 8 generations of 2731 chunks costs
// about 100 gets, not 22,000 deletes.
func (c caches) deleteLeftovers(ctx context.Context, service, id string, gens []dead) error {
	for _, d := range gens {
		n, err := c.existing(ctx, service, id, d)
		if err != nil {
			return err
		}
		if err := c.deleteGen(ctx, service, id, d.Gen, n); err != nil {
			return err
		}
	}
	return nil
}

// existing returns k such that chunks 0..k-1 of d exist and k does not.
func (c caches) existing(ctx context.Context, service, id string, d dead) (int, error) {
	lo, hi := 0, min(max(d.Chunks, 0), maxChunks)
	for lo < hi {
		mid := lo + (hi-lo)/2
		_, err := c.kr.get(ctx, service, ChunkUser(id, d.Gen, mid))
		switch {
		case err == nil:
			lo = mid + 1
		case errors.Is(err, errItemMissing):
			hi = mid
		default:
			return 0, err
		}
	}
	return lo, nil
}

// deleteGen deletes chunks n-1 down to 0 of a generation (descending, so
// an interrupted delete leaves a prefix); absent ones are fine.
func (c caches) deleteGen(ctx context.Context, service, id, gen string, n int) error {
	for i := n - 1; i >= 0; i-- {
		if err := c.deleteItem(ctx, service, ChunkUser(id, gen, i)); err != nil {
			return err
		}
	}
	return nil
}

func (c caches) deleteItem(ctx context.Context, service, user string) error {
	if err := c.kr.delete(ctx, service, user); err != nil && !errors.Is(err, errItemMissing) {
		return err
	}
	return nil
}
