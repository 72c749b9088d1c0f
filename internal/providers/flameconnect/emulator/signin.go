package emulator

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// txLifetime is how long a sign-in page stays usable, like B2C's.
const txLifetime = 15 * time.Minute

// What browsers send on B2C's SelfAsserted XHR (docs/flameconnect.md).
const (
	xhrAccept      = "application/json, text/javascript, */*; q=0.01"
	xhrContentType = "application/x-www-form-urlencoded; charset=UTF-8"
)

// transaction is one sign-in page's state, keyed by its transId.
type transaction struct {
	id           string
	csrf         string
	csrfCookie   string
	trans        string // current x-ms-cpim-trans value
	cacheName    string
	cache        string // current x-ms-cpim-cache|..._0 value
	pageViewID   string
	authorizeURL string // the authorize URL the client asked for: SelfAsserted's Referer
	clientID     string
	redirectURI  string
	state        string
	challenge    string
	scope        string
	created      time.Time
	user         *user // set once SelfAsserted accepted the password
}

func (e *Emulator) authorize(w http.ResponseWriter, r *http.Request) {
	if e.currentFault() == FaultForeignPage {
		http.Redirect(w, r, e.foreign.URL+r.URL.RequestURI(), http.StatusFound)
		return
	}
	q := r.URL.Query()
	clientID := q.Get("client_id")
	switch {
	case clientID == "":
		htmlError(w, http.StatusBadRequest, "AADB2C90018: The client id specified in the request is not registered.")
		return
	case q.Get("response_type") != "code":
		htmlError(w, http.StatusBadRequest, "AADB2C90079: Clients must send a response_type of code.")
		return
	case q.Get("redirect_uri") != "msal"+clientID+"://auth":
		htmlError(w, http.StatusBadRequest, "AADB2C90006: The redirect URI provided in the request is not registered for the client id.")
		return
	case q.Get("code_challenge") == "" || q.Get("code_challenge_method") != "S256":
		htmlError(w, http.StatusBadRequest, "AADB2C90183: A code_challenge with method S256 is required.")
		return
	case !hasScope(q.Get("scope"), "openid"):
		htmlError(w, http.StatusBadRequest, "AADB2C90055: The scope 'openid' must be requested.")
		return
	}
	tid, _ := json.Marshal(map[string]string{"TID": randomID()})
	tx := &transaction{
		id:           "StateProperties=" + base64.RawURLEncoding.EncodeToString(tid),
		csrf:         randomB64(36),
		csrfCookie:   randomB64(36),
		trans:        randomB64(60),
		cacheName:    "x-ms-cpim-cache|" + strings.ReplaceAll(randomToken()[:22], "-", "") + "_0",
		cache:        randomB64(90),
		pageViewID:   randomID(),
		authorizeURL: "https://" + r.Host + r.RequestURI,
		clientID:     clientID,
		redirectURI:  q.Get("redirect_uri"),
		state:        q.Get("state"),
		challenge:    q.Get("code_challenge"),
		scope:        q.Get("scope"),
		created:      time.Now(),
	}
	e.mu.Lock()
	for id, old := range e.txs {
		if time.Since(old.created) > txLifetime {
			delete(e.txs, id)
		}
	}
	e.txs[tx.id] = tx
	e.mu.Unlock()
	if n := e.currentVariant().AuthorizeRedirects; n > 0 {
		id := randomToken()
		e.mu.Lock()
		e.pending[id] = tx
		e.mu.Unlock()
		e.redirectVia(w, n, e.lowerBase()+routeSignIn+"?pending="+id)
		return
	}
	e.servePage(w, tx)
}

// takeOnce removes and returns the transaction id names in m: pending pages
// and redirect hops are single-use, as B2C's are.
func (e *Emulator) takeOnce(m map[string]*transaction, id string) *transaction {
	e.mu.Lock()
	defer e.mu.Unlock()
	tx := m[id]
	delete(m, id)
	return tx
}

// pendingPage serves the page of a transaction whose authorize redirected.
func (e *Emulator) pendingPage(w http.ResponseWriter, r *http.Request) {
	tx := e.takeOnce(e.pending, r.URL.Query().Get("pending"))
	if tx == nil {
		htmlError(w, http.StatusBadRequest, "Bad Request")
		return
	}
	e.servePage(w, tx)
}

func (e *Emulator) servePage(w http.ResponseWriter, tx *transaction) {
	v := e.currentVariant()
	if v.CookieShapes {
		setCookieRaw(w, "x-ms-cpim-geo=NE; path=/")
		setCookieRaw(w, "x-ms-cpim-dc=dc1; path=/")
	}
	set := setCookie
	if v.Captured {
		set = e.capturedCookie
	}
	set(w, "x-ms-cpim-csrf", tx.csrfCookie)
	set(w, "x-ms-cpim-trans", tx.trans)
	set(w, tx.cacheName, tx.cache)
	if v.CookieShapes {
		// Scoped to another path: never sent to the tenant's endpoints.
		setCookieRaw(w, "x-ms-cpim-trans=elsewhere; path=/elsewhere/; secure")
		setCookieRaw(w, "x-ms-cpim-rp=elsewhere; path=/elsewhere")
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	page := signInPage(tx, v, e.currentFault() == FaultNoCSRF)
	if v.Captured {
		page = capturedPage(tx, e.tenant, e.currentFault() == FaultNoCSRF)
		switch v.Trim {
		case TrimFalse:
			page = strings.Replace(page, `"trimSpacesInPassword":true`, `"trimSpacesInPassword":false`, 1)
		case TrimUnsaid:
			page = strings.Replace(page, `"trimSpacesInPassword":true,`, ``, 1)
		}
	}
	if e.currentFault() == FaultNoSettings {
		page = strings.Replace(page, "var SETTINGS = ", "var PAGE_CONFIG = ", 1)
	}
	if v.CaptchaWidget || e.currentFault() == FaultCaptcha {
		page = strings.Replace(page, "</body>", captchaWidget+"</body>", 1)
	}
	_, _ = fmt.Fprint(w, page)
}

// captchaWidget is a CAPTCHA as sign-in pages embed one: the widget's
// element with its site key, and its script.
const captchaWidget = `<div class="g-recaptcha" data-sitekey="6LeEmulatorSiteKeyNotReal"></div>` +
	`<script src="/static/recaptcha-api.js" async defer></script>`

// setCookie writes Set-Cookie by hand, values verbatim, as B2C does.
func setCookie(w http.ResponseWriter, name, value string) {
	setCookieRaw(w, name+"="+value+"; path=/; secure; HttpOnly; SameSite=None")
}

func setCookieRaw(w http.ResponseWriter, line string) { w.Header().Add("Set-Cookie", line) }

// signInPage renders a B2C-shaped page: one-line SETTINGS and SA_FIELDS.
func signInPage(tx *transaction, v Variant, noCSRF bool) string {
	settings := settingsObject(tx, v, noCSRF).render(v.Settings)
	login := v.LoginField
	if login == "" {
		login = "email"
	}
	saFields := `{"AttributeFields":[{"IS_REQ":true,"IS_RHB":false,"IS_ADV":false,"IS_TEXT":false,"IS_EMAIL":true,"IS_PASSWORD":false,"IS_DATE":false,"IS_RADIO":false,"IS_DROP":false,"IS_TEXTAREA":false,"IS_CHECK":false,"IS_LINK":false,"DN":"Email Address","ID":"` + login + `","U_HELP":"Email address that can be used to contact you.","DAY_PRE":"0","MONTH_PRE":"0","YEAR_PRE":"0","IS_SEL":false},{"IS_REQ":true,"IS_PASSWORD":true,"DN":"Password","ID":"password","U_HELP":"Enter password","IS_SEL":false}]}`
	return `<!DOCTYPE html>
<html><head>
<title>Sign up or sign in</title>
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<script data-container="true" nonce="` + randomToken() + `">
  var CONTENT = {"button_signin":"Sign in","forgotpassword_link":"Forgot your password?","requiredField_password":"Please enter your password","requiredField_email":"Please enter your email"};
  var SETTINGS = ` + settings + `;
  var SA_FIELDS = ` + saFields + `;
</script>
</head><body><div id="api" data-name="Unified"></div>
<form id="localAccountForm" action="JavaScript:void(0);" class="localAccount">
<label for="email">Email Address</label><input type="email" id="email" name="Email Address">
<label for="password">Password</label><input type="password" id="password" name="Password">
<button id="next">Sign in</button></form>
<p>` + html.EscapeString("© FlameConnect emulator") + `</p>
</body></html>`
}

func (e *Emulator) lookupTx(id string) *transaction {
	e.mu.Lock()
	defer e.mu.Unlock()
	tx := e.txs[id]
	if tx == nil || time.Since(tx.created) > txLifetime {
		return nil
	}
	return tx
}

// xhrHeadersOK checks SelfAsserted's headers as docs/flameconnect.md lists them: the
// CSRF token, X-Requested-With, Referer (the authorize URL), Origin,
// Accept, Content-Type with its charset, and x-ms-cpim-pageviewid when the
// page asked for it.
func (e *Emulator) xhrHeadersOK(r *http.Request, tx *transaction, v Variant) bool {
	h := r.Header
	ok := h.Get("X-CSRF-TOKEN") == tx.csrf &&
		h.Get("X-Requested-With") == "XMLHttpRequest" &&
		h.Get("Referer") == tx.authorizeURL &&
		h.Get("Origin") == e.main.URL &&
		h.Get("Accept") == xhrAccept &&
		strings.EqualFold(h.Get("Content-Type"), xhrContentType)
	if v.PageViewIDHeader {
		ok = ok && h.Get("x-ms-cpim-pageviewid") == tx.pageViewID
	}
	return ok
}

// strayCookie reports a cookie a client must not send to the tenant's
// endpoints under CookieShapes (scoped to another path).
func strayCookie(r *http.Request) bool {
	for _, p := range cookiePairs(r) {
		if p[1] == "elsewhere" {
			return true
		}
	}
	return false
}

func (e *Emulator) selfAsserted(w http.ResponseWriter, r *http.Request) {
	fault := e.currentFault()
	switch fault {
	case FaultSlowSelfAsserted:
		e.hang(w, r)
		return
	case FaultBlocked:
		htmlError(w, http.StatusForbidden, "Forbidden: request blocked")
		return
	case FaultExpired:
		htmlError(w, http.StatusBadRequest, "Bad Request")
		return
	case FaultSelfAssertedServerError:
		htmlError(w, http.StatusInternalServerError, "Internal Server Error")
		return
	case FaultStrangeAnswer:
		writeJSON(w, http.StatusOK, map[string]any{"result": map[string]string{"outcome": "ok"}})
		return
	case FaultCaptcha:
		writeJSON(w, http.StatusOK, map[string]string{"status": "400", "errorCode": "AADB2C90015", "message": "Please prove you are not a robot."})
		return
	case FaultHTMLAnswer:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = fmt.Fprint(w, "<!DOCTYPE html><html><body>Sorry, but we're having trouble signing you in.</body></html>")
		return
	}
	v := e.currentVariant()
	q := rawQuery(r.URL.RawQuery)
	tx := e.lookupTx(q["tx"])
	if tx == nil || q["p"] != Policy || (v.CookieShapes && strayCookie(r)) {
		htmlError(w, http.StatusBadRequest, "Bad Request")
		return
	}
	cookies := rawCookies(r)
	e.mu.Lock()
	cookiesOK := cookies["x-ms-cpim-csrf"] == tx.csrfCookie && cookies["x-ms-cpim-trans"] == tx.trans && cookies[tx.cacheName] == tx.cache
	e.mu.Unlock()
	if !cookiesOK || !e.xhrHeadersOK(r, tx, v) {
		// B2C answers a rejected transaction or CSRF token with a page, not JSON.
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = fmt.Fprint(w, "<!DOCTYPE html><html><body>Your session has been rejected. Please try again.</body></html>")
		return
	}
	login := v.LoginField
	switch {
	case fault == FaultRenamedField:
		login = "logonIdentifier"
	case v.Captured:
		login = "signInName"
	case login == "":
		login = "email"
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxBody))
	form, err := url.ParseQuery(string(body))
	if _, named := form[login]; err != nil || form.Get("request_type") != "RESPONSE" || !named {
		writeJSON(w, http.StatusOK, map[string]string{"status": "400", "errorCode": "AADB2C90015", "message": "The request is malformed."})
		return
	}
	answer := writeJSON
	if v.Captured {
		answer = writeTextJSON
	}
	if r, refused := e.refusal(form.Get(login)); refused && r.Code != "" {
		// A locked or throttled account is refused before its password
		// is looked at.
		answer(w, http.StatusOK, map[string]string{"status": "400", "errorCode": r.Code, "message": b2cMessage(r.Code)})
		return
	}
	e.mu.Lock()
	u := e.users[strings.ToLower(form.Get(login))]
	// The password is compared as received: the page's script trims it
	// when SETTINGS say trimSpacesInPassword, the service does not.
	ok := u != nil && form.Get("password") == u.password && form.Get("password") != ""
	if ok {
		tx.user = u
		tx.trans = randomB64(60)
		tx.cache = randomB64(90)
	}
	trans, cache := tx.trans, tx.cache
	e.mu.Unlock()
	if !ok {
		answer(w, http.StatusOK, map[string]string{"status": "400", "errorCode": "AADB2C90053", "message": "Your password is incorrect."})
		return
	}
	if v.CookieShapes {
		now := time.Now().UTC()
		// A stale Expires (a skewed server clock) beside Max-Age: Max-Age wins.
		setCookieRaw(w, "x-ms-cpim-trans="+trans+"; Max-Age=900; Expires="+now.Add(-time.Hour).Format(http.TimeFormat)+"; path=/; secure; HttpOnly")
		// Deletions: the Netscape date form with a value, and Max-Age=0
		// beside a future Expires.
		setCookieRaw(w, "x-ms-cpim-csrf=deleted; expires=Thu, 01-Jan-1970 00:00:00 GMT; path=/")
		setCookieRaw(w, "x-ms-cpim-dc=gone; Max-Age=0; Expires="+now.Add(time.Hour).Format(http.TimeFormat)+"; path=/")
		// A value a client cannot send verbatim: the old one must not be re-sent.
		setCookieRaw(w, "x-ms-cpim-geo=North Europe,1; path=/")
	} else if v.Captured {
		e.capturedCookie(w, "x-ms-cpim-trans", trans)
	} else {
		setCookie(w, "x-ms-cpim-trans", trans)
	}
	if v.Captured {
		e.capturedCookie(w, tx.cacheName, cache)
	} else {
		setCookie(w, tx.cacheName, cache)
	}
	answer(w, http.StatusOK, map[string]string{"status": "200"})
}

func (e *Emulator) confirmed(w http.ResponseWriter, r *http.Request) {
	v := e.currentVariant()
	q := rawQuery(r.URL.RawQuery)
	tx := e.lookupTx(q["tx"])
	cookies := rawCookies(r)
	e.mu.Lock()
	valid := tx != nil && q["csrf_token"] == tx.csrf && q["p"] == Policy && q["rememberMe"] == "false" &&
		tx.user != nil && cookies["x-ms-cpim-trans"] == tx.trans && cookies[tx.cacheName] == tx.cache
	e.mu.Unlock()
	if v.CookieShapes {
		_, csrf := cookies["x-ms-cpim-csrf"]
		_, dc := cookies["x-ms-cpim-dc"]
		_, geo := cookies["x-ms-cpim-geo"]
		valid = valid && !csrf && !dc && !geo && !strayCookie(r)
	}
	if !valid {
		htmlError(w, http.StatusBadRequest, "Bad Request")
		return
	}
	fault := e.currentFault()
	if fault == FaultMFA {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = fmt.Fprint(w, `<!DOCTYPE html><html><head><script>var SETTINGS = {"api":"Phonefactor-Verify","csrf":"`+randomB64(12)+`","transId":"`+tx.id+`"};</script></head><body>Enter the code we sent to your phone.</body></html>`)
		return
	}
	if v.Captured && fault == FaultNone {
		e.mu.Lock()
		delete(e.txs, tx.id)
		e.mu.Unlock()
		e.capturedConfirmed(w, tx)
		return
	}
	hop := randomToken()
	e.mu.Lock()
	e.hops[hop] = tx
	delete(e.txs, tx.id)
	e.mu.Unlock()
	loc := e.lowerBase() + routeAuthResp + "?hop=" + hop
	if v.Revisit || v.Loop {
		loc = e.revisitChain(loc, v.Loop)
	}
	if fault == FaultForeignRedirect {
		w.Header().Set("Location", e.foreign.URL+loc)
		w.WriteHeader(http.StatusFound)
		return
	}
	n := v.ConfirmedRedirects
	if n < 1 {
		n = 1
	}
	e.redirectVia(w, n, loc)
}

// redirectVia answers with the first of n same-host redirects that end at
// target (a path): n-1 more pass through the hop route.
func (e *Emulator) redirectVia(w http.ResponseWriter, n int, target string) {
	loc := target
	if n > 1 {
		id := randomToken()
		e.mu.Lock()
		e.chains[id] = target
		e.mu.Unlock()
		loc = e.hopURL(id, n-2)
	}
	w.Header().Set("Location", loc)
	w.WriteHeader(http.StatusFound)
}

// hopURL is one link of a chain with left links after it: relative and
// absolute Locations alternate, as both occur.
func (e *Emulator) hopURL(id string, left int) string {
	u := e.lowerBase() + routeHop + "?chain=" + id + "&left=" + strconv.Itoa(left)
	if left%2 == 1 {
		u = e.main.URL + u
	}
	return u
}

func (e *Emulator) hop(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	id := q.Get("chain")
	left, err := strconv.Atoi(q.Get("left"))
	e.mu.Lock()
	target, ok := e.chains[id]
	if ok && left <= 0 {
		delete(e.chains, id)
	}
	e.mu.Unlock()
	if !ok || err != nil {
		htmlError(w, http.StatusBadRequest, "Bad Request")
		return
	}
	loc := target
	if left > 0 {
		loc = e.hopURL(id, left-1)
	}
	w.Header().Set("Location", loc)
	w.WriteHeader(http.StatusFound)
}

// authResp is the relative hop between confirmed and the app's redirect URI.
func (e *Emulator) authResp(w http.ResponseWriter, r *http.Request) {
	tx := e.takeOnce(e.hops, r.URL.Query().Get("hop"))
	if tx == nil {
		htmlError(w, http.StatusBadRequest, "Bad Request")
		return
	}
	state := tx.state
	fault := e.currentFault()
	v := e.currentVariant()
	if fault == FaultBadState {
		state = "not-the-state-you-sent"
	}
	var query string
	ref, refused := e.refusal(tx.user.email)
	if refused && ref.RedirectError != "" {
		query = redirectErrorQuery(ref)
	} else if fault == FaultErrorRedirect {
		// The description as some servers write it: a raw ';' that strict
		// query parsers refuse.
		query = "error=access_denied&error_description=AADB2C90273:+An+invalid+response+was+received;+Correlation+ID:+" + randomID()
	} else {
		query = "code=" + url.QueryEscape(e.newCode(tx))
	}
	if state != "" {
		query += "&state=" + url.QueryEscape(state)
	}
	if v.LooseRedirectQuery {
		query += "&x-ms-note=sign;in&progress=100%&ui_locales=en"
	}
	final := tx.redirectURI + "?" + query
	if v.RedirectInPage {
		js, _ := json.Marshal(final) // & becomes \u0026
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = fmt.Fprint(w, `<!DOCTYPE html><html><head><title>Redirecting</title><script>window.location.replace(`+
			strings.ReplaceAll(string(js), "/", `\/`)+`);</script></head><body>Redirecting to the app.</body></html>`)
		return
	}
	w.Header().Set("Location", final)
	w.WriteHeader(http.StatusFound)
}

func hasScope(scope, want string) bool {
	for _, s := range strings.Fields(scope) {
		if s == want {
			return true
		}
	}
	return false
}
