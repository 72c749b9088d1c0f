package emulator

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Login answers' messages, as the service words them.
const (
	msgBadCredentials = "Nieprawidłowy login i/lub hasło."
	msgExpired        = "Minął termin ważności konta - skontaktuj się z Administratorem Szkoły."
	msgCaptcha        = `Proszę zaznaczyć pole "Nie jestem robotem".`
	msgNoSession      = "Sesja logowania wygasła. Odśwież stronę."
)

const (
	apiSessionCookie = "AuthSession"
	deviceCookie     = "DeviceCookie"
	oneYear          = 365 * 24 * 3600
	longChainLength  = 20
)

func (e *Emulator) apiMux() http.Handler {
	m := http.NewServeMux()
	m.HandleFunc("GET /OAuth/Authorization", e.authorizePage)
	m.HandleFunc("POST /OAuth/Authorization", e.login)
	m.HandleFunc("GET /OAuth/Authorization/2FA", e.twoFA)
	m.HandleFunc("POST /OAuth/Authorization/2FA", e.requiredActionsPost)
	m.HandleFunc("GET /OAuth/Authorization/PerformLogin", e.performLogin)
	m.HandleFunc("POST /OAuth/Authorization/PerformLogin", e.requiredActionsPost)
	m.HandleFunc("GET /OAuth/Authorization/Grant", e.grant)
	m.HandleFunc("POST /OAuth/Authorization/Grant", e.requiredActionsPost)
	m.HandleFunc("GET /OAuth/Authorization/Hop/{n}", e.hop)
	return m
}

// authorizePage starts an OAuth session for a state synergia issued. A
// second GET for the same state starts a fresh session that is doomed to
// end in invalid_request, as the real service does.
func (e *Emulator) authorizePage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	state := q.Get("state")
	e.mu.Lock()
	known := e.states[state]
	if !known || q.Get("client_id") != "46" || q.Get("response_type") != "code" {
		e.mu.Unlock()
		writeHTML(w, http.StatusBadRequest, "invalid_request")
		return
	}
	e.authorizeN[state]++
	sid := randomID()
	e.apiSessions[sid] = &apiSession{state: state, invalid: e.authorizeN[state] > 1, shown: map[string]bool{}, skipped: map[string]bool{}}
	e.mu.Unlock()

	setCookie(w, apiSessionCookie, sid, e.path("/"), 0)
	if cookieValue(r, deviceCookie) == "" {
		setCookie(w, deviceCookie, randomID(), e.path("/OAuth"), oneYear)
	}
	writeHTML(w, pickStatus(e.shape().AuthorizeStatus, http.StatusOK), `<form id="loginForm" method="post"><input name="login"><input name="pass" type="password"></form>`)
}

// loginError is a rejection, with the status and extra fields the shape picks.
func (e *Emulator) loginError(w http.ResponseWriter, status int, msg string) {
	s := e.shape()
	body := map[string]any{"status": "error", "errors": []map[string]string{{"message": msg}}}
	for k, v := range s.LoginErrorExtra {
		body[k] = v
	}
	writeJSON(w, pickStatus(s.LoginErrorStatus, status), body)
}

func pickStatus(v, def int) int {
	if v != 0 {
		return v
	}
	return def
}

// login is the XHR POST of step 2.
func (e *Emulator) login(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("client_id") != "46" || r.ParseForm() != nil || r.PostForm.Get("action") != "login" {
		e.loginError(w, http.StatusBadRequest, "Nieprawidłowe żądanie.")
		return
	}
	switch e.faultFor(r) {
	case FaultCaptcha:
		e.loginError(w, http.StatusForbidden, msgCaptcha)
		return
	case FaultExpiredAccount:
		e.loginError(w, http.StatusForbidden, msgExpired)
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	s := e.apiSessions[cookieValue(r, apiSessionCookie)]
	if s == nil {
		e.loginError(w, http.StatusBadRequest, msgNoSession)
		return
	}
	u := e.users[strings.ToLower(r.PostForm.Get("login"))]
	if u != nil && u.quirk == QuirkCaptchaRequired {
		writeJSON(w, http.StatusForbidden, map[string]any{
			"status": "error", "errors": []map[string]string{{"message": msgBadCredentials}}, "captchaRequired": true,
		})
		return
	}
	if u == nil || u.password != r.PostForm.Get("pass") {
		e.loginError(w, http.StatusUnauthorized, msgBadCredentials)
		return
	}
	switch u.quirk {
	case QuirkTwoFactorRequired:
		writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "twoFactorRequired": true})
		return
	case QuirkRequiresAction:
		writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "goTo": "/OAuth/Authorization/2FA?client_id=46", "requiresAction": "changePassword"})
		return
	}
	s.loggedIn, s.login = true, u.login
	if loc := e.shape().LoginRedirect; loc != "" {
		if strings.HasPrefix(loc, "/") {
			loc = e.APIURL() + loc
		}
		w.Header().Set("Location", loc)
		w.WriteHeader(http.StatusFound)
		return
	}
	if e.shape().Changed == ChangeLogin {
		writeJSON(w, http.StatusOK, map[string]any{"result": "success", "next": map[string]string{"url": "/OAuth/Authorization/2FA?client_id=46"}})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "goTo": "/OAuth/Authorization/2FA?client_id=46"})
}

func (e *Emulator) failToSynergia(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, e.SynergiaURL()+"/loguj/portalRodzina?error=invalid_request", http.StatusFound)
}

func (e *Emulator) loggedIn(r *http.Request) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	s := e.apiSessions[cookieValue(r, apiSessionCookie)]
	return s != nil && s.loggedIn
}

func (e *Emulator) twoFA(w http.ResponseWriter, r *http.Request) {
	if !e.loggedIn(r) {
		e.failToSynergia(w, r)
		return
	}
	switch e.faultFor(r) {
	case FaultOffHostRedirect:
		http.Redirect(w, r, "https://librus.example.com/OAuth/Authorization/PerformLogin?client_id=46", http.StatusFound)
		return
	case FaultRealHostRedirect:
		http.Redirect(w, r, "https://api.librus.pl/OAuth/Authorization/PerformLogin?client_id=46", http.StatusFound)
		return
	case FaultHTTPRedirect:
		http.Redirect(w, r, "http://"+e.APIAddr()+e.path("/OAuth/Authorization/PerformLogin?client_id=46"), http.StatusFound)
		return
	case FaultRedirectLoop:
		http.Redirect(w, r, e.path("/OAuth/Authorization/2FA?client_id=46"), http.StatusFound)
		return
	case FaultLongRedirectChain:
		http.Redirect(w, r, e.path("/OAuth/Authorization/Hop/1?client_id=46"), http.StatusFound)
		return
	}
	if e.requiredActionsHere(w, r, "2FA") {
		return
	}
	http.Redirect(w, r, e.path("/OAuth/Authorization/PerformLogin?client_id=46"), http.StatusFound)
}

// requiredActionsAt reports whether the shape shows the required-actions
// page at hop.
func (s Shape) requiredActionsAt(hop string) bool {
	if s.RequiredActions == RequiredActionsNone {
		return false
	}
	if len(s.RequiredActionsAt) == 0 {
		return hop == "2FA"
	}
	return slices.Contains(s.RequiredActionsAt, hop)
}

// requiredActionsHere serves the required-actions page at hop when the
// shape puts one there and its skip was not posted yet; false means the
// hop goes on as usual.
func (e *Emulator) requiredActionsHere(w http.ResponseWriter, r *http.Request, hop string) bool {
	shp := e.shape()
	if !shp.requiredActionsAt(hop) {
		return false
	}
	e.mu.Lock()
	s := e.apiSessions[cookieValue(r, apiSessionCookie)]
	if s == nil || s.skipped[hop] {
		e.mu.Unlock()
		return false
	}
	s.shown[hop] = true
	e.mu.Unlock()
	action := e.path("/OAuth/Authorization/" + hop + "?client_id=46")
	switch {
	case shp.RequiredActions == RequiredActionsUnskippable:
		writeHTML(w, http.StatusOK, fmt.Sprintf(newPasswordPage, action))
	case hop == "2FA":
		writeHTML(w, http.StatusOK, fmt.Sprintf(requiredActionsPage, action))
	default:
		writeHTML(w, http.StatusOK, leakedPasswordPage)
	}
	return true
}

// pendingRequiredActions reports whether a hop of the shape still waits
// for its skip. Callers hold e.mu.
func (s *apiSession) pendingRequiredActions(shp Shape) bool {
	for _, hop := range []string{"2FA", "PerformLogin", "Grant"} {
		if shp.requiredActionsAt(hop) && !s.skipped[hop] {
			return true
		}
	}
	return false
}

// The required-actions pages, in the shape of a sign-in page's form: one
// that may be skipped, and one that demands a new password (%s is the
// form's action, the hop's own URL); and the leakedPasswordChangeAdvised
// notice, a script's page with no form, named only by its marker.
const (
	requiredActionsPage = `<div class="required-actions"><h1>Wymagane działania</h1>` +
		`<p>Uzupełnij dane konta lub pomiń ten krok.</p>` +
		`<form id="requiredActionsForm" method="post" action="%s">` +
		`<input type="hidden" name="action" value="requiredActions">` +
		`<input type="email" name="email"><button type="submit" name="skip" value="true">Pomiń</button>` +
		`<button type="submit">Zapisz</button></form></div>`
	newPasswordPage = `<div class="required-actions"><h1>Zmień hasło</h1>` +
		`<form id="requiredActionsForm" method="post" action="%s">` +
		`<input type="hidden" name="action" value="requiredActions">` +
		`<input type="password" name="newPassword"><input type="password" name="newPasswordRepeat">` +
		`<button type="submit">Zapisz</button></form></div>`
	leakedPasswordPage = `<main><h1>Twoje hasło mogło wyciec</h1><p>Zalecamy zmianę hasła.</p>` +
		`<div id="app" data-page="leakedPasswordChangeAdvised" data-action="requiredActions"></div></main>`
)

// requiredActionsPost takes the skip of the required-actions page, posted
// to the hop that showed it. A skip posted where the page was not shown
// spoils the session, as a late one does on the real service.
func (e *Emulator) requiredActionsPost(w http.ResponseWriter, r *http.Request) {
	hop := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
	if r.ParseForm() != nil || r.PostForm.Get("action") != "requiredActions" {
		writeJSON(w, http.StatusBadRequest, map[string]any{"status": "error", "errors": []map[string]string{{"message": "Nieprawidłowe żądanie."}}})
		return
	}
	ra := e.shape().RequiredActions
	e.mu.Lock()
	s := e.apiSessions[cookieValue(r, apiSessionCookie)]
	switch {
	case s == nil || !s.loggedIn || !s.shown[hop]:
		if s != nil {
			s.invalid = true
		}
		e.mu.Unlock()
		writeJSON(w, http.StatusBadRequest, map[string]any{"status": "error", "errors": []map[string]string{{"message": "invalid_request"}}})
		return
	case ra == RequiredActionsUnskippable || r.PostForm.Get("skip") != "true":
		e.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{"status": "error", "errors": []map[string]string{{"message": "Zmiana hasła jest wymagana."}}})
		return
	}
	if e.shape().Changed == ChangeSkip {
		e.mu.Unlock()
		w.WriteHeader(http.StatusOK)
		return
	}
	if ra == RequiredActionsComesBack {
		e.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "goTo": "/OAuth/Authorization/" + hop + "?client_id=46"})
		return
	}
	s.skipped[hop] = true
	next := "/OAuth/Authorization/" + s.nextPending(e.shape(), hop) + "?client_id=46"
	e.mu.Unlock()
	switch ra {
	case RequiredActionsSkipRedirect:
		http.Redirect(w, r, e.path(next), http.StatusFound)
		return
	case RequiredActionsSkipEmpty:
		w.WriteHeader(http.StatusOK)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "goTo": next})
}

// nextPending is where a skip at hop sends the client: the next hop that
// still shows its page, else Grant. Callers hold e.mu.
func (s *apiSession) nextPending(shp Shape, hop string) string {
	hops := []string{"2FA", "PerformLogin", "Grant"}
	for _, h := range hops[slices.Index(hops, hop)+1:] {
		if shp.requiredActionsAt(h) && !s.skipped[h] {
			return h
		}
	}
	return "Grant"
}

func (e *Emulator) hop(w http.ResponseWriter, r *http.Request) {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n >= longChainLength {
		http.Redirect(w, r, e.path("/OAuth/Authorization/PerformLogin?client_id=46"), http.StatusFound)
		return
	}
	http.Redirect(w, r, e.path(fmt.Sprintf("/OAuth/Authorization/Hop/%d?client_id=46", n+1)), http.StatusFound)
}

func (e *Emulator) performLogin(w http.ResponseWriter, r *http.Request) {
	if !e.loggedIn(r) {
		e.failToSynergia(w, r)
		return
	}
	if e.requiredActionsHere(w, r, "PerformLogin") {
		return
	}
	e.mu.Lock()
	s := e.apiSessions[cookieValue(r, apiSessionCookie)]
	s.performs++
	again := s.performs == 1 && e.shape().PerformLoginTwice
	e.mu.Unlock()
	if again {
		http.Redirect(w, r, e.path("/OAuth/Authorization/PerformLogin?client_id=46"), http.StatusFound)
		return
	}
	http.Redirect(w, r, e.path("/OAuth/Authorization/Grant?client_id=46"), http.StatusFound)
}

// grant hands synergia a one-time code, or invalid_request when the OAuth
// session was spoiled (a second authorize GET) or never signed in.
func (e *Emulator) grant(w http.ResponseWriter, r *http.Request) {
	if e.loggedIn(r) && e.requiredActionsHere(w, r, "Grant") {
		return
	}
	e.mu.Lock()
	sid := cookieValue(r, apiSessionCookie)
	s := e.apiSessions[sid]
	if s == nil || !s.loggedIn || s.invalid || s.pendingRequiredActions(e.shape()) {
		e.mu.Unlock()
		e.failToSynergia(w, r)
		return
	}
	code := randomID()
	e.grants[code] = grant{login: s.login, state: s.state}
	delete(e.apiSessions, sid)
	e.mu.Unlock()
	v := url.Values{"code": {code}, "state": {s.state}}
	http.Redirect(w, r, e.SynergiaURL()+"/loguj/portalRodzina?"+v.Encode(), http.StatusFound)
}
