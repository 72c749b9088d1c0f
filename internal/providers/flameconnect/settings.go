package flameconnect

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode"
)

// pageSettings is what the credential submission needs from a B2C page's
// `var SETTINGS = {...};` (and SA_FIELDS for the login field's name).
type pageSettings struct {
	CSRF       string
	TransID    string
	API        string // confirmed path segment, CombinedSigninAndSignup
	TenantPath string // hosts.tenant, "/tenant/policy" ("" when absent or unsafe)
	Policy     string // hosts.policy, mixed case ("" when absent or unsafe)
	PageViewID string // sent as x-ms-cpim-pageviewid when PageViewIDHeader
	// PageViewIDHeader mirrors isPageViewIdSentWithHeader.
	PageViewIDHeader bool
	LoginField       string // the SelfAsserted field for the e-mail
	// Captcha: the page carries a CAPTCHA (a SA_FIELDS field or a widget),
	// which a scripted sign-in cannot answer.
	Captcha bool
	// TrimSpaces mirrors trimSpacesInPassword: true unless the page says
	// false. The page's script then trims the password before posting it,
	// so a password pasted with a space around it signs in there.
	TrimSpaces bool
}

// rawSettings is the JSON shape of SETTINGS; other fields are ignored.
type rawSettings struct {
	CSRF       string `json:"csrf"`
	TransID    string `json:"transId"`
	API        string `json:"api"`
	PageViewID string `json:"pageViewId"`
	PVHeader   bool   `json:"isPageViewIdSentWithHeader"`
	// TrimSpaces is trimSpacesInPassword as written: a JSON boolean, or a
	// string "true"/"false" some writers produce (absent: nil).
	TrimSpaces json.RawMessage `json:"trimSpacesInPassword"`
	Hosts      struct {
		Tenant string `json:"tenant"`
		Policy string `json:"policy"`
	} `json:"hosts"`
}

var (
	// SETTINGS as the page declares it: "var SETTINGS = {" on B2C's pages,
	// but let, const, window.SETTINGS or a bare assignment are the same
	// object (the public client reads csrf and transId wherever they are).
	// The '{' keeps a comparison such as SETTINGS == x from matching.
	settingsStartRE = regexp.MustCompile(`\bSETTINGS\s*=\s*\{`)
	saFieldsStartRE = regexp.MustCompile(`var\s+SA_FIELDS\s*=\s*`)
	// Fallbacks when SETTINGS is not JSON even without trailing commas, as
	// the public client reads it, but capturing whole JSON strings (escaped
	// quotes included) so each value can be JSON-decoded.
	csrfRE     = stringMemberRE("csrf")
	transIDRE  = stringMemberRE("transId")
	apiRE      = stringMemberRE("api")
	pageViewRE = stringMemberRE("pageViewId")
	tenantRE   = stringMemberRE("tenant") // searched inside "hosts" only
	policyRE   = stringMemberRE("policy") // searched inside "hosts" only
	hostsRE    = regexp.MustCompile(`"hosts"\s*:\s*`)
	pvHeaderRE = regexp.MustCompile(`"isPageViewIdSentWithHeader"\s*:\s*true\b`)
	// trimRE reads trimSpacesInPassword with its key quoted or not (a
	// script object's keys may be bare) and its value a boolean or a
	// quoted one.
	// It begins with the key's literal text, which keeps the search over
	// a large page fast.
	trimRE = regexp.MustCompile(`trimSpacesInPassword["']?\s*:\s*["']?((?i:true|false))\b`)
)

// stringMemberRE matches "key": "<JSON string body>".
func stringMemberRE(key string) *regexp.Regexp {
	return regexp.MustCompile(`"` + regexp.QuoteMeta(key) + `"\s*:\s*"((?:[^"\\]|\\.)*)"`)
}

// errNoSettings and friends are the causes of an unusable page; they name
// the field, never its value.
var (
	errNoSettings = errors.New("sign-in page has no SETTINGS (policy changed, or not a B2C page)")
	errNoCSRF     = errors.New("sign-in page SETTINGS has no usable csrf")
	errNoTransID  = errors.New("sign-in page SETTINGS has no usable transId")
)

// parseSettings reads SETTINGS from a B2C page as JSON (any spacing, field
// order, one line or many); then as JSON once trailing commas are dropped;
// and last with the public client's regexes.
func parseSettings(page []byte) (pageSettings, error) {
	loc := settingsStartRE.FindIndex(page)
	if loc == nil {
		return pageSettings{}, errNoSettings
	}
	raw := decodeSettings(page[loc[1]-1:]) // from the '{'
	s := pageSettings{
		CSRF:             raw.CSRF,
		TransID:          raw.TransID,
		API:              raw.API,
		PageViewID:       raw.PageViewID,
		PageViewIDHeader: raw.PVHeader,
		TrimSpaces:       trimFlag(raw.TrimSpaces),
	}
	if !tokenSafe(s.CSRF) {
		return pageSettings{}, errNoCSRF
	}
	if !tokenSafe(s.TransID) {
		return pageSettings{}, errNoTransID
	}
	if !segmentSafe(s.API) {
		s.API = "CombinedSigninAndSignup"
	}
	if !tokenSafe(s.PageViewID) {
		s.PageViewID, s.PageViewIDHeader = "", false
	}
	if tenantPathSafe(raw.Hosts.Tenant) {
		s.TenantPath = strings.TrimSuffix(raw.Hosts.Tenant, "/")
	}
	if segmentSafe(raw.Hosts.Policy) {
		s.Policy = raw.Hosts.Policy
	}
	s.LoginField = loginField(page)
	s.Captcha = pageHasCaptcha(page)
	return s, nil
}

// trimFlag reads trimSpacesInPassword: only an explicit false turns the
// trimming off. An absent flag means trim, as another vendor's public B2C
// client reads it (docs/flameconnect.md), and so does a value of another
// shape, which B2C does not write.
func trimFlag(raw json.RawMessage) bool {
	v := strings.ToLower(strings.Trim(strings.TrimSpace(string(raw)), `"'`))
	return v != "false"
}

// jsTrim removes what the page's script removes when it trims, that is
// what JavaScript's String.prototype.trim removes: leading and trailing
// white space and line terminators, which is Unicode's White_Space without
// U+0085, plus U+FEFF.
func jsTrim(s string) string {
	return strings.TrimFunc(s, func(r rune) bool {
		return r == '\uFEFF' || (unicode.IsSpace(r) && r != '\u0085')
	})
}

// captchaWidgets are the page texts of a CAPTCHA widget: the class names
// of the common CAPTCHA services and their site-key attribute. Plain
// mentions of "captcha" elsewhere on the page (a localized string, script
// code that handles one) do not count.
var captchaWidgets = [][]byte{
	[]byte("g-recaptcha"), []byte("h-captcha"), []byte("cf-turnstile"), []byte("data-sitekey"),
}

// pageHasCaptcha reports whether the sign-in page shows a CAPTCHA: a
// SA_FIELDS field (or display control) naming one, or a widget. It only
// explains a refused submission (see submit): a page that shows one still
// gets the credentials posted.
func pageHasCaptcha(page []byte) bool {
	if loc := saFieldsStartRE.FindIndex(page); loc != nil {
		if fields, ok := objectText(page[loc[1]:]); ok && bytes.Contains(bytes.ToLower(fields), []byte("captcha")) {
			return true
		}
	}
	lower := bytes.ToLower(page)
	for _, m := range captchaWidgets {
		if bytes.Contains(lower, m) {
			return true
		}
	}
	return false
}

// decodeSettings reads the object that starts rest: strict JSON first, then
// JSON without trailing commas, then regexes over the object's text.
func decodeSettings(rest []byte) rawSettings {
	var raw rawSettings
	var typeErr *json.UnmarshalTypeError
	err := json.NewDecoder(bytes.NewReader(rest)).Decode(&raw)
	if err == nil || errors.As(err, &typeErr) {
		return raw // a field of another type is skipped, the rest is kept
	}
	// The regexes search no further than the end of the script.
	script := rest
	if i := bytes.Index(script, []byte("</script")); i >= 0 {
		script = script[:i]
	}
	obj, ok := objectText(rest)
	if !ok {
		return regexSettings(script)
	}
	raw = rawSettings{}
	if err := json.Unmarshal(withoutTrailingCommas(obj), &raw); err == nil || errors.As(err, &typeErr) {
		return raw
	}
	raw = regexSettings(obj)
	// Brace matching knows JavaScript strings but not comments or regular
	// expression literals: a '}' in either inside sanitizerPolicy's
	// function ends the object early, before "hosts" (which real pages put
	// after it). What the object lacks is looked for in the rest of the
	// script.
	if raw.CSRF == "" || raw.TransID == "" || raw.API == "" || raw.Hosts.Tenant == "" {
		more := regexSettings(script)
		raw.CSRF = cmp.Or(raw.CSRF, more.CSRF)
		raw.TransID = cmp.Or(raw.TransID, more.TransID)
		raw.API = cmp.Or(raw.API, more.API)
		raw.PageViewID = cmp.Or(raw.PageViewID, more.PageViewID)
		raw.PVHeader = raw.PVHeader || more.PVHeader
		if len(raw.TrimSpaces) == 0 {
			raw.TrimSpaces = more.TrimSpaces
		}
		if raw.Hosts.Tenant == "" {
			raw.Hosts = more.Hosts
		}
	}
	return raw
}

// objectText returns the {...} at the start of b (after spaces), matched by
// brace depth outside JavaScript strings ("..." and '...').
func objectText(b []byte) ([]byte, bool) {
	start := 0
	for start < len(b) && (b[start] == ' ' || b[start] == '\t' || b[start] == '\r' || b[start] == '\n') {
		start++
	}
	if start == len(b) || b[start] != '{' {
		return nil, false
	}
	depth := 0
	var quote byte
	for i := start; i < len(b); i++ {
		c := b[i]
		switch {
		case quote != 0:
			if c == '\\' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			depth--
			if depth == 0 {
				return b[start : i+1], true
			}
		}
	}
	return nil, false
}

// withoutTrailingCommas drops each comma that only spaces separate from a
// closing } or ], outside strings: the commonest way a hand-written or
// templated SETTINGS stops being JSON.
func withoutTrailingCommas(b []byte) []byte {
	out := make([]byte, 0, len(b))
	inString := false
	for i := 0; i < len(b); i++ {
		c := b[i]
		if inString {
			out = append(out, c)
			if c == '\\' && i+1 < len(b) {
				i++
				out = append(out, b[i])
			} else if c == '"' {
				inString = false
			}
			continue
		}
		if c == '"' {
			inString = true
		}
		if c == ',' {
			j := i + 1
			for j < len(b) && (b[j] == ' ' || b[j] == '\t' || b[j] == '\r' || b[j] == '\n') {
				j++
			}
			if j < len(b) && (b[j] == '}' || b[j] == ']') {
				continue
			}
		}
		out = append(out, c)
	}
	return out
}

// regexSettings pulls the needed fields out of a SETTINGS object that is not
// JSON. Values are JSON-decoded (\u002B from .NET writers, \/ ...); the
// tenant and policy are taken from the "hosts" object only, so another
// object's "tenant" cannot move the API base.
func regexSettings(obj []byte) rawSettings {
	var raw rawSettings
	raw.CSRF = findString(csrfRE, obj)
	raw.TransID = findString(transIDRE, obj)
	raw.API = findString(apiRE, obj)
	raw.PageViewID = findString(pageViewRE, obj)
	raw.PVHeader = pvHeaderRE.Match(obj)
	if m := trimRE.FindSubmatch(obj); m != nil {
		raw.TrimSpaces = json.RawMessage(bytes.ToLower(m[1]))
	}
	if loc := hostsRE.FindIndex(obj); loc != nil {
		if hosts, ok := objectText(obj[loc[1]:]); ok {
			raw.Hosts.Tenant = findString(tenantRE, hosts)
			raw.Hosts.Policy = findString(policyRE, hosts)
		}
	}
	return raw
}

// findString returns the JSON-decoded value re captures ("" when absent or
// not a valid JSON string).
func findString(re *regexp.Regexp, b []byte) string {
	m := re.FindSubmatch(b)
	if m == nil {
		return ""
	}
	quoted := make([]byte, 0, len(m[1])+2)
	quoted = append(append(append(quoted, '"'), m[1]...), '"')
	var s string
	if json.Unmarshal(quoted, &s) != nil {
		return ""
	}
	return s
}

// loginField picks the SelfAsserted name of the e-mail field from SA_FIELDS:
// this policy's "email", or signInName / logonIdentifier on other policies.
func loginField(page []byte) string {
	const def = "email"
	loc := saFieldsStartRE.FindIndex(page)
	if loc == nil {
		return def
	}
	var fields struct {
		AttributeFields []struct {
			ID         string `json:"ID"`
			IsPassword bool   `json:"IS_PASSWORD"`
		} `json:"AttributeFields"`
	}
	if err := json.NewDecoder(bytes.NewReader(page[loc[1]:])).Decode(&fields); err != nil {
		return def
	}
	seen := map[string]bool{}
	for _, f := range fields.AttributeFields {
		seen[f.ID] = true
	}
	for _, id := range []string{"email", "signInName", "logonIdentifier"} {
		if seen[id] {
			return id
		}
	}
	// A policy naming its login field otherwise: the first field that is
	// not the password, as the page's own form posts it.
	for _, f := range fields.AttributeFields {
		if !f.IsPassword && f.ID != "password" && fieldNameSafe(f.ID) {
			return f.ID
		}
	}
	return def
}

// fieldNameSafe accepts a SelfAsserted form field name as B2C writes them
// (letters, digits, '.', '_', '-'), so it goes into the body unescaped.
func fieldNameSafe(s string) bool { return len(s) <= 64 && pathSafe(s) }

// tokenSafe accepts csrf / transId style values: visible ASCII that cannot
// break a header, a query or a path (base64 with + / = passes).
func tokenSafe(s string) bool {
	if s == "" || len(s) > 4096 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"'<>\;&#%?`+"`", c) >= 0 {
			return false
		}
	}
	return true
}

// segmentSafe accepts one URL path segment made of B2C name characters.
func segmentSafe(s string) bool { return len(s) <= 256 && pathSafe(s) }

// tenantPathSafe accepts "/tenant" or "/tenant/policy" made of safe segments.
func tenantPathSafe(s string) bool {
	s = strings.TrimSuffix(s, "/")
	if !strings.HasPrefix(s, "/") {
		return false
	}
	parts := strings.Split(s[1:], "/")
	if len(parts) > 2 {
		return false
	}
	for _, p := range parts {
		if !segmentSafe(p) {
			return false
		}
	}
	return true
}

// apiBase is the /{tenant}/{policy}/ base of the API endpoints (below the
// authority's proxy prefix, if any) and the policy for the p parameter.
// The tenant is the first segment of the page's hosts.tenant (a GUID on
// some tenants, although the authority names the domain), else the
// authority's. The policy is the page's (hosts.policy, else the one in
// hosts.tenant) when it names another policy; when it names the same
// one, the API wants the service's own spelling, so the page's wins over
// an override typed in another case, unless the page's is all lower case
// (B2C lower-cases the policy in URLs and on some pages) and the
// authority's has capitals.
func apiBase(s pageSettings, auth authority) (base, policy string) {
	tenant := auth.tenant
	pageTenant, pagePolicy, _ := strings.Cut(strings.TrimPrefix(s.TenantPath, "/"), "/")
	if pageTenant != "" {
		tenant = pageTenant
	}
	policy = auth.policy
	switch {
	case s.Policy != "" && !strings.EqualFold(s.Policy, auth.policy):
		policy = s.Policy
	case s.Policy == "" && pagePolicy != "" && !strings.EqualFold(pagePolicy, auth.policy):
		// Only hosts.tenant names the policy, another one: the API lives there.
		policy = pagePolicy
	case hasUpper(s.Policy):
		policy = s.Policy
	case strings.EqualFold(pagePolicy, auth.policy) && hasUpper(pagePolicy):
		policy = pagePolicy
	}
	return auth.prefix + "/" + tenant + "/" + policy + "/", policy
}

func hasUpper(s string) bool { return strings.ToLower(s) != s }

func (s pageSettings) String() string {
	// Never print csrf or transId values (they are session secrets).
	return fmt.Sprintf("settings{api=%s tenant=%s policy=%s}", s.API, s.TenantPath, s.Policy)
}
