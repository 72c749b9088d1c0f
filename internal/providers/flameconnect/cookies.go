package flameconnect

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// cookieStore keeps one sign-in's B2C cookies. net/http/cookiejar is not
// used because it re-sends a value quoted when the server quoted it, and
// B2C rejects every request carrying a quoted x-ms-cpim-* value; its values
// hold + / = and must go out verbatim. Every request of a sign-in goes to
// the one authority host (the guard sees to it), so no domain scoping is
// needed; paths are ignored as B2C sets its cookies on "/".
type cookieStore struct {
	names  []string // first-set order, for a stable header
	values map[string]string
}

func newCookieStore() *cookieStore { return &cookieStore{values: map[string]string{}} }

// merge applies a response's Set-Cookie headers: new values replace old
// ones, expired or emptied cookies are dropped. The headers are read by hand
// because net/http drops names it deems invalid, such as B2C's
// "x-ms-cpim-sso:{tenant}_0".
func (c *cookieStore) merge(resp *http.Response, now time.Time) {
	for _, line := range resp.Header.Values("Set-Cookie") {
		name, value, expired, ok := parseSetCookie(line, now)
		if !ok {
			continue
		}
		if expired || value == "" {
			c.remove(name)
			continue
		}
		if _, ok := c.values[name]; !ok {
			c.names = append(c.names, name)
		}
		c.values[name] = value
	}
}

// parseSetCookie reads name=value and the attributes that end a cookie
// (Max-Age <= 0, Expires in the past). Surrounding quotes are removed from
// the value: B2C rejects quoted values.
func parseSetCookie(line string, now time.Time) (name, value string, expired, ok bool) {
	parts := strings.Split(line, ";")
	name, value, ok = strings.Cut(parts[0], "=")
	name, value = strings.TrimSpace(name), strings.TrimSpace(value)
	if !ok || !cookieNameOK(name) {
		return "", "", false, false
	}
	if len(value) >= 2 && value[0] == '"' && value[len(value)-1] == '"' {
		value = value[1 : len(value)-1]
	}
	if !cookieValueOK(value) {
		return "", "", false, false
	}
	for _, attr := range parts[1:] {
		k, v, _ := strings.Cut(strings.TrimSpace(attr), "=")
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "max-age":
			if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n <= 0 {
				expired = true
			}
		case "expires":
			if t, err := http.ParseTime(strings.TrimSpace(v)); err == nil && !t.After(now) {
				expired = true
			}
		}
	}
	return name, value, expired, true
}

// cookieNameOK accepts visible ASCII except the separators that would
// break the Cookie header.
func cookieNameOK(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f || c == '=' || c == ';' || c == ',' || c == '"' {
			return false
		}
	}
	return true
}

// cookieValueOK accepts RFC 6265 cookie-octets (base64's + / = included).
func cookieValueOK(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f || c == '"' || c == ',' || c == ';' || c == '\\' {
			return false
		}
	}
	return true
}

func (c *cookieStore) remove(name string) {
	if _, ok := c.values[name]; !ok {
		return
	}
	delete(c.values, name)
	for i, n := range c.names {
		if n == name {
			c.names = append(c.names[:i], c.names[i+1:]...)
			break
		}
	}
}

// header is the Cookie header value: name=value pairs, never quoted.
func (c *cookieStore) header() string {
	parts := make([]string, 0, len(c.names))
	for _, n := range c.names {
		parts = append(parts, n+"="+c.values[n])
	}
	return strings.Join(parts, "; ")
}

// apply sets the Cookie header on req (or leaves it off when empty).
func (c *cookieStore) apply(req *http.Request) {
	if h := c.header(); h != "" {
		req.Header.Set("Cookie", h)
	}
}
