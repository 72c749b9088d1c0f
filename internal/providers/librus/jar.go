package librus

import (
	"fmt"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/net/publicsuffix"
)

// recordingJar is a standard cookie jar that also remembers each cookie's
// domain, path and expiry, which cookiejar.Jar does not give back but the
// token cache must keep (DeviceCookie only works under /OAuth).
type recordingJar struct {
	jar *cookiejar.Jar
	now func() time.Time

	mu  sync.Mutex
	set map[cookieKey]Cookie
}

func newJar() (*recordingJar, error) {
	j, err := cookiejar.New(&cookiejar.Options{PublicSuffixList: publicsuffix.List})
	if err != nil {
		return nil, fmt.Errorf("cookie jar: %w", err)
	}
	return &recordingJar{jar: j, now: time.Now, set: map[cookieKey]Cookie{}}, nil
}

// SetCookies implements http.CookieJar.
func (j *recordingJar) SetCookies(u *url.URL, cs []*http.Cookie) {
	j.jar.SetCookies(u, cs)
	now := j.now()
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, c := range cs {
		rec, live := cookieRecord(u, c, now)
		if live {
			j.set[rec.key()] = rec
		} else {
			delete(j.set, rec.key())
		}
	}
}

// Cookies implements http.CookieJar.
func (j *recordingJar) Cookies(u *url.URL) []*http.Cookie { return j.jar.Cookies(u) }

// snapshot lists the recorded cookies the jar still holds (it is the
// authority on rejected, replaced and expired ones). A cookie that JSON
// cannot carry as it is (a default path taken from a Location with bytes
// that are not UTF-8) is left out: stored changed, it would no longer be
// the cookie the server set; so is one for a host with no name.
func (j *recordingJar) snapshot() []Cookie {
	j.mu.Lock()
	defer j.mu.Unlock()
	var out []Cookie
	for _, c := range j.set {
		if !utf8.ValidString(c.Name+c.Value+c.Domain+c.Path) || strings.Trim(c.Domain, ".") == "" {
			continue
		}
		for _, live := range j.jar.Cookies(cookieURL(c)) {
			if live.Name == c.Name && live.Value == c.Value {
				out = append(out, c)
				break
			}
		}
	}
	sortCookies(out)
	return out
}

// restore loads stored cookies without their expiry: whether a saved
// session still lives is the server's call, not the local clock's. They
// are recorded as stored, so a snapshot after a check is the stored
// cookies with the answers' Set-Cookie applied by the jar's rules.
func (j *recordingJar) restore(cs []Cookie) {
	for _, c := range cs {
		hc := &http.Cookie{Name: c.Name, Value: c.Value, Path: c.Path}
		if strings.HasPrefix(c.Domain, ".") {
			hc.Domain = strings.TrimPrefix(c.Domain, ".")
		}
		j.jar.SetCookies(cookieURL(c), []*http.Cookie{hc})
		j.mu.Lock()
		j.set[c.key()] = c
		j.mu.Unlock()
	}
}

// values lists the values of the cookies named name the jar would send
// to u.
func (j *recordingJar) values(u *url.URL, name string) map[string]bool {
	out := map[string]bool{}
	for _, c := range j.jar.Cookies(u) {
		if c.Name == name {
			out[c.Value] = true
		}
	}
	return out
}

func cookieURL(c Cookie) *url.URL {
	return &url.URL{Scheme: "https", Host: strings.TrimPrefix(c.Domain, "."), Path: c.Path}
}

// cookieRecord turns a Set-Cookie received from u into a stored cookie;
// live is false when the header deletes the cookie.
func cookieRecord(u *url.URL, c *http.Cookie, now time.Time) (rec Cookie, live bool) {
	host := strings.ToLower(u.Hostname())
	domain := host
	if d := strings.TrimPrefix(strings.ToLower(c.Domain), "."); d != "" && net.ParseIP(host) == nil {
		domain = "." + d
	}
	path := c.Path
	if path == "" || path[0] != '/' {
		path = defaultPath(u.Path)
	}
	rec = Cookie{Name: c.Name, Value: c.Value, Domain: domain, Path: path}
	switch {
	case c.MaxAge < 0:
		return rec, false
	case c.MaxAge > 0:
		t := now.Add(time.Duration(c.MaxAge) * time.Second).UTC().Truncate(time.Second)
		rec.Expires = &t
	case !c.Expires.IsZero():
		if !c.Expires.After(now) {
			return rec, false
		}
		t := c.Expires.UTC()
		rec.Expires = &t
	}
	return rec, true
}

// defaultPath is RFC 6265 section 5.1.4's default-path.
func defaultPath(p string) string {
	if p == "" || p[0] != '/' {
		return "/"
	}
	i := strings.LastIndex(p, "/")
	if i == 0 {
		return "/"
	}
	return p[:i]
}

// deviceCookieName is the API host's long-lived browser cookie (Path
// /OAuth, one year), believed to spare a browser CAPTCHAs on later sign-ins.
const deviceCookieName = "DeviceCookie"

// reuseDeviceCookie starts a reauth's fresh jar with the DeviceCookie the
// previous sign-in stored for the API host, as a browser keeps it across
// sign-ins (docs/librus.md). Nothing else of the old session is reused,
// and a cache that cannot be read, or a cookie past its expiry, adds
// nothing.
func (a *attempt) reuseDeviceCookie(prior []byte) {
	if len(prior) == 0 {
		return
	}
	s, err := ParseSession(prior)
	if err != nil {
		return
	}
	host := strings.ToLower(a.ep.api.Hostname())
	now := a.jar.now()
	var keep []Cookie
	for _, c := range s.Cookies {
		if c.Name == deviceCookieName && c.Value != "" && strings.TrimPrefix(c.Domain, ".") == host &&
			(c.Expires == nil || c.Expires.After(now)) {
			keep = append(keep, c)
		}
	}
	a.jar.restore(keep)
}
