package emulator

import (
	"encoding/json"
	"strings"
)

// Variant picks among server shapes real B2C tenants take. Unlike a
// Fault, every variant is a working tenant: a client that follows docs/flameconnect.md
// signs in against each of them. The zero Variant is the live service's
// usual shape.
type Variant struct {
	// Settings is how the page writes `var SETTINGS`.
	Settings SettingsShape
	// LowercaseHosts writes hosts.tenant as "/tenant/policy" and
	// hosts.policy with the policy lower-cased, as B2C writes it in redirect
	// URLs; the API endpoints still want the mixed-case policy.
	LowercaseHosts bool
	// PageViewIDHeader sets isPageViewIdSentWithHeader: SelfAsserted then
	// requires x-ms-cpim-pageviewid with the page's pageViewId.
	PageViewIDHeader bool
	// LoginField is the SelfAsserted login field SA_FIELDS names ("" is
	// this policy's "email"; other policies use signInName or
	// logonIdentifier).
	LoginField string
	// AuthorizeRedirects makes the authorize GET reach the sign-in page
	// through this many same-host redirects (0: the page is served at once).
	AuthorizeRedirects int
	// ConfirmedRedirects is how many same-host redirects are followed from
	// confirmed to the app's redirect URI (0 means 1: confirmed -> authresp).
	ConfirmedRedirects int
	// RedirectInPage answers the last hop with a 200 page whose script
	// carries the app's redirect URL JavaScript-escaped (\/ and \u0026),
	// instead of a 302.
	RedirectInPage bool
	// LooseRedirectQuery adds pairs strict query parsers refuse (a ';', a
	// bad % escape) to the app's redirect URL.
	LooseRedirectQuery bool
	// CookieShapes sets cookies as real servers may: deletions in the
	// Netscape date form, Max-Age beside a stale Expires (Max-Age wins),
	// cookies scoped to another path (one sharing a name with a B2C
	// cookie), and a value no client can send verbatim. Requests carrying
	// a cookie they should not are refused.
	CookieShapes bool
	// PathPrefix serves the tenant below a path prefix ("/proxy"), as a
	// reverse proxy would; Authority includes it.
	PathPrefix string
	// Captured serves the shapes of a real captured B2C sign-in (see
	// captured.go): a large page whose SETTINGS is a JavaScript object
	// with a function inside and comes after other script objects, the
	// tenant named by its GUID in hosts.tenant (only that path serves the
	// API), signInName in SA_FIELDS, SelfAsserted answering text/json,
	// and confirmed answering 302 to msal...://auth/?...&client_info=...
	// with an "Object moved" body, an SSO cookie and 2014-dated deletions.
	Captured bool
	// Revisit makes the chain after confirmed request one URL twice
	// (A -> B -> A -> app), as real services' chains do; a client must
	// not take it for a loop.
	Revisit bool
	// Loop makes the chain after confirmed come back to one URL for ever:
	// a real loop, which a client must stop.
	Loop bool
	// AuthorityCase spells the policy of Authority (and Env) in another
	// letter case ("lower" or "upper"), as a user's override may; the
	// page's hosts keep the service's spelling, which the API wants.
	AuthorityCase string
	// CaptchaWidget shows a CAPTCHA widget on the sign-in page without
	// enforcing it: a client must still sign in (FaultCaptcha enforces it).
	CaptchaWidget bool
	// Trim is what the page's SETTINGS say about trimSpacesInPassword. The
	// service compares the password as it receives it, so with TrimTrue or
	// TrimUnsaid a password typed with spaces around it signs in only if
	// the client trims it as the page's script does, and with TrimFalse
	// only if it does not.
	Trim TrimSetting
}

// TrimSetting is the page's trimSpacesInPassword.
type TrimSetting int

const (
	// TrimTrue writes "trimSpacesInPassword":true, as the live page does.
	TrimTrue TrimSetting = iota
	// TrimFalse writes "trimSpacesInPassword":false.
	TrimFalse
	// TrimUnsaid leaves trimSpacesInPassword out, which means true.
	TrimUnsaid
)

// SettingsShape is how the page writes SETTINGS.
type SettingsShape int

const (
	// SettingsJSON is strict JSON, as B2C writes it.
	SettingsJSON SettingsShape = iota
	// SettingsTrailingCommas is JSON with a trailing comma in every object,
	// strings escaped as .NET writers do (\u002B, \/), and a nested
	// config object with its own tenant and policy before hosts.
	SettingsTrailingCommas
	// SettingsScript is a JavaScript object literal that is not JSON:
	// unquoted keys for the fields a client does not need, escapes and the
	// nested config as in SettingsTrailingCommas.
	SettingsScript
)

// SetVariant switches the server shape for the following requests.
func (e *Emulator) SetVariant(v Variant) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if v.PathPrefix != "" {
		v.PathPrefix = "/" + strings.Trim(v.PathPrefix, "/")
	}
	e.variant = v
}

func (e *Emulator) currentVariant() Variant {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.variant
}

// member is one key of an ordered JS object; val is a string, a bool, a
// number or an object.
type member struct {
	key string
	val any
}

type object []member

// neededKeys stay quoted in SettingsScript: the public client's regexes need them.
var neededKeys = map[string]bool{
	"csrf": true, "transId": true, "api": true, "hosts": true, "tenant": true, "policy": true,
	"pageViewId": true, "isPageViewIdSentWithHeader": true,
}

// render writes o in the given shape.
func (o object) render(shape SettingsShape) string {
	var b strings.Builder
	o.write(&b, shape)
	return b.String()
}

func (o object) write(b *strings.Builder, shape SettingsShape) {
	b.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		if shape == SettingsScript && !neededKeys[m.key] {
			b.WriteString(m.key)
		} else {
			b.WriteString(jsString(m.key, SettingsJSON))
		}
		b.WriteByte(':')
		switch v := m.val.(type) {
		case object:
			v.write(b, shape)
		case string:
			b.WriteString(jsString(v, shape))
		default:
			raw, _ := json.Marshal(v)
			b.Write(raw)
		}
	}
	if shape != SettingsJSON && len(o) > 0 {
		b.WriteByte(',')
	}
	b.WriteByte('}')
}

// dotNetEscapes writes + and / as .NET's JavaScriptEncoder and PHP do.
var dotNetEscapes = strings.NewReplacer("+", `\u002B`, "/", `\/`)

func jsString(s string, shape SettingsShape) string {
	raw, _ := json.Marshal(s)
	if shape == SettingsJSON {
		return string(raw)
	}
	return dotNetEscapes.Replace(string(raw))
}

// settingsObject is the page's SETTINGS in the live service's key order.
func settingsObject(tx *transaction, v Variant, noCSRF bool) object {
	tenantPath, policy := "/"+Tenant+"/"+Policy, Policy
	if v.LowercaseHosts {
		tenantPath, policy = strings.ToLower(tenantPath), strings.ToLower(Policy)
	}
	o := object{
		{"remoteResource", "https://gdhvb2cflameconnect.b2clogin.com/static/signin.html"},
		{"retryLimit", 3},
		{"trimSpacesInPassword", v.Trim != TrimFalse},
		{"api", API},
		{"csrf", tx.csrf},
		{"transId", tx.id},
		{"pageViewId", tx.pageViewID},
		{"suppressElementCss", false},
		{"isPageViewIdSentWithHeader", v.PageViewIDHeader},
		{"allowAutoFocusOnPasswordField", true},
		{"pageMode", 0},
	}
	if v.Trim == TrimUnsaid {
		o = o.without("trimSpacesInPassword")
	}
	config := object{{"showSignupLink", "True"}, {"operatingMode", "Email"}, {"sendHintOnSignup", "False"}}
	if v.Settings != SettingsJSON {
		// Another object's tenant and policy, before hosts: only hosts counts.
		config = append(config, member{"tenant", "/othertenant.onmicrosoft.com"}, member{"policy", "B2C_1A_Other"})
	}
	o = append(o,
		member{"config", config},
		member{"hosts", object{{"tenant", tenantPath}, {"policy", policy}, {"static", "https://gdhvb2cflameconnect.b2clogin.com/static/"}}},
		member{"locale", object{{"lang", "en"}, {"country", "US"}}},
		member{"xhrSettings", object{{"retryEnabled", false}, {"retryMaxAttempts", 3}, {"retryDelay", 200}, {"retryExponent", 2}}},
	)
	if noCSRF {
		o = o.without("csrf", "transId")
	}
	return o
}

// without is o less the members named keys.
func (o object) without(keys ...string) object {
	kept := make(object, 0, len(o))
	for _, m := range o {
		drop := false
		for _, k := range keys {
			drop = drop || m.key == k
		}
		if !drop {
			kept = append(kept, m)
		}
	}
	return kept
}
