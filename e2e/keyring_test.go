package e2e

import (
	"context"
	"encoding/base64"
	"sort"
	"strconv"
	"strings"
	"testing"

	ss "github.com/zalando/go-keyring/secret_service"

	"github.com/setupwizard/setupwizard/internal/store"
)

// item is one Secret Service item as the OS keeps it.
type item struct {
	user   string // the "username" attribute go-keyring sets
	secret string
}

// keyringItems lists every item of setupwizard:<domain> straight from the
// Secret Service, chunks and orphans included: go-keyring itself cannot
// list, and a leak would most likely hide in an item nobody looks up.
func keyringItems(t *testing.T, domain string) []item {
	t.Helper()
	svc, err := ss.NewSecretService()
	if err != nil {
		t.Fatalf("connect to the Secret Service: %v%s", err, keyringState())
	}
	session, err := svc.OpenSession()
	if err != nil {
		t.Fatalf("open a Secret Service session: %v%s", err, keyringState())
	}
	defer svc.Close(session)
	paths, err := svc.SearchItems(svc.GetLoginCollection(), map[string]string{"service": store.Service(domain)})
	if err != nil {
		t.Fatalf("search the keyring: %v%s", err, keyringState())
	}
	var out []item
	for _, p := range paths {
		v, err := svc.Object("org.freedesktop.secrets", p).GetProperty("org.freedesktop.Secret.Item.Attributes")
		if err != nil {
			t.Fatalf("read attributes of %s: %v%s", p, err, keyringState())
		}
		attrs, _ := v.Value().(map[string]string)
		sec, err := svc.GetSecret(p, session.Path())
		if err != nil {
			t.Fatalf("read secret of %s: %v%s", p, err, keyringState())
		}
		out = append(out, item{user: attrs["username"], secret: string(sec.Value)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].user < out[j].user })
	return out
}

func itemNames(items []item) map[string]bool {
	m := map[string]bool{}
	for _, it := range items {
		m[it.user] = true
	}
	return m
}

// newItems are the items of domain that did not exist when the world began.
func (w *world) newItems(domain string) []item {
	var out []item
	for _, it := range keyringItems(w.t, domain) {
		if !w.before[domain][it.user] {
			out = append(out, it)
		}
	}
	return out
}

// itemsOf are the items an entry owns: its manifest (user = entry id) and
// chunks (entry id/generation/index), per internal/store's format.
func itemsOf(t *testing.T, domain, entryID string) []item {
	var out []item
	for _, it := range keyringItems(t, domain) {
		if it.user == entryID || strings.HasPrefix(it.user, entryID+"/") {
			out = append(out, it)
		}
	}
	return out
}

// decodedCaches joins each generation's chunks back into the cache they
// hold, so a secret split across two chunks or hidden by base64 is seen.
func decodedCaches(items []item) map[string][]byte {
	type chunk struct {
		i    int
		data []byte
	}
	gens := map[string][]chunk{}
	for _, it := range items {
		parts := strings.Split(it.user, "/")
		if len(parts) != 3 {
			continue
		}
		i, err := strconv.Atoi(parts[2])
		if err != nil {
			continue
		}
		b, err := base64.StdEncoding.DecodeString(it.secret)
		if err != nil {
			b = []byte(it.secret)
		}
		key := parts[0] + "/" + parts[1]
		gens[key] = append(gens[key], chunk{i, b})
	}
	out := map[string][]byte{}
	for k, cs := range gens {
		sort.Slice(cs, func(a, b int) bool { return cs[a].i < cs[b].i })
		var all []byte
		for _, c := range cs {
			all = append(all, c.data...)
		}
		out[k] = all
	}
	return out
}

// deleteOwnItems removes what this world's entries left in the keyring
// (the suite shares the session keyring with other packages' tests).
func (w *world) deleteOwnItems() {
	st, err := store.Open(w.configDir)
	if err != nil {
		return
	}
	es, err := st.Entries(context.Background())
	if err != nil {
		return
	}
	for _, e := range es {
		_ = st.Remove(context.Background(), e.ID)
	}
}
