package flameconnect

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"testing"

	msalerrors "github.com/AzureAD/microsoft-authentication-library-for-go/apps/errors"

	"github.com/setupwizard/setupwizard/internal/flow"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

// submitRefused runs the user step with the demo sign-in against p and a
// fresh store, and wants it to end on the form with key and to have
// stored nothing; the result is for the caller's checks of its cause.
func submitRefused(t *testing.T, p provider.Provider, key string) flow.Result {
	t.Helper()
	st, kr := memStore(t)
	res, err := flow.NewUser(p, st).Submit(context.Background(), demoInput(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Type != flow.ResultForm || res.Errors[flow.Base] != key {
		t.Fatalf("result %s with errors %v (cause %v), want the form with %q", res.Type, res.Errors, res.Cause, key)
	}
	entries, err := st.Entries(context.Background())
	if err != nil || len(entries) != 0 || kr.Len() != 0 {
		t.Fatalf("stored %d entries, %d keyring items (%v)", len(entries), kr.Len(), err)
	}
	return res
}

// tokenCallErr is the error MSAL returns when the token endpoint answers
// status with body; msg is its own text.
func tokenCallErr(status int, body, msg string) error {
	return msalerrors.CallErr{
		Req:  &http.Request{},
		Resp: &http.Response{StatusCode: status, Body: io.NopCloser(bytes.NewReader([]byte(body)))},
		Err:  errors.New(msg),
	}
}
