package trace

import (
	"net/http"
	"strings"
)

// urlHeaders hold a URL whose query may carry codes and state.
var urlHeaders = map[string]bool{"location": true, "content-location": true, "referer": true}

// cookieAttrs are Set-Cookie attributes worth keeping: they explain why a
// cookie was or was not sent later, and none is secret.
var cookieAttrs = map[string]bool{
	"path": true, "domain": true, "max-age": true, "expires": true, "secure": true,
	"httponly": true, "samesite": true, "partitioned": true, "priority": true, "version": true,
}

// RedactHeader returns a redacted copy of h: cookie values (names and
// attributes kept), whole values of credential-bearing headers
// (Authorization, X-CSRF-TOKEN, x-ms-cpim-*, any name with token, csrf,
// secret, auth, session or cookie in it), sensitive URL parameters in
// Location/Referer, and whatever RedactText finds in the rest.
func RedactHeader(h http.Header) http.Header { return (*learner)(nil).header(h) }

func (l *learner) header(h http.Header) http.Header {
	out := make(http.Header, len(h))
	for k, vs := range h {
		lk := strings.ToLower(k)
		red := make([]string, len(vs))
		for i, v := range vs {
			switch {
			case lk == "cookie":
				red[i] = l.cookieHeader(v)
			case lk == "set-cookie":
				red[i] = l.setCookie(v)
			case sensitiveHeader(k):
				if !strings.Contains(lk, "authenticate") { // a challenge, not a credential
					l.add(k, v)
					if _, cred, ok := strings.Cut(v, " "); ok {
						l.add(k, strings.TrimSpace(cred)) // after "Bearer "
					}
				}
				red[i] = Redacted
			case urlHeaders[lk]:
				red[i] = l.url(v)
			default:
				red[i] = l.text(v)
			}
		}
		out[k] = red
	}
	return out
}

// redactCookieHeader keeps the names of a Cookie header's pairs.
func (l *learner) cookieHeader(v string) string {
	parts := strings.Split(v, ";")
	for i, p := range parts {
		name, val, ok := strings.Cut(p, "=")
		l.add("cookie", val)
		if !ok {
			l.add("cookie", strings.TrimSpace(p))
			parts[i] = leadingSpace(p) + Redacted
			continue
		}
		parts[i] = name + "=" + Redacted
	}
	return strings.Join(parts, ";")
}

// redactSetCookie keeps the cookie's name and its known attributes.
func (l *learner) setCookie(v string) string {
	parts := strings.Split(v, ";")
	for i, p := range parts {
		name, val, ok := strings.Cut(p, "=")
		attr := strings.ToLower(strings.TrimSpace(name))
		switch {
		case i == 0 && ok:
			l.add("cookie", val)
			parts[i] = name + "=" + Redacted
		case i == 0:
			l.add("cookie", strings.TrimSpace(p))
			parts[i] = Redacted
		case cookieAttrs[attr] && attr != "expires":
			parts[i] = name + eqIf(ok) + l.text(val)
		case cookieAttrs[attr]:
			parts[i] = p // dates have commas and spaces RedactText leaves alone
		case ok:
			l.add("cookie", val)
			parts[i] = name + "=" + Redacted
		default:
			parts[i] = leadingSpace(p) + Redacted
		}
	}
	return strings.Join(parts, ";")
}

func eqIf(ok bool) string {
	if ok {
		return "="
	}
	return ""
}

func leadingSpace(s string) string {
	return s[:len(s)-len(strings.TrimLeft(s, " \t"))]
}
