package emulator

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
)

// The shapes of a real B2C sign-in, written from the description of a
// captured one (another vendor's tenant): what a client meets on the live
// service beyond the FlameConnect client's own test data.

// capturedPageSize is about the size of a real B2C sign-in page.
const capturedPageSize = 440 << 10

var (
	fillerOnce sync.Once
	filler     string
)

// pageFiller is script and style text of the size real pages carry before
// and after their settings; the same for every page.
func pageFiller() string {
	fillerOnce.Do(func() {
		var b strings.Builder
		for i := 0; b.Len() < capturedPageSize-16<<10; i++ {
			fmt.Fprintf(&b, "  .entry-item-%d{margin:0 0 %dpx;padding:%dpx 4px}\n", i, i%17, i%9)
			fmt.Fprintf(&b, "  function $i%d(a,b){return a&&a.attr?a.attr('data-i%d')||b:b}\n", i, i)
		}
		filler = b.String()
	})
	return filler
}

// capturedSettings is SETTINGS as the captured page writes it: JSON-like
// up to a sanitizerPolicy written as JavaScript (unquoted keys,
// single-quoted strings, a function), so a strict JSON decode fails.
func capturedSettings(tx *transaction, tenantGUID string, noCSRF bool) string {
	str := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	var b strings.Builder
	b.WriteString(`{"remoteResource":"https://gdhvb2cflameconnect.b2clogin.com/static/signin.html","retryLimit":3,"trimSpacesInPassword":true,"api":"` + API + `",`)
	if !noCSRF {
		b.WriteString(`"csrf":` + str(tx.csrf) + `,"transId":` + str(tx.id) + `,`)
	}
	b.WriteString(`"pageViewId":` + str(tx.pageViewID) + `,"suppressElementCss":false,"isPageViewIdSentWithHeader":false,` +
		`"allowAutoFocusOnPasswordField":true,"pageMode":0,` +
		`"config":{"showSignupLink":"True","sendHintOnSignup":"False","includePasswordRequirements":"true","enableRememberMe":"false","operatingMode":"Username"},` +
		`"sanitizerPolicy":{allowedTags:['a','b','br','div','em','i','li','p','span','strong','u','ul'],` +
		`allowedAttributes:{'a':['href','target','rel'],'*':['class','id']},` +
		`transformTags:{'a':function (frame) { if (frame.attribs.href) { frame.attribs.target = '_blank'; frame.attribs.rel = 'noopener'; } return frame; }},` +
		// A '}' in a comment and in a regular expression literal, which
		// brace matching that knows only strings takes for the end.
		`exclusiveFilter: function (frame) { /* a lone } */ return frame.tag === 'p' && /^\s*}\s*$/.test(frame.text); },` +
		`allowedSchemes:['https','mailto']},` +
		// hosts after sanitizerPolicy, where the captured page has it.
		`"hosts":{"tenant":"/` + tenantGUID + `/` + Policy + `","policy":"` + Policy + `","static":"https://gdhvb2cflameconnect.b2clogin.com/static/"},` +
		`"locale":{"lang":"en","country":"US"},` +
		`"xhrSettings":{"retryEnabled":true,"retryMaxAttempts":3,"retryDelay":200,"retryExponent":2,"retryOn":["error","timeout"]}}`)
	return b.String()
}

// capturedPage is a sign-in page of the captured shape: other script
// objects (CP, SA_FIELDS, CONTENT) before SETTINGS, signInName as the
// login field, and some hundreds of KiB of script and style around.
func capturedPage(tx *transaction, tenantGUID string, noCSRF bool) string {
	saFields := `{"AttributeFields":[{"IS_REQ":true,"IS_RHB":false,"IS_ADV":false,"IS_TEXT":false,"IS_EMAIL":false,"IS_PASSWORD":false,"IS_DATE":false,"IS_RADIO":false,"IS_DROP":false,"IS_TEXTAREA":false,"IS_CHECK":false,"IS_LINK":false,"DN":"Sign in name","ID":"signInName","U_HELP":"","DAY_PRE":"0","MONTH_PRE":"0","YEAR_PRE":"0","IS_SEL":false},{"IS_REQ":true,"IS_PASSWORD":true,"DN":"Password","ID":"password","U_HELP":"Enter password","IS_SEL":false}]}`
	fill := pageFiller()
	half := len(fill) / 2
	return `<!DOCTYPE html>
<html lang="en"><head>
<title>Sign up or sign in</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
` + fill[:half] + `</style>
<script data-container="true" nonce="` + randomToken() + `">
  var CP = {"copy":{"signin_title":"Sign in","signup_link":"Sign up now"},"policy":"B2C_1A_Other","tenant":"/elsewhere.onmicrosoft.com"};
  var SA_FIELDS = ` + saFields + `;
  var CONTENT = {"button_signin":"Sign in","forgotpassword_link":"Forgot your password?","createaccount_link":"Sign up now","requiredField_password":"Please enter your password","requiredField_signInName":"Please enter your sign in name"};
  var SETTINGS = ` + capturedSettings(tx, tenantGUID, noCSRF) + `;
</script>
<script nonce="` + randomToken() + `">
` + fill[half:] + `</script>
</head><body><div id="api" data-name="Unified" role="main"></div></body></html>`
}

// capturedCookie sets a cookie as the captured answers do: the host as
// domain, SameSite=None, HttpOnly.
func (e *Emulator) capturedCookie(w http.ResponseWriter, name, value string) {
	host := strings.TrimPrefix(e.main.URL, "https://")
	if i := strings.LastIndexByte(host, ':'); i >= 0 {
		host = host[:i]
	}
	setCookieRaw(w, name+"="+value+"; domain="+host+"; path=/; SameSite=None; secure; HttpOnly")
}

// capturedDeletion deletes a cookie with the captured answers' 2014 date.
func (e *Emulator) capturedDeletion(w http.ResponseWriter, name string) {
	setCookieRaw(w, name+"=; domain="+strings.Split(strings.TrimPrefix(e.main.URL, "https://"), ":")[0]+
		"; expires=Sat, 11-Jan-2014 00:00:00 GMT; path=/; SameSite=None; secure; HttpOnly")
}

// capturedConfirmed answers confirmed as the captured tenant does: 302
// straight to the app's redirect URI with "/?" and client_info, an
// "Object moved" body, the SSO cookie, and 2014-dated deletions.
func (e *Emulator) capturedConfirmed(w http.ResponseWriter, tx *transaction) {
	e.mu.Lock()
	uid := tx.user.id
	e.mu.Unlock()
	ci, _ := json.Marshal(map[string]string{"uid": uid + "-" + strings.ToLower(Policy), "utid": e.tenant})
	loc := tx.redirectURI + "/?state=" + url.QueryEscape(tx.state) + "&trustFrameworkPolicy=" + Policy +
		"&client_info=" + base64.RawURLEncoding.EncodeToString(ci) + "&code=" + url.QueryEscape(e.newCode(tx))
	e.capturedCookie(w, "x-ms-cpim-sso:"+Tenant+"_0", randomB64(60))
	e.capturedDeletion(w, tx.cacheName)
	e.capturedDeletion(w, "x-ms-cpim-trans")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Location", loc)
	w.WriteHeader(http.StatusFound)
	_, _ = fmt.Fprintf(w, "<html><head><title>Object moved</title></head><body>\r\n<h2>Object moved to <a href=\"%s\">here</a>.</h2>\r\n</body></html>\r\n",
		strings.ReplaceAll(url.QueryEscape(loc), "+", "%20"))
}

// writeTextJSON is writeJSON with the text/json type SelfAsserted uses.
func writeTextJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "text/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// revisit is one Revisit chain: visits so far and where it ends (never,
// for a Loop).
type revisit struct {
	target string
	visits int
	loop   bool
}

// revisitChain starts a chain that requests its first URL twice before
// target (or for ever, when loop), and returns that URL.
func (e *Emulator) revisitChain(target string, loop bool) string {
	id := randomToken()
	e.mu.Lock()
	e.revisits[id] = &revisit{target: target, loop: loop}
	e.mu.Unlock()
	return e.lowerBase() + routeRevisit + "?chain=" + id
}

// revisit answers a Revisit chain's repeated link: the first visit goes
// through one hop back to the very same URL, the second on to the target.
func (e *Emulator) revisit(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("chain")
	e.mu.Lock()
	rv := e.revisits[id]
	var visits int
	if rv != nil {
		rv.visits++
		visits = rv.visits
		if visits >= 2 && !rv.loop {
			delete(e.revisits, id)
		}
	}
	e.mu.Unlock()
	switch {
	case rv == nil:
		htmlError(w, http.StatusBadRequest, "Bad Request")
	case visits == 1 || rv.loop:
		e.redirectVia(w, 2, r.URL.RequestURI())
	default:
		w.Header().Set("Location", rv.target)
		w.WriteHeader(http.StatusFound)
	}
}
