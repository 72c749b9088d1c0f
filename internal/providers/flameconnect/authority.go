package flameconnect

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// authority is the parsed B2C authority: the only host credentials and
// codes are ever sent to, and the tenant/policy fallback for the API path.
type authority struct {
	raw    string // as configured, without a trailing slash
	origin string // https://host[:port]
	host   string // canonical host:port, see hostKey
	tenant string
	policy string // mixed case, as the API endpoints want it
}

func parseAuthority(s string) (authority, error) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil {
		return authority{}, fmt.Errorf("authority: %w", err)
	}
	if u.Scheme != "https" {
		return authority{}, errors.New("authority: must be an https URL")
	}
	if u.Hostname() == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return authority{}, errors.New("authority: want https://host/tenant/policy")
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(parts) != 2 || !pathSafe(parts[0]) || !pathSafe(parts[1]) {
		return authority{}, errors.New("authority: want https://host/tenant/policy")
	}
	return authority{
		raw:    "https://" + u.Host + "/" + parts[0] + "/" + parts[1],
		origin: "https://" + u.Host,
		host:   hostKey(u),
		tenant: parts[0],
		policy: parts[1],
	}, nil
}

// allows reports whether a request to u may be sent: https to the
// authority's own host only.
func (a authority) allows(u *url.URL) bool {
	return u != nil && u.Scheme == "https" && u.User == nil && hostKey(u) == a.host
}

// hostKey is host:port with the host lower-cased and the port made explicit,
// so https://Host and https://host:443 compare equal.
func hostKey(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = "443"
	}
	return net.JoinHostPort(strings.ToLower(u.Hostname()), port)
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
