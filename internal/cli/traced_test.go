package cli

import (
	"bytes"
	"context"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/setupwizard/setupwizard/internal/providers/provider"
	"github.com/setupwizard/setupwizard/internal/trace"
)

// echoProvider notes, while validating, what a server echoing a Basic
// Authorization value would show.
type echoProvider struct {
	provider.Provider
	tr *trace.Tracer
}

func (echoProvider) Schema() provider.Schema {
	return provider.Schema{{Name: "username", Kind: provider.Text}, {Name: "password", Kind: provider.Password}}
}

func (echoProvider) Domain() string { return "echo" }

func (p echoProvider) Validate(_ context.Context, in provider.Input, _ provider.ProgressFunc) (*provider.Account, error) {
	basic := base64.StdEncoding.EncodeToString([]byte(in["username"] + ":" + in["password"]))
	p.tr.Note("server said: Basic %s", basic)
	return &provider.Account{}, nil
}

// The typed password is registered with its login: a Basic value (base64
// of login:password, holding no spelling of the password alone) never
// reaches the trace, and nothing stays registered after the validation.
func TestTracedProviderRegistersLoginPair(t *testing.T) {
	var buf bytes.Buffer
	tr := trace.New(&buf)
	p := tracedProvider{Provider: echoProvider{tr: tr}, tracer: tr, reportable: func(error) {}}
	in := provider.Input{"username": "jan.kowalski", "password": "Hunter-2ą"}
	if _, err := p.Validate(context.Background(), in, nil); err != nil {
		t.Fatal(err)
	}
	basic := base64.StdEncoding.EncodeToString([]byte("jan.kowalski:Hunter-2ą"))
	if strings.Contains(buf.String(), basic) {
		t.Fatalf("the trace holds base64 of login:password:\n%s", buf.String())
	}
	if got := tr.Redact(basic); got != basic {
		t.Errorf("still registered after the validation: Redact(%q) = %q", basic, got)
	}
}
