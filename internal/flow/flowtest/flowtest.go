// Package flowtest has a scripted provider for unit tests of the engine and
// the UI: each Validate takes the next outcome from a queue, and an outcome
// can block until its context is cancelled, to test esc and ctrl+c.
package flowtest

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"strings"
	"sync"
	"time"

	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

//go:embed translations/*.json
var translations embed.FS

// Domain is the fake provider's domain.
const Domain = "testprov"

// Outcome is what one Validate call does.
type Outcome struct {
	// Account is returned on success (UniqueID is filled from the login
	// when empty, Cache defaults to a fixed JSON).
	Account *provider.Account
	// Err is returned instead (a *provider.Error or any error).
	Err error
	// Block makes Validate wait until its context ends, then return ctx.Err().
	Block bool
}

// Provider is a scripted provider.Provider.
type Provider struct {
	mu       sync.Mutex
	outcomes []Outcome
	calls    int
	inputs   []provider.Input
	priors   [][]byte
	// Started receives one value each time a blocking Validate begins waiting.
	Started chan struct{}
	// Cancelled receives the context error when a blocking Validate ends.
	Cancelled chan error
	// CheckErr is what Check returns; CheckCache, when set, is the
	// "refreshed" cache it hands back.
	CheckErr   error
	CheckCache []byte
	// CheckBlock makes Check signal Started and wait until its context
	// ends (a reload still running when the user presses ctrl+c).
	CheckBlock bool
	// CheckFunc, when set, replaces Check's scripted behaviour (race
	// tests block it on a channel).
	CheckFunc func(ctx context.Context, cache []byte) ([]byte, error)
	// TokenFunc, when set, replaces Token's default (the cache's token,
	// never refreshed).
	TokenFunc func(ctx context.Context, cache []byte, minValid time.Duration) (provider.Credential, []byte, error)
	checks    int
}

// New returns a provider that plays outcomes in order; once they run out it
// signs in whoever asks.
func New(outcomes ...Outcome) *Provider {
	return &Provider{outcomes: outcomes, Started: make(chan struct{}, 8), Cancelled: make(chan error, 8)}
}

// Push queues more outcomes.
func (p *Provider) Push(o ...Outcome) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.outcomes = append(p.outcomes, o...)
}

// Calls is how many times Validate ran.
func (p *Provider) Calls() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.calls
}

// Checks is how many times Check ran.
func (p *Provider) Checks() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.checks
}

// Inputs are the inputs Validate saw, without passwords.
func (p *Provider) Inputs() []provider.Input {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]provider.Input(nil), p.inputs...)
}

// Priors are the caches each Validate found in its context
// (provider.PriorCache), nil for none.
func (p *Provider) Priors() [][]byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([][]byte(nil), p.priors...)
}

// Domain implements provider.Provider.
func (p *Provider) Domain() string { return Domain }

// Schema implements provider.Provider.
func (p *Provider) Schema() provider.Schema {
	return provider.Schema{
		{Name: "email", Kind: provider.Email, Required: true},
		{Name: "password", Kind: provider.Password, Required: true},
	}
}

// Translations implements provider.Provider.
func (p *Provider) Translations() fs.FS { return provider.Translations(translations, "translations") }

// ErrorKeys implements provider.Provider: the fake has no keys of its own
// (the engine supplies the shared ones).
func (p *Provider) ErrorKeys() []string { return nil }

// ProgressKeys implements provider.Provider.
func (p *Provider) ProgressKeys() []string { return []string{"connecting", "signing_in"} }

// Validate implements provider.Provider.
func (p *Provider) Validate(ctx context.Context, in provider.Input, progress provider.ProgressFunc) (*provider.Account, error) {
	p.mu.Lock()
	p.calls++
	rec := provider.Input{}
	for k, v := range in {
		if k != "password" {
			rec[k] = v
		}
	}
	p.inputs = append(p.inputs, rec)
	p.priors = append(p.priors, provider.PriorCache(ctx))
	var o Outcome
	if len(p.outcomes) > 0 {
		o = p.outcomes[0]
		p.outcomes = p.outcomes[1:]
	}
	p.mu.Unlock()

	progress(provider.Progress{Step: 1, Total: 2, Key: "connecting"})
	if o.Block {
		p.Started <- struct{}{}
		<-ctx.Done()
		p.Cancelled <- ctx.Err()
		return nil, ctx.Err()
	}
	progress(provider.Progress{Step: 2, Total: 2, Key: "signing_in"})
	if o.Err != nil {
		return nil, o.Err
	}
	acct := provider.Account{Login: in["email"], Title: in["email"]}
	if o.Account != nil {
		acct = *o.Account
	}
	if acct.UniqueID == "" {
		acct.UniqueID = provider.Slugify(in["email"])
	}
	if acct.Identity == "" {
		acct.Identity = IdentityOf(in["email"])
	}
	if acct.Cache == nil {
		acct.Cache = CacheFor(acct.UniqueID, acct.Identity)
	}
	return &acct, nil
}

// IdentityOf is the identity the fake service vouches for when login signs
// in: the lower-cased login, so two logins that slugify alike are still
// two identities.
func IdentityOf(login string) string { return "subject:" + strings.ToLower(login) }

// CacheFor is the cache a sign-in of identity yields by default; Identity
// reads identity back from it.
func CacheFor(uniqueID, identity string) []byte {
	b, _ := json.Marshal(map[string]string{"token": "cache-for-" + uniqueID, "identity": identity})
	return b
}

// Identity implements provider.Provider: the "identity" field of a JSON
// cache ("" when there is none).
func (p *Provider) Identity(cache []byte) (string, error) {
	var c struct {
		Identity string `json:"identity"`
	}
	if err := json.Unmarshal(cache, &c); err != nil {
		return "", fmt.Errorf("read identity: %w", err)
	}
	return c.Identity, nil
}

// Token implements provider.Provider: TokenFunc when set, else a bearer
// token naming the cache, with no refresh.
func (p *Provider) Token(ctx context.Context, cache []byte, minValid time.Duration) (provider.Credential, []byte, error) {
	if p.TokenFunc != nil {
		return p.TokenFunc(ctx, cache, minValid)
	}
	return provider.Credential{Kind: "token", Type: "Bearer", Value: "token-of-" + string(cache)}, nil, nil
}

// Check implements provider.Provider.
func (p *Provider) Check(ctx context.Context, cache []byte) ([]byte, error) {
	p.mu.Lock()
	p.checks++
	p.mu.Unlock()
	if p.CheckFunc != nil {
		return p.CheckFunc(ctx, cache)
	}
	if p.CheckBlock {
		p.Started <- struct{}{}
		<-ctx.Done()
		return nil, ctx.Err()
	}
	if p.CheckErr != nil {
		return nil, p.CheckErr
	}
	if p.CheckCache != nil {
		return p.CheckCache, nil
	}
	return cache, nil
}
