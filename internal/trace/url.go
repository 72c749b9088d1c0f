package trace

import (
	"net/url"
	"strings"
)

// maxNest bounds how deep URLs nested in parameter values are followed
// (redirect_uri=...%3Fcode%3D...).
const maxNest = 3

// RedactURL redacts a URL (also custom schemes such as msal<id>://auth):
// sensitive query and fragment parameters, the userinfo password, URLs
// nested in parameter values, and anything RedactText catches. The rest of
// the URL keeps its original spelling, so it can be compared with the code.
func RedactURL(raw string) string {
	return (*learner)(nil).url(raw)
}

func (l *learner) url(raw string) string { return l.text(l.urlParts(raw, 0)) }

func (l *learner) urlParts(raw string, depth int) string {
	rest, frag, hasFrag := strings.Cut(raw, "#")
	base, query, hasQuery := strings.Cut(rest, "?")
	base = l.userinfo(base)
	var b strings.Builder
	b.WriteString(base)
	if hasQuery {
		b.WriteByte('?')
		b.WriteString(l.pairs(query, depth))
	}
	if hasFrag {
		b.WriteByte('#')
		if strings.Contains(frag, "=") {
			frag = l.pairs(frag, depth)
		}
		b.WriteString(frag)
	}
	return b.String()
}

// redactUserinfo replaces the password of scheme://user:password@host.
func (l *learner) userinfo(base string) string {
	i := strings.Index(base, "://")
	if i < 0 {
		return base
	}
	authStart := i + 3
	authEnd := len(base)
	if j := strings.IndexByte(base[authStart:], '/'); j >= 0 {
		authEnd = authStart + j
	}
	auth := base[authStart:authEnd]
	at := strings.LastIndexByte(auth, '@')
	if at < 0 {
		return base
	}
	user, pass, hasPass := strings.Cut(auth[:at], ":")
	if !hasPass {
		return base
	}
	l.addEscaped("password", pass)
	return base[:authStart] + user + ":" + Redacted + auth[at:] + base[authEnd:]
}

// redactPairs redacts an application/x-www-form-urlencoded string (a query,
// a fragment, a form body) keeping order and spelling of what it keeps.
func (l *learner) pairs(s string, depth int) string {
	parts := strings.Split(s, "&")
	for i, p := range parts {
		k, v, hasEq := strings.Cut(p, "=")
		if !hasEq {
			continue
		}
		name, err := url.QueryUnescape(k)
		if err != nil {
			name = k
		}
		if IsSensitiveName(name) {
			l.addEscaped(name, v)
			parts[i] = k + "=" + Redacted
			continue
		}
		if depth < maxNest && strings.ContainsAny(v, "%+") {
			if dec, err := url.QueryUnescape(v); err == nil && (strings.ContainsAny(dec, "?#&=")) {
				if r := l.text(l.urlParts(dec, depth+1)); r != dec {
					parts[i] = k + "=" + url.QueryEscape(r)
				}
			}
		}
	}
	return strings.Join(parts, "&")
}
