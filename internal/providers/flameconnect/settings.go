package flameconnect

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
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
}

// rawSettings is the JSON shape of SETTINGS; other fields are ignored.
type rawSettings struct {
	CSRF       string `json:"csrf"`
	TransID    string `json:"transId"`
	API        string `json:"api"`
	PageViewID string `json:"pageViewId"`
	PVHeader   bool   `json:"isPageViewIdSentWithHeader"`
	Hosts      struct {
		Tenant string `json:"tenant"`
		Policy string `json:"policy"`
	} `json:"hosts"`
}

var (
	settingsStartRE = regexp.MustCompile(`var\s+SETTINGS\s*=\s*`)
	saFieldsStartRE = regexp.MustCompile(`var\s+SA_FIELDS\s*=\s*`)
	// Fallbacks when SETTINGS is not strict JSON, as the public client reads it.
	csrfRE    = regexp.MustCompile(`"csrf"\s*:\s*"([^"]+)"`)
	transIDRE = regexp.MustCompile(`"transId"\s*:\s*"([^"]+)"`)
	apiRE     = regexp.MustCompile(`"api"\s*:\s*"([^"]+)"`)
	tenantRE  = regexp.MustCompile(`"tenant"\s*:\s*"([^"]+)"`)
	policyRE  = regexp.MustCompile(`"policy"\s*:\s*"([^"]+)"`)
)

// errNoSettings and friends are the causes of an unusable page; they name
// the field, never its value.
var (
	errNoSettings = errors.New("sign-in page has no SETTINGS (policy changed, or not a B2C page)")
	errNoCSRF     = errors.New("sign-in page SETTINGS has no usable csrf")
	errNoTransID  = errors.New("sign-in page SETTINGS has no usable transId")
)

// parseSettings reads SETTINGS from a B2C page as JSON (any spacing, field
// order, one line or many), falling back to the public client's regexes
// when the object is not strict JSON.
func parseSettings(page []byte) (pageSettings, error) {
	loc := settingsStartRE.FindIndex(page)
	if loc == nil {
		return pageSettings{}, errNoSettings
	}
	rest := page[loc[1]:]
	var raw rawSettings
	dec := json.NewDecoder(bytes.NewReader(rest))
	if err := dec.Decode(&raw); err != nil {
		var typeErr *json.UnmarshalTypeError
		if !errors.As(err, &typeErr) {
			raw = regexSettings(rest)
		}
	}
	s := pageSettings{
		CSRF:             raw.CSRF,
		TransID:          raw.TransID,
		API:              raw.API,
		PageViewID:       raw.PageViewID,
		PageViewIDHeader: raw.PVHeader,
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
	return s, nil
}

// regexSettings pulls the needed fields out of a SETTINGS object that is
// not strict JSON. Only the text up to the end of the script is searched.
func regexSettings(rest []byte) rawSettings {
	if i := bytes.Index(rest, []byte("</script")); i >= 0 {
		rest = rest[:i]
	}
	find := func(re *regexp.Regexp) string {
		if m := re.FindSubmatch(rest); m != nil {
			return string(m[1])
		}
		return ""
	}
	var raw rawSettings
	raw.CSRF = find(csrfRE)
	raw.TransID = find(transIDRE)
	raw.API = find(apiRE)
	raw.Hosts.Tenant = find(tenantRE)
	raw.Hosts.Policy = find(policyRE)
	return raw
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
			ID string `json:"ID"`
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
	return def
}

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

// apiBase is the mixed-case /{tenant}/{policy}/ base of the API endpoints and
// the policy for the p parameter: from the page's hosts when present, else
// from the configured authority.
func apiBase(s pageSettings, auth authority) (base, policy string) {
	policy = s.Policy
	if policy == "" {
		policy = auth.policy
	}
	switch {
	case s.TenantPath == "":
		base = "/" + auth.tenant + "/" + policy
	case strings.Count(s.TenantPath, "/") == 2:
		base = s.TenantPath // "/tenant/policy", as B2C writes it
	default:
		base = s.TenantPath + "/" + policy
	}
	return base + "/", policy
}

func (s pageSettings) String() string {
	// Never print csrf or transId values (they are session secrets).
	return fmt.Sprintf("settings{api=%s tenant=%s policy=%s}", s.API, s.TenantPath, s.Policy)
}
