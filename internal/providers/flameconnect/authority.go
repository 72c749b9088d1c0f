package flameconnect

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

// authority is the parsed B2C authority: the only host credentials and
// codes are ever sent to (the session's allow-list), and the tenant/policy
// fallback for the API path.
type authority struct {
	raw    string // as configured, without a trailing slash
	origin string // https://host[:port]
	host   string // host[:port] as configured
	prefix string // path before /tenant/policy when reached through a proxy ("" or "/a/b")
	tenant string
	policy string // mixed case, as the API endpoints want it
}

// maxPrefixSegments bounds the proxy prefix; real authorities have none.
const maxPrefixSegments = 6

// errAuthorityShape says exactly which authority URLs are accepted.
var errAuthorityShape = errors.New("authority: want https://host[:port][/proxy-prefix]/tenant/policy, " +
	"the tenant and policy being the last two path segments, every segment made of letters, digits, '.', '-' or '_', " +
	"with no user info, query or fragment")

// parseAuthority reads the configured authority. MSAL Go v1.10.1 with
// instance discovery off reads the OIDC metadata from
// {authority}/v2.0/.well-known/openid-configuration whatever the path depth
// (authority.NewInfoFromAuthorityURI only wants one segment or more), so a
// proxy prefix before /tenant/policy works and is allowed; the API base of
// the credential submission keeps the prefix.
func parseAuthority(s string) (authority, error) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil {
		return authority{}, fmt.Errorf("%w: %w", errAuthorityShape, err)
	}
	if u.Scheme != "https" {
		return authority{}, fmt.Errorf("%w: the scheme must be https", errAuthorityShape)
	}
	if u.Hostname() == "" || u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || u.RawPath != "" {
		return authority{}, errAuthorityShape
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(parts) < 2 || len(parts) > 2+maxPrefixSegments {
		return authority{}, errAuthorityShape
	}
	for _, p := range parts {
		if !pathSafe(p) {
			return authority{}, errAuthorityShape
		}
	}
	n := len(parts)
	prefix := ""
	if n > 2 {
		prefix = "/" + strings.Join(parts[:n-2], "/")
	}
	return authority{
		raw:    "https://" + u.Host + prefix + "/" + parts[n-2] + "/" + parts[n-1],
		origin: "https://" + u.Host,
		host:   u.Host,
		prefix: prefix,
		tenant: parts[n-2],
		policy: parts[n-1],
	}, nil
}

// pathSafe accepts a tenant or policy path segment: B2C names are made of
// letters, digits, dots, dashes and underscores.
func pathSafe(s string) bool {
	if s == "" || s == "." || s == ".." {
		return false
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
		default:
			return false
		}
	}
	return true
}

// CheckConfig implements provider.ConfigChecker: a malformed authority
// override is named before anything is read or sent.
func (p *Provider) CheckConfig() error {
	if _, err := parseAuthority(p.authority); err != nil {
		return &provider.ConfigError{Var: EnvAuthority, Example: DefaultAuthority, Err: err}
	}
	return nil
}
