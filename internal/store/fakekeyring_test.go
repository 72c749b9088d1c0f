package store_test

import (
	"maps"
	"strings"
	"sync"

	"github.com/zalando/go-keyring"
)

// fakeKeyring is an in-memory keyring that can list its items (the real
// API cannot) and fail or block calls at exact points through before.
type fakeKeyring struct {
	mu    sync.Mutex
	items map[[2]string]string
	// before runs (under the lock) before each call; an error fails it.
	// op is "get", "set" or "delete".
	before func(op, service, user string) error
	// writes counts successful sets and deletes.
	writes int
}

func newFakeKeyring() *fakeKeyring { return &fakeKeyring{items: map[[2]string]string{}} }

func (f *fakeKeyring) hook(op, service, user string) error {
	if f.before == nil {
		return nil
	}
	return f.before(op, service, user)
}

func (f *fakeKeyring) Get(service, user string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.hook("get", service, user); err != nil {
		return "", err
	}
	v, ok := f.items[[2]string{service, user}]
	if !ok {
		return "", keyring.ErrNotFound
	}
	return v, nil
}

func (f *fakeKeyring) Set(service, user, secret string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.hook("set", service, user); err != nil {
		return err
	}
	f.items[[2]string{service, user}] = secret
	f.writes++
	return nil
}

func (f *fakeKeyring) Delete(service, user string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.hook("delete", service, user); err != nil {
		return err
	}
	k := [2]string{service, user}
	if _, ok := f.items[k]; !ok {
		return keyring.ErrNotFound
	}
	delete(f.items, k)
	f.writes++
	return nil
}

// setBefore replaces the hook under the lock.
func (f *fakeKeyring) setBefore(h func(op, service, user string) error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.before = h
}

// list returns user -> value of the items of entry id (manifest and chunks).
func (f *fakeKeyring) list(id string) map[string]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]string{}
	for k, v := range f.items {
		if k[1] == id || strings.HasPrefix(k[1], id+"/") {
			out[k[1]] = v
		}
	}
	return out
}

// snapshot copies every item.
func (f *fakeKeyring) snapshot() map[[2]string]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return maps.Clone(f.items)
}

// writeCount is how many sets and deletes succeeded.
func (f *fakeKeyring) writeCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.writes
}

// replaceItems swaps entry id's items (service setupwizard:librus) for it.
func (f *fakeKeyring) replaceItems(id string, it map[string]string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for k := range f.items {
		if k[1] == id || strings.HasPrefix(k[1], id+"/") {
			delete(f.items, k)
		}
	}
	for u, v := range it {
		f.items[[2]string{"setupwizard:librus", u}] = v
	}
}
