package trace

import (
	"net/url"
	"regexp"
	"strings"
)

// Redacted replaces every secret value.
const Redacted = "[REDACTED]"

var (
	// tagRe finds <input>/<meta> tags; a sensitive name/id makes their
	// value/content secret (hidden csrf fields, csrf meta tags).
	tagRe      = regexp.MustCompile(`(?is)<(?:input|meta)\b[^>]*>`)
	tagNameRe  = regexp.MustCompile(`(?is)\b(?:name|id|property)\s*=\s*\\?["']?([^"'\s>\\]+)`)
	tagValueRe = regexp.MustCompile(`(?is)(\b(?:value|content)\s*=\s*)(\\?"[^"\\]*(?:\\"|"|$)|\\?'[^'\\]*(?:\\'|'|$)|[^\s>]+)`)

	// kvRe finds key/value pairs in JSON, JavaScript and HTML attributes:
	// "csrf":"...", 'code': '...', csrf = "...", \"token\":\"...\",
	// &quot;csrf&quot;:&quot;...&quot;, "code": 123456. Unterminated values
	// (a body cut at the display cap) run to the end of the line.
	kvRe = regexp.MustCompile(`(?m)((?:\\?["']|&quot;|&#34;)?)([A-Za-z_$][\w$.\-]*)((?:\\?["']|&quot;|&#34;)?)(\s*[:=]\s*)` +
		`("(?:[^"\\\n]|\\.)*\\?(?:"|$)|'(?:[^'\\\n]|\\.)*\\?(?:'|$)|\\"(?:[^"\\\n]|\\[^"\n])*(?:\\"|$)|&quot;.*?(?:&quot;|$)|&#34;.*?(?:&#34;|$)|-?\d[\w.+\-]*)`)

	// paramNameRe finds the "name=" of name=value pairs in URLs, forms and
	// free text. Values are not consumed, so a pair hidden in another's
	// value (x=?code=...) is found too.
	paramNameRe = regexp.MustCompile(`[A-Za-z0-9_.%\-\[\]]+=`)

	// authSchemeRe finds credentials after an HTTP auth scheme.
	authSchemeRe = regexp.MustCompile(`(?i)\b(bearer|basic|negotiate|ntlm|digest)(\s+)[A-Za-z0-9\-._~+/]+=*`)

	// statePropsRe is B2C's transaction id (base64 JSON behind a prefix).
	statePropsRe = regexp.MustCompile(`StateProperties=[A-Za-z0-9_\-+/%]+=*`)

	// jwtRe is a JWT/JWS/JWE or any long base64url-encoded JSON object:
	// "eyJ" is base64 of `{"`.
	jwtRe = regexp.MustCompile(`eyJ[A-Za-z0-9_\-+/]{8,}={0,2}(?:\.[A-Za-z0-9_\-+/=]*)*`)
)

// RedactText redacts free text (error messages, HTML, JavaScript, non-JSON
// bodies, header values): sensitive key/value pairs in any common quoting,
// sensitive name=value parameters, hidden form fields, auth-scheme
// credentials, B2C transaction ids and anything JWT-shaped.
func RedactText(s string) string { return (*learner)(nil).text(s) }

func (l *learner) text(s string) string {
	if s == "" {
		return s
	}
	s = tagRe.ReplaceAllStringFunc(s, l.tag)
	s = l.kvs(s, 0)
	s = l.params(s)
	s = authSchemeRe.ReplaceAllStringFunc(s, func(m string) string {
		sm := authSchemeRe.FindStringSubmatch(m)
		l.add("", m[len(sm[1])+len(sm[2]):])
		return sm[1] + sm[2] + Redacted
	})
	s = statePropsRe.ReplaceAllStringFunc(s, func(m string) string {
		l.add("", m)
		return "StateProperties=" + Redacted
	})
	s = jwtRe.ReplaceAllStringFunc(s, func(m string) string {
		l.add("", m)
		return Redacted
	})
	return s
}

func (l *learner) tag(tag string) string {
	m := tagNameRe.FindStringSubmatch(tag)
	if m == nil || !IsSensitiveName(m[1]) {
		return tag
	}
	return tagValueRe.ReplaceAllStringFunc(tag, func(attr string) string {
		sm := tagValueRe.FindStringSubmatch(attr)
		l.add(m[1], unquote(sm[2]))
		return sm[1] + quoteLike(sm[2])
	})
}

// unquote strips the quotes quoteLike would put back.
func unquote(v string) string {
	for _, q := range []string{`\"`, `\'`, `&quot;`, `&#34;`, `"`, `'`} {
		if strings.HasPrefix(v, q) {
			return strings.TrimSuffix(v[len(q):], q)
		}
	}
	return v
}

// quoteLike returns Redacted wrapped in the quotes that opened v.
func quoteLike(v string) string {
	for _, q := range []string{`\"`, `\'`, `&quot;`, `&#34;`, `"`, `'`} {
		if strings.HasPrefix(v, q) {
			return q + Redacted + q
		}
	}
	return Redacted
}

// maxKVDepth bounds how deep quoted values are searched for more pairs
// (escaped JSON inside a JavaScript string, entity-quoted JSON inside an
// HTML attribute).
const maxKVDepth = 3

func (l *learner) kvs(s string, depth int) string {
	return kvRe.ReplaceAllStringFunc(s, func(m string) string {
		sm := kvRe.FindStringSubmatch(m)
		if IsSensitiveName(sm[2]) {
			l.add(sm[2], unquote(sm[5]))
			return sm[1] + sm[2] + sm[3] + sm[4] + quoteLike(sm[5])
		}
		if depth >= maxKVDepth || len(sm[5]) < 2 {
			return m
		}
		// Search inside the value, past its opening quote character.
		v := sm[5]
		return sm[1] + sm[2] + sm[3] + sm[4] + v[:1] + l.kvs(v[1:], depth+1)
	})
}

// paramValueEnd lists what ends a parameter value: the next pair, white
// space, quotes, tags, a fragment, and a backslash (\u0026 in JSON).
const paramValueEnd = "&\t\n\v\f\r \"'<>#;\\"

// params replaces the values of sensitive name=value pairs.
func (l *learner) params(s string) string {
	locs := paramNameRe.FindAllStringIndex(s, -1)
	var b strings.Builder
	last := 0
	for _, loc := range locs {
		if loc[0] < last {
			continue // inside a value already redacted
		}
		name := s[loc[0] : loc[1]-1]
		if loc[0] > 0 && s[loc[0]-1] == '\\' && strings.HasPrefix(name, "u0026") {
			name = name[len("u0026"):] // \u0026 is an escaped '&'
		}
		if u, err := url.QueryUnescape(name); err == nil {
			name = u
		}
		if !IsSensitiveName(name) {
			continue
		}
		end := len(s)
		if i := strings.IndexAny(s[loc[1]:], paramValueEnd); i >= 0 {
			end = loc[1] + i
		}
		if end == loc[1] {
			continue
		}
		l.addEscaped(name, s[loc[1]:end])
		b.WriteString(s[last:loc[1]])
		b.WriteString(Redacted)
		last = end
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}
