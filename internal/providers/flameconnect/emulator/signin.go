package emulator

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// txLifetime is how long a sign-in page stays usable, like B2C's.
const txLifetime = 15 * time.Minute

// transaction is one sign-in page's state, keyed by its transId.
type transaction struct {
	id          string
	csrf        string
	csrfCookie  string
	trans       string // current x-ms-cpim-trans value
	cacheName   string
	cache       string // current x-ms-cpim-cache|..._0 value
	clientID    string
	redirectURI string
	state       string
	challenge   string
	scope       string
	created     time.Time
	user        *user // set once SelfAsserted accepted the password
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
		id:          "StateProperties=" + base64.RawURLEncoding.EncodeToString(tid),
		csrf:        randomB64(36),
		csrfCookie:  randomB64(36),
		trans:       randomB64(60),
		cacheName:   "x-ms-cpim-cache|" + strings.ReplaceAll(randomToken()[:22], "-", "") + "_0",
		cache:       randomB64(90),
		clientID:    clientID,
		redirectURI: q.Get("redirect_uri"),
		state:       q.Get("state"),
		challenge:   q.Get("code_challenge"),
		scope:       q.Get("scope"),
		created:     time.Now(),
	}
	e.mu.Lock()
	for id, old := range e.txs {
		if time.Since(old.created) > txLifetime {
			delete(e.txs, id)
		}
	}
	e.txs[tx.id] = tx
	e.mu.Unlock()

	setCookie(w, "x-ms-cpim-csrf", tx.csrfCookie)
	setCookie(w, "x-ms-cpim-trans", tx.trans)
	setCookie(w, tx.cacheName, tx.cache)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = fmt.Fprint(w, signInPage(tx, e.currentFault() == FaultNoCSRF))
}

// setCookie writes Set-Cookie by hand, values verbatim, as B2C does.
func setCookie(w http.ResponseWriter, name, value string) {
	w.Header().Add("Set-Cookie", name+"="+value+"; path=/; secure; HttpOnly; SameSite=None")
}

// signInPage renders a B2C-shaped page: one-line SETTINGS and SA_FIELDS.
func signInPage(tx *transaction, noCSRF bool) string {
	settings := map[string]any{
		"remoteResource":                "https://gdhvb2cflameconnect.b2clogin.com/static/signin.html",
		"retryLimit":                    3,
		"trimSpacesInPassword":          true,
		"api":                           API,
		"csrf":                          tx.csrf,
		"transId":                       tx.id,
		"pageViewId":                    randomID(),
		"suppressElementCss":            false,
		"isPageViewIdSentWithHeader":    false,
		"allowAutoFocusOnPasswordField": true,
		"pageMode":                      0,
		"config": map[string]string{
			"showSignupLink":   "True",
			"operatingMode":    "Email",
			"sendHintOnSignup": "False",
		},
		"hosts": map[string]string{
			"tenant": basePath,
			"policy": Policy,
			"static": "https://gdhvb2cflameconnect.b2clogin.com/static/",
		},
		"locale": map[string]string{"lang": "en", "country": "US"},
		"xhrSettings": map[string]any{
			"retryEnabled": false, "retryMaxAttempts": 3, "retryDelay": 200, "retryExponent": 2,
		},
	}
	if noCSRF {
		delete(settings, "csrf")
		delete(settings, "transId")
	}
	raw, _ := json.Marshal(settings)
	saFields := `{"AttributeFields":[{"IS_REQ":true,"IS_RHB":false,"IS_ADV":false,"IS_TEXT":false,"IS_EMAIL":true,"IS_PASSWORD":false,"IS_DATE":false,"IS_RADIO":false,"IS_DROP":false,"IS_TEXTAREA":false,"IS_CHECK":false,"IS_LINK":false,"DN":"Email Address","ID":"email","U_HELP":"Email address that can be used to contact you.","DAY_PRE":"0","MONTH_PRE":"0","YEAR_PRE":"0","IS_SEL":false},{"IS_REQ":true,"IS_PASSWORD":true,"DN":"Password","ID":"password","U_HELP":"Enter password","IS_SEL":false}]}`
	return `<!DOCTYPE html>
<html><head>
<title>Sign up or sign in</title>
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<script data-container="true" nonce="` + randomToken() + `">
  var CONTENT = {"button_signin":"Sign in","forgotpassword_link":"Forgot your password?","requiredField_password":"Please enter your password","requiredField_email":"Please enter your email"};
  var SETTINGS = ` + string(raw) + `;
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

func (e *Emulator) selfAsserted(w http.ResponseWriter, r *http.Request) {
	switch e.currentFault() {
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
	case FaultHTMLAnswer:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = fmt.Fprint(w, "<!DOCTYPE html><html><body>Sorry, but we're having trouble signing you in.</body></html>")
		return
	}
	q := rawQuery(r.URL.RawQuery)
	tx := e.lookupTx(q["tx"])
	if tx == nil || q["p"] != Policy {
		htmlError(w, http.StatusBadRequest, "Bad Request")
		return
	}
	cookies := rawCookies(r)
	if r.Header.Get("X-CSRF-TOKEN") != tx.csrf || cookies["x-ms-cpim-csrf"] != tx.csrfCookie ||
		cookies["x-ms-cpim-trans"] != tx.trans || cookies[tx.cacheName] != tx.cache ||
		r.Header.Get("X-Requested-With") != "XMLHttpRequest" ||
		!strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		// B2C answers a rejected transaction or CSRF token with a page, not JSON.
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = fmt.Fprint(w, "<!DOCTYPE html><html><body>Your session has been rejected. Please try again.</body></html>")
		return
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxBody))
	form, err := url.ParseQuery(string(body))
	if err != nil || form.Get("request_type") != "RESPONSE" {
		writeJSON(w, http.StatusOK, map[string]string{"status": "400", "errorCode": "AADB2C90015", "message": "The request is malformed."})
		return
	}
	e.mu.Lock()
	u := e.users[strings.ToLower(form.Get("email"))]
	ok := u != nil && form.Get("password") == u.password && form.Get("password") != ""
	if ok {
		tx.user = u
		tx.trans = randomB64(60)
		tx.cache = randomB64(90)
	}
	trans, cache := tx.trans, tx.cache
	e.mu.Unlock()
	if !ok {
		writeJSON(w, http.StatusOK, map[string]string{"status": "400", "errorCode": "AADB2C90053", "message": "Your password is incorrect."})
		return
	}
	setCookie(w, "x-ms-cpim-trans", trans)
	setCookie(w, tx.cacheName, cache)
	writeJSON(w, http.StatusOK, map[string]string{"status": "200"})
}

func (e *Emulator) confirmed(w http.ResponseWriter, r *http.Request) {
	q := rawQuery(r.URL.RawQuery)
	tx := e.lookupTx(q["tx"])
	cookies := rawCookies(r)
	e.mu.Lock()
	valid := tx != nil && q["csrf_token"] == tx.csrf && q["p"] == Policy && q["rememberMe"] == "false" &&
		tx.user != nil && cookies["x-ms-cpim-trans"] == tx.trans && cookies[tx.cacheName] == tx.cache
	e.mu.Unlock()
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
	hop := randomToken()
	e.mu.Lock()
	e.hops[hop] = tx
	delete(e.txs, tx.id)
	e.mu.Unlock()
	loc := "/" + Tenant + "/" + strings.ToLower(Policy) + routeAuthResp + "?hop=" + hop
	if fault == FaultForeignRedirect {
		loc = e.foreign.URL + loc
	}
	w.Header().Set("Location", loc)
	w.WriteHeader(http.StatusFound)
}

// authResp is the relative hop between confirmed and the app's redirect URI.
func (e *Emulator) authResp(w http.ResponseWriter, r *http.Request) {
	hop := r.URL.Query().Get("hop")
	e.mu.Lock()
	tx := e.hops[hop]
	delete(e.hops, hop)
	e.mu.Unlock()
	if tx == nil {
		htmlError(w, http.StatusBadRequest, "Bad Request")
		return
	}
	state := tx.state
	fault := e.currentFault()
	if fault == FaultBadState {
		state = "not-the-state-you-sent"
	}
	v := url.Values{}
	if fault == FaultErrorRedirect {
		v.Set("error", "access_denied")
		v.Set("error_description", "AADB2C90273: An invalid response was received.")
	} else {
		v.Set("code", e.newCode(tx))
	}
	if state != "" {
		v.Set("state", state)
	}
	w.Header().Set("Location", tx.redirectURI+"?"+v.Encode())
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
