package librus

import (
	"context"
	"testing"

	"github.com/setupwizard/setupwizard/internal/flow"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
	"github.com/setupwizard/setupwizard/internal/store"
)

// TestReauthOtherLoginGetsNoDeviceCookie: a reauth typed with another
// account's login (it ends in wrong_account) does not send the renewed
// entry's DeviceCookie with that login, and leaves the entry's cache as
// it was.
func TestReauthOtherLoginGetsNoDeviceCookie(t *testing.T) {
	r := newRig(t)
	st, res := r.addDemo(t)
	ctx := context.Background()
	before, _, err := st.LoadCache(ctx, res.Entry.ID)
	if err != nil {
		t.Fatal(err)
	}
	const other = "8880201u"
	r.em.AddAccount(other, "pw")
	r.em.ResetRequests()
	again, err := flow.NewReauth(r.p, st, res.Entry).Submit(ctx, provider.Input{FieldUsername: other, FieldPassword: "pw"}, nil)
	if err != nil || again.Reason != flow.AbortWrongAccount {
		t.Fatalf("reauth with another login: %v %s %q %v", err, again.Type, again.Reason, again.Cause)
	}
	if got := deviceCookieSent(t, r.em.Log()); got != "" {
		t.Fatalf("the entry's DeviceCookie %q was sent with another account's login", got)
	}
	after, _, err := st.LoadCache(ctx, res.Entry.ID)
	if err != nil || string(after) != string(before) {
		t.Fatalf("the entry's cache changed (%v)", err)
	}
}

// addDemo signs the demo account in through the flow engine with a real
// store (its keyring in memory) and returns the store and the result.
func (r *rig) addDemo(t *testing.T) (*store.Store, flow.Result) {
	t.Helper()
	st, err := store.Open(t.TempDir(), store.WithKeyring(store.NewMemoryKeyring()))
	if err != nil {
		t.Fatal(err)
	}
	res, err := flow.NewUser(r.p, st).Submit(context.Background(), demoInput(), nil)
	if err != nil || res.Type != flow.ResultCreateEntry {
		t.Fatalf("add: %v %s %v", err, res.Type, res.Cause)
	}
	return st, res
}
