package librus

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// SessionVersion is the token cache format this package writes and reads.
const SessionVersion = 1

// Session is the librus token cache kept in the keyring: the session
// cookies of both hosts, the account's UserIdentifier and when the sign-in
// happened (the service ends sessions within about a day regardless). It
// never holds the password or the login.
type Session struct {
	Version        int       `json:"version"`
	Cookies        []Cookie  `json:"cookies"`
	UserIdentifier string    `json:"user_identifier"`
	ObtainedAt     time.Time `json:"obtained_at"`
	// RenewedAt is when a check (GET /refreshToken, or TokenInfo when
	// that sets no new token) last proved the session and renewed its
	// cookies; nil until the first check after a sign-in. Check and Token
	// use it to renew at most once a minute (see RenewWindow).
	RenewedAt *time.Time `json:"renewed_at,omitempty"`
}

// Cookie is one stored cookie. Domain follows the cookies.txt convention:
// a leading dot means a domain cookie, none means the exact host. Expires
// is null for a browser-session cookie.
type Cookie struct {
	Name    string     `json:"name"`
	Value   string     `json:"value"`
	Domain  string     `json:"domain"`
	Path    string     `json:"path"`
	Expires *time.Time `json:"expires"`
}

// Marshal encodes the session as the versioned cache JSON.
func (s *Session) Marshal() ([]byte, error) {
	if err := s.validate(); err != nil {
		return nil, err
	}
	return json.Marshal(s)
}

// ParseSession decodes and checks a cache written by Marshal.
func ParseSession(b []byte) (*Session, error) {
	if len(strings.TrimSpace(string(b))) == 0 {
		return nil, errors.New("librus session: empty")
	}
	var s Session
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("librus session: %w", err)
	}
	if err := s.validate(); err != nil {
		return nil, err
	}
	return &s, nil
}

func (s *Session) validate() error {
	if s.Version != SessionVersion {
		return fmt.Errorf("librus session: version %d, want %d", s.Version, SessionVersion)
	}
	if s.UserIdentifier == "" {
		return errors.New("librus session: no user_identifier")
	}
	if len(s.Cookies) == 0 {
		return errors.New("librus session: no cookies")
	}
	for i, c := range s.Cookies {
		if c.Name == "" || strings.Trim(c.Domain, ".") == "" || !strings.HasPrefix(c.Path, "/") {
			return fmt.Errorf("librus session: cookie %d: want a name, a domain and an absolute path", i)
		}
	}
	return nil
}

// key identifies a cookie the way a jar does.
func (c Cookie) key() cookieKey { return cookieKey{c.Domain, c.Path, c.Name} }

type cookieKey struct{ domain, path, name string }

// sortCookies keeps caches byte-stable for the same cookies.
func sortCookies(cs []Cookie) {
	sort.Slice(cs, func(i, j int) bool {
		a, b := cs[i], cs[j]
		if a.Domain != b.Domain {
			return a.Domain < b.Domain
		}
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		return a.Name < b.Name
	})
}
