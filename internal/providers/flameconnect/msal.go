package flameconnect

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/cache"
	msalerrors "github.com/AzureAD/microsoft-authentication-library-for-go/apps/errors"
	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"

	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

// memCache is the cache.ExportReplace MSAL reads and writes: the serialized
// MSAL token cache JSON, which is all the provider ever keeps.
type memCache struct {
	mu   sync.Mutex
	data []byte
}

var _ cache.ExportReplace = (*memCache)(nil)

// Replace loads the kept JSON into MSAL (nothing to load on a first sign-in).
func (c *memCache) Replace(_ context.Context, u cache.Unmarshaler, _ cache.ReplaceHints) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.data) == 0 {
		return nil
	}
	return u.Unmarshal(c.data)
}

// Export keeps MSAL's JSON after every change.
func (c *memCache) Export(_ context.Context, m cache.Marshaler, _ cache.ExportHints) error {
	b, err := m.Marshal()
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.data = b
	return nil
}

func (c *memCache) bytes() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]byte(nil), c.data...)
}

// newApp builds MSAL's public client for the authority: instance discovery
// off (MSAL Go has no B2C support; off, a B2C authority works as a plain
// AAD-style one and metadata comes from {authority}/v2.0/.well-known/...).
func newApp(auth authority, httpc *http.Client, c *memCache) (public.Client, error) {
	app, err := public.New(ClientID,
		public.WithAuthority(auth.raw),
		public.WithInstanceDiscovery(false),
		public.WithHTTPClient(httpc),
		public.WithCache(c),
	)
	if err != nil {
		return public.Client{}, fmt.Errorf("msal client: %w", err)
	}
	return app, nil
}

// tokenError is what the token endpoint said, reduced to loggable parts.
type tokenError struct {
	status int
	code   string // OAuth error, e.g. invalid_grant
	b2c    string // AADB2C code from the description, if any
}

func (e tokenError) Error() string {
	b2c := ""
	if e.b2c != "" {
		b2c = " (" + e.b2c + ")"
	}
	if e.code == "" {
		return fmt.Sprintf("HTTP %d%s", e.status, b2c)
	}
	return fmt.Sprintf("HTTP %d %s%s", e.status, safeCode(e.code), b2c)
}

// asTokenError extracts the status and OAuth error of an MSAL CallErr.
// MSAL's own text is not used: it quotes the whole answer body. It reads
// the body, so call it once per error and pass the result along.
func asTokenError(err error) (tokenError, bool) {
	var ce msalerrors.CallErr
	if !errors.As(err, &ce) || ce.Resp == nil {
		return tokenError{}, false
	}
	te := tokenError{status: ce.Resp.StatusCode}
	if ce.Resp.Body != nil {
		raw, _ := io.ReadAll(io.LimitReader(ce.Resp.Body, 64<<10))
		var body struct {
			Error       string `json:"error"`
			Description string `json:"error_description"`
		}
		if json.Unmarshal(raw, &body) == nil {
			te.code = body.Error
			te.b2c = b2cCode(body.Description)
		}
	}
	return te, true
}

// msalError maps an MSAL failure during a sign-in step: the context's own
// error first, then the guard's refusals, transport errors (NetError), 5xx
// from the service (cannot_connect), an AADB2C code b2cErrorCodes knows,
// and everything else as unknown.
func msalError(ctx context.Context, step string, err error) error {
	te, ok := asTokenError(err)
	return mapMSALError(ctx, step, err, te, ok)
}

// mapMSALError is msalError with the token answer already parsed.
func mapMSALError(ctx context.Context, step string, err error, te tokenError, isTokenErr bool) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if isTokenErr {
		key := provider.KeyUnknown
		switch known, ok := b2cErrorKey(te.b2c); {
		case te.status >= 500:
			key = provider.KeyCannotConnect
		case ok:
			// The token endpoint speaks the sign-in page's codes too
			// (throttling, an unavailable service...).
			key = known
		case expiredGrantCodes[te.b2c]:
			// During a sign-in, the code's grant expired before it was
			// redeemed (Check sees these codes first, as expiry): start over.
			key = KeySessionExpired
		}
		return &provider.Error{Key: key, Err: fmt.Errorf("%s: %w", step, te)}
	}
	if errors.Is(err, provider.ErrForeignHost) || errors.Is(err, provider.ErrBodyTooLarge) {
		return &provider.Error{Key: provider.KeyUnknown, Err: fmt.Errorf("%s: %w", step, unwrapURL(err))}
	}
	var ue *url.Error
	if errors.As(err, &ue) || provider.IsTimeout(err) {
		return provider.NetError(ctx, step, err)
	}
	return &provider.Error{Key: provider.KeyUnknown, Err: fmt.Errorf("%s: %s", step, firstLine(err.Error()))}
}

// firstLine keeps MSAL's messages to their summary line.
func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}

// unwrapURL drops a *url.Error's URL (queries hold csrf, tx and codes).
func unwrapURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
