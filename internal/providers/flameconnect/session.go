package flameconnect

import (
	"net/http"
	"net/url"
	"time"

	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

// maxBody caps every answer read, MSAL's included: B2C pages are some
// hundreds of KiB at most, token answers a few KiB.
const maxBody = 2 << 20

// maxHops bounds every redirect walk, as the public client does: at most
// 20 redirects are followed (20 succeed, a 21st fails). A redirect to the
// app's redirect URI is the result, not a redirect followed.
const maxHops = 20

// userAgent names the tool honestly; B2C does not require a browser's.
const userAgent = "setupwizard (FlameConnect sign-in)"

// newSession is one attempt's guarded HTTP session: only the authority's
// https host, the options' timeout, TLS roots and debug wrapper, and the
// B2C cookies kept verbatim (nil for MSAL-only work, which sends none).
func newSession(opts provider.Options, auth authority, cookies *cookieStore) *provider.Session {
	cfg := provider.SessionConfig{
		Hosts:     []*url.URL{{Scheme: "https", Host: auth.host}},
		MaxHops:   maxHops,
		MaxBody:   maxBody,
		UserAgent: userAgent,
	}
	if cookies != nil {
		cfg.Cookies = cookies
	}
	return provider.NewSession(opts, cfg)
}

// Apply sets the Cookie header on req (or leaves it off when empty): the
// session's cookie hook.
func (c *cookieStore) Apply(req *http.Request) { c.apply(req) }

// Merge takes an answer's Set-Cookie headers: the session's cookie hook.
func (c *cookieStore) Merge(u *url.URL, resp *http.Response) { c.merge(u, resp, time.Now()) }
