package emulator

import (
	"net/http"
	"net/url"
	"strings"
	"time"
)

const (
	oauthTokenMaxAge = 600
	gatewayPrefix    = "/gateway/api/2.0/Auth/"
)

func (e *Emulator) synergiaMux() http.Handler {
	m := http.NewServeMux()
	m.HandleFunc("GET /loguj/portalRodzina", e.portalRodzina)
	m.HandleFunc("GET /rodzic/index", e.index)
	m.HandleFunc("GET /uczen/index", e.index)
	m.HandleFunc("GET /przerwa_techniczna", func(w http.ResponseWriter, _ *http.Request) {
		writeHTML(w, http.StatusOK, "Przerwa techniczna")
	})
	m.HandleFunc("GET "+gatewayPrefix+"TokenInfo", e.tokenInfo)
	m.HandleFunc("GET "+gatewayPrefix+"UserInfo/{id}", e.userInfo)
	m.HandleFunc("GET /refreshToken", e.refreshToken)
	m.HandleFunc("GET /gateway/api/2.0/Me", e.me)
	return m
}

// me is the one authenticated API call a script makes with the cookies
// --token prints: it demands the session cookie and the current
// oauth_token, as the gateway does.
func (e *Emulator) me(w http.ResponseWriter, r *http.Request) {
	_, u := e.session(r, true)
	if u == nil {
		tokenExpired(w)
		return
	}
	if e.linked(u) {
		requestDenied(w)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"Me": map[string]any{
			"Account": map[string]any{"Login": u.login, "UserIdentifier": u.id, "FirstName": u.first, "LastName": u.last},
		},
		"Resources": map[string]any{},
		"Url":       "https://api.librus.pl/2.0/Me",
	})
}

// portalRodzina is both ends of the OAuth dance: without a code it issues
// oauth_state and sends the browser to the authorize page; with one it
// checks the state and opens the synergia session.
func (e *Emulator) portalRodzina(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if errCode := q.Get("error"); errCode != "" {
		writeHTML(w, http.StatusOK, "Błąd logowania: "+url.QueryEscape(errCode))
		return
	}
	if code := q.Get("code"); code != "" {
		e.mu.Lock()
		g, ok := e.grants[code]
		delete(e.grants, code)
		if !ok || g.state != q.Get("state") || g.state != cookieValue(r, "oauth_state") {
			e.mu.Unlock()
			http.Redirect(w, r, e.path("/loguj/portalRodzina?error=invalid_request"), http.StatusFound)
			return
		}
		s := &synSession{login: g.login}
		token, maxAge := e.issueToken(s)
		sid := randomID()
		e.synSessions[sid] = s
		e.mu.Unlock()
		e.synCookie(w, "DZIENNIKSID", sid, 0)
		e.synCookie(w, "SDZIENNIKSID", randomID(), 0)
		e.synCookie(w, "oauth_token", token, maxAge)
		http.Redirect(w, r, e.path(e.landing()), http.StatusFound)
		return
	}
	if e.shape().Changed == ChangeEntry {
		writeHTML(w, http.StatusOK, `<div id="app">Nowe logowanie</div><script src="/assets/login.js"></script>`)
		return
	}
	state := randomID()
	e.mu.Lock()
	e.states[state] = true
	e.mu.Unlock()
	e.synCookie(w, "oauth_state", state, 0)
	v := url.Values{"client_id": {"46"}, "response_type": {"code"}, "scope": {"mydata"}, "state": {state}}
	http.Redirect(w, r, e.APIURL()+"/OAuth/Authorization?"+v.Encode(), http.StatusFound)
}

// session returns the live session a request's cookies name; needToken
// also demands the current oauth_token, as the gateway does.
func (e *Emulator) session(r *http.Request, needToken bool) (*synSession, *user) {
	e.mu.Lock()
	defer e.mu.Unlock()
	s := e.synSessions[cookieValue(r, "DZIENNIKSID")]
	if s == nil || s.dead || (needToken && !e.tokenLive(s, cookieValue(r, "oauth_token"))) {
		return nil, nil
	}
	if needToken && !s.landed && e.shape().GatewayAfterLanding {
		return nil, nil
	}
	return s, e.users[strings.ToLower(s.login)]
}

// landing is the page the grant chain ends on.
func (e *Emulator) landing() string {
	if l := e.shape().Landing; l != "" {
		return l
	}
	return "/rodzic/index"
}

// index is the landing page. Fetching it is what opens the session for
// the gateway when the shape says so.
func (e *Emulator) index(w http.ResponseWriter, r *http.Request) {
	switch st := e.shape().LandingStatus; st {
	case 0:
	case http.StatusFound:
		http.Redirect(w, r, e.path(e.landing()), http.StatusFound)
		return
	default:
		writeHTML(w, st, "Strona")
		return
	}
	s, _ := e.session(r, false)
	if s == nil {
		writeHTML(w, http.StatusUnauthorized, "Brak dostępu")
		return
	}
	e.mu.Lock()
	s.landed = true
	e.mu.Unlock()
	writeHTML(w, http.StatusOK, "Dziennik")
}

func tokenExpired(w http.ResponseWriter) {
	writeJSON(w, http.StatusUnauthorized, map[string]string{
		"Status": "Error", "Code": "TokenIsExpired", "Message": "Request is denied",
		"MessagePL": "Brak dostępu",
	})
}

// requestDenied is the gateway's refusal of an account linked to Konto
// LIBRUS: a 401 envelope with no Code (docs/librus.md).
func requestDenied(w http.ResponseWriter) {
	writeJSON(w, http.StatusUnauthorized, map[string]string{"Status": "Error", "Message": "Request is denied"})
}

// linked reports whether u is an account linked to Konto LIBRUS.
func (e *Emulator) linked(u *user) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return u != nil && u.quirk == QuirkLinked
}

func (e *Emulator) gatewayFault(w http.ResponseWriter, r *http.Request) bool {
	if e.faultFor(r) == FaultBadJSON {
		writeHTML(w, http.StatusOK, "Dziennik")
		return true
	}
	return false
}

func (e *Emulator) tokenInfo(w http.ResponseWriter, r *http.Request) {
	_, u := e.session(r, true)
	if u == nil {
		tokenExpired(w)
		return
	}
	if e.linked(u) {
		requestDenied(w)
		return
	}
	if e.gatewayFault(w, r) {
		return
	}
	body := map[string]any{
		"UserIdentifier": u.id, "UserType": "Parent", "SchoolId": "1234",
		"SchoolNodeName": "sz-1234", "Scopes": []string{"mydata"},
		"IdentifierOfStudentAssignedWithUser": "777", "Url": "/2.0/Auth/TokenInfo",
	}
	if e.faultFor(r) == FaultNoUserIdentifier {
		delete(body, "UserIdentifier")
	}
	if e.shape().Changed == ChangeGateway {
		writeJSON(w, http.StatusOK, map[string]any{"Data": map[string]any{"Identifier": u.id, "Type": "Parent"}, "Version": 3})
		return
	}
	writeJSON(w, http.StatusOK, body)
}

func (e *Emulator) userInfo(w http.ResponseWriter, r *http.Request) {
	_, u := e.session(r, true)
	if u == nil {
		tokenExpired(w)
		return
	}
	if e.linked(u) {
		requestDenied(w)
		return
	}
	if e.gatewayFault(w, r) {
		return
	}
	shp := e.shape()
	if shp.UserInfoInsufficientScopes {
		writeJSON(w, http.StatusUnauthorized, map[string]string{
			"Status": "Error", "Code": "Unauthorized", "Message": "Insufficient scopes",
		})
		return
	}
	if r.PathValue("id") != u.id {
		writeJSON(w, http.StatusForbidden, map[string]string{
			"Status": "Error", "Code": "AccessDeny", "Message": "Access denied",
		})
		return
	}
	body := map[string]any{
		"UserIdentifier": u.id, "Login": u.login, "AccountNumericIdentifier": 42,
		"UserNumericIdentifier": 4242, "UserType": "Parent", "UserState": "Active", "SchoolId": "1234",
	}
	if shp.UserInfoBody != "" {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(shp.UserInfoBody))
		return
	}
	if u.first != "" || u.last != "" {
		body["FirstName"], body["LastName"] = u.first, u.last
	}
	writeJSON(w, http.StatusOK, body)
}

// refreshToken keeps a live session going with a new oauth_token.
func (e *Emulator) refreshToken(w http.ResponseWriter, r *http.Request) {
	shp := e.shape()
	for _, c := range shp.RefreshSetCookie {
		w.Header().Add("Set-Cookie", c)
	}
	if shp.RefreshRedirect != "" {
		http.Redirect(w, r, e.path(shp.RefreshRedirect), http.StatusFound)
		return
	}
	if shp.RefreshNoCookie {
		w.WriteHeader(pickStatus(shp.RefreshStatus, http.StatusOK))
		return
	}
	s, u := e.session(r, false)
	if s == nil {
		tokenExpired(w)
		return
	}
	if e.linked(u) {
		requestDenied(w)
		return
	}
	e.mu.Lock()
	token, maxAge := e.issueToken(s)
	e.renewals++
	e.mu.Unlock()
	e.synCookie(w, "oauth_token", token, maxAge)
	w.WriteHeader(pickStatus(shp.RefreshStatus, http.StatusOK))
}

// issueToken gives session s a new oauth_token, living the token lifetime
// (SetAccessTokenLifetime), and returns it with its Max-Age. Unless the
// shape keeps earlier tokens, the one it replaces stops working at once.
// Callers hold e.mu.
func (e *Emulator) issueToken(s *synSession) (string, int) {
	life := e.tokenLife
	if life <= 0 {
		life = oauthTokenMaxAge * time.Second
	}
	if s.token != "" && e.shape().KeepEarlierTokens {
		if s.earlier == nil {
			s.earlier = map[string]time.Time{}
		}
		s.earlier[s.token] = s.tokenExp
	}
	s.token, s.tokenExp = randomID(), time.Now().Add(life)
	return s.token, int(life / time.Second)
}

// tokenLive reports whether token is an oauth_token of s that the gateway
// accepts now: the current one, or an earlier one the shape keeps, before
// its expiry. Callers hold e.mu.
func (e *Emulator) tokenLive(s *synSession, token string) bool {
	now := time.Now()
	if token != "" && token == s.token {
		return now.Before(s.tokenExp)
	}
	exp, ok := s.earlier[token]
	return ok && token != "" && now.Before(exp)
}
