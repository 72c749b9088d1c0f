package flameconnect

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// cookieStore keeps one sign-in's B2C cookies. net/http/cookiejar is not
// used because it re-sends a value quoted when the server quoted it, and
// B2C rejects every request carrying a quoted x-ms-cpim-* value; its values
// hold + / = and must go out verbatim. Every request of a sign-in goes to
// the one authority host (the guard sees to it), so no domain scoping is
// needed; cookies are keyed by name and path and sent only to matching
// paths (RFC 6265 5.1.4, 5.3, 5.4).
type cookieStore struct {
	list    []storedCookie
	created int      // creation counter, for the RFC's send order
	refused []string // names whose new value could not be sent verbatim
}

type storedCookie struct {
	name, path, value string
	created           int
}

func newCookieStore() *cookieStore { return &cookieStore{} }

// merge applies a response's Set-Cookie headers for a request to reqURL:
// new values replace old ones with the same name and path, expired cookies
// are dropped. A cookie whose new value cannot go out verbatim is dropped
// too (sending the old value would be wrong) and its name remembered for
// the error cause. The headers are read by hand because net/http drops
// names it deems invalid, such as B2C's "x-ms-cpim-sso:{tenant}_0".
func (c *cookieStore) merge(reqURL *url.URL, resp *http.Response, now time.Time) {
	for _, line := range resp.Header.Values("Set-Cookie") {
		sc, ok := parseSetCookie(line, now)
		if !ok {
			continue
		}
		if sc.path == "" {
			sc.path = defaultCookiePath(reqURL)
		}
		switch {
		case sc.unsendable:
			c.remove(sc.name, sc.path)
			c.refuse(sc.name)
		case sc.expired:
			c.remove(sc.name, sc.path)
		default:
			c.set(sc.name, sc.path, sc.value)
		}
	}
}

func (c *cookieStore) set(name, path, value string) {
	for i := range c.list {
		if c.list[i].name == name && c.list[i].path == path {
			c.list[i].value = value // keeps its creation time (RFC 6265 5.3 step 11)
			return
		}
	}
	c.created++
	c.list = append(c.list, storedCookie{name: name, path: path, value: value, created: c.created})
}

func (c *cookieStore) remove(name, path string) {
	for i := range c.list {
		if c.list[i].name == name && c.list[i].path == path {
			c.list = append(c.list[:i], c.list[i+1:]...)
			return
		}
	}
}

// maxRefused bounds the names kept for the error cause.
const maxRefused = 8

func (c *cookieStore) refuse(name string) {
	if len(name) > 64 {
		name = name[:64] + "..."
	}
	for _, n := range c.refused {
		if n == name {
			return
		}
	}
	if len(c.refused) < maxRefused {
		c.refused = append(c.refused, name)
	}
}

// refusedNote names the cookies dropped for an unsendable value (never
// their values), or "" when there were none.
func (c *cookieStore) refusedNote() string {
	if len(c.refused) == 0 {
		return ""
	}
	return "cookies dropped because the server set a value that cannot be sent verbatim: " + strings.Join(c.refused, ", ")
}

// setCookie is one Set-Cookie line as far as a sign-in needs it.
type setCookie struct {
	name, value string
	path        string // "" when absent or not absolute: the default path applies
	expired     bool
	unsendable  bool // the value is not RFC 6265 cookie-octets; value is then ""
}

// parseSetCookie reads name=value and the attributes that matter here:
// Path, and Max-Age / Expires (Max-Age wins, RFC 6265 5.3 step 3).
// Surrounding quotes are removed from the value: B2C rejects quoted values.
// ok is false for a line without a usable name, which is ignored.
func parseSetCookie(line string, now time.Time) (sc setCookie, ok bool) {
	parts := strings.Split(line, ";")
	name, value, found := strings.Cut(parts[0], "=")
	name, value = strings.TrimSpace(name), strings.TrimSpace(value)
	if !found || !cookieNameOK(name) {
		return setCookie{}, false
	}
	if len(value) >= 2 && value[0] == '"' && value[len(value)-1] == '"' {
		value = value[1 : len(value)-1]
	}
	sc.name = name
	if cookieValueOK(value) {
		sc.value = value
	} else {
		sc.unsendable = true
	}
	var maxAge *int
	var expires *time.Time
	for _, attr := range parts[1:] {
		k, v, _ := strings.Cut(attr, "=")
		v = strings.TrimSpace(v)
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "max-age":
			if n, ok := parseMaxAge(v); ok {
				maxAge = &n
			}
		case "expires":
			if t, ok := parseCookieDate(v); ok {
				expires = &t
			}
		case "path":
			if strings.HasPrefix(v, "/") {
				sc.path = v
			} else {
				sc.path = ""
			}
		}
	}
	switch {
	case maxAge != nil:
		sc.expired = *maxAge <= 0
	case expires != nil:
		sc.expired = !expires.After(now)
	}
	return sc, true
}

// parseMaxAge follows RFC 6265 5.2.2: an optional '-' then digits; other
// values are ignored. Huge values saturate.
func parseMaxAge(v string) (int, bool) {
	digits := strings.TrimPrefix(v, "-")
	if digits == "" {
		return 0, false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return 0, false
		}
	}
	if v[0] == '-' {
		return -1, true
	}
	n, err := strconv.Atoi(digits)
	if err != nil {
		return 1 << 30, true // out of range: far in the future
	}
	return n, true
}

// defaultCookiePath is RFC 6265 5.1.4's default-path of the request URL.
func defaultCookiePath(u *url.URL) string {
	p := ""
	if u != nil {
		p = u.EscapedPath()
	}
	i := strings.LastIndexByte(p, '/')
	if i <= 0 {
		return "/"
	}
	return p[:i]
}

// pathMatch is RFC 6265 5.1.4's path-match.
func pathMatch(requestPath, cookiePath string) bool {
	if requestPath == "" {
		requestPath = "/"
	}
	if !strings.HasPrefix(requestPath, cookiePath) {
		return false
	}
	return len(requestPath) == len(cookiePath) || strings.HasSuffix(cookiePath, "/") || requestPath[len(cookiePath)] == '/'
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

// header is the Cookie header for a request to path: the matching
// name=value pairs, longer paths first, then older first (RFC 6265 5.4),
// never quoted.
func (c *cookieStore) header(path string) string {
	var match []storedCookie
	for _, sc := range c.list {
		if pathMatch(path, sc.path) {
			match = append(match, sc)
		}
	}
	sort.SliceStable(match, func(i, j int) bool {
		if len(match[i].path) != len(match[j].path) {
			return len(match[i].path) > len(match[j].path)
		}
		return match[i].created < match[j].created
	})
	parts := make([]string, 0, len(match))
	for _, sc := range match {
		parts = append(parts, sc.name+"="+sc.value)
	}
	return strings.Join(parts, "; ")
}

// apply sets the Cookie header on req (or leaves it off when empty).
func (c *cookieStore) apply(req *http.Request) {
	if h := c.header(req.URL.EscapedPath()); h != "" {
		req.Header.Set("Cookie", h)
	}
}
