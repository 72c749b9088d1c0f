package emulator

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// The API audience and scope claim of issued access tokens.
const (
	accessAudience = "mobile-api"
	accessScope    = "Mobile.read"
)

// codeLifetime bounds how long an authorization code can be redeemed.
const codeLifetime = 10 * time.Minute

// refreshLifetime is B2C's default refresh token lifetime (14 days).
const refreshLifetime = 14 * 24 * time.Hour

type authCode struct {
	tx      *transaction
	expires time.Time
}

type grant struct {
	user       *user
	generation int
	clientID   string
	scope      string
	expires    time.Time
}

func (e *Emulator) newCode(tx *transaction) string {
	code := "eyJraWQiOiJjcGltY29yZV8wOTI1MjAxNSIsInZlciI6IjEuMCIsInppcCI6IkRlZmxhdGUiLCJzZXIiOiIxLjAifQ.." + randomToken()
	e.mu.Lock()
	defer e.mu.Unlock()
	e.codes[code] = &authCode{tx: tx, expires: time.Now().Add(codeLifetime)}
	return code
}

func tokenError(w http.ResponseWriter, code, desc string) {
	writeJSON(w, http.StatusBadRequest, map[string]string{
		"error":             code,
		"error_description": desc + "\r\nCorrelation ID: " + randomID() + "\r\nTimestamp: " + time.Now().UTC().Format("2006-01-02 15:04:05Z"),
	})
}

func (e *Emulator) token(w http.ResponseWriter, r *http.Request) {
	if e.currentFault() == FaultTokenError {
		tokenError(w, "invalid_request", "AADB2C99002: This request is not supported by the emulated policy.")
		return
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxBody))
	form, err := url.ParseQuery(string(body))
	if err != nil {
		tokenError(w, "invalid_request", "AADB2C90117: The request body is malformed.")
		return
	}
	switch form.Get("grant_type") {
	case "authorization_code":
		e.redeemCode(w, form)
	case "refresh_token":
		e.redeemRefresh(w, form)
	default:
		tokenError(w, "unsupported_grant_type", "AADB2C90086: The supplied grant_type is not supported.")
	}
}

func (e *Emulator) redeemCode(w http.ResponseWriter, form url.Values) {
	code := form.Get("code")
	e.mu.Lock()
	ac := e.codes[code]
	delete(e.codes, code) // one use only
	e.mu.Unlock()
	switch {
	case ac == nil || time.Now().After(ac.expires):
		tokenError(w, "invalid_grant", "AADB2C90080: The provided grant has expired. Please re-authenticate and try again.")
		return
	case form.Get("client_id") != ac.tx.clientID:
		tokenError(w, "invalid_grant", "AADB2C90088: The provided grant has not been issued for this endpoint.")
		return
	case form.Get("redirect_uri") != ac.tx.redirectURI:
		tokenError(w, "invalid_grant", "AADB2C90006: The redirect URI does not match the one the code was issued for.")
		return
	case s256(form.Get("code_verifier")) != ac.tx.challenge:
		tokenError(w, "invalid_grant", "AADB2C90183: The supplied code_verifier is invalid.")
		return
	}
	e.mu.Lock()
	g := &grant{user: ac.tx.user, generation: ac.tx.user.generation, clientID: ac.tx.clientID, scope: ac.tx.scope}
	e.mu.Unlock()
	e.issue(w, g, form)
}

func (e *Emulator) redeemRefresh(w http.ResponseWriter, form url.Values) {
	if oauthErr, desc := e.refreshError(); oauthErr != "" {
		tokenError(w, oauthErr, desc)
		return
	}
	e.mu.Lock()
	g := e.refresh[form.Get("refresh_token")]
	valid := g != nil && g.generation == g.user.generation && time.Now().Before(g.expires) && g.clientID == form.Get("client_id")
	e.mu.Unlock()
	if !valid {
		tokenError(w, "invalid_grant", "AADB2C90080: The provided grant has expired. Please re-authenticate and try again.")
		return
	}
	e.issue(w, &grant{user: g.user, generation: g.generation, clientID: g.clientID, scope: g.scope}, form)
}

// issue answers with a B2C-shaped token set; a refresh token only when
// offline_access was asked for, as on the real service.
func (e *Emulator) issue(w http.ResponseWriter, g *grant, form url.Values) {
	now := time.Now()
	e.mu.Lock()
	atLife := e.atLife
	email, uid := g.user.email, g.user.id
	if as := e.users[e.lies[strings.ToLower(email)]]; as != nil {
		email, uid = as.email, as.id
	}
	e.mu.Unlock()
	scope := form.Get("scope")
	if scope == "" {
		scope = g.scope
	}
	issuer := e.main.URL + "/" + e.tenant + "/v2.0/"
	idToken := e.jwt(map[string]any{
		"iss": issuer, "aud": g.clientID, "sub": uid, "oid": uid, "tid": e.tenant,
		"emails": []string{email}, "name": "FlameConnect user", "tfp": Policy, "ver": "1.0",
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Hour).Unix(), "auth_time": now.Unix(),
	})
	access := e.jwt(map[string]any{
		"iss": issuer, "aud": accessAudience, "sub": uid, "oid": uid, "scp": accessScope,
		"azp": g.clientID, "tfp": Policy, "ver": "1.0",
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(atLife).Unix(),
	})
	resp := map[string]any{
		"access_token":        access,
		"id_token":            idToken,
		"token_type":          "Bearer",
		"not_before":          now.Unix(),
		"expires_in":          int(atLife.Seconds()),
		"expires_on":          now.Add(atLife).Unix(),
		"id_token_expires_in": 3600,
		"scope":               scope,
	}
	if hasScope(g.scope, "offline_access") || hasScope(scope, "offline_access") {
		rt := "eyJraWQiOiJjcGltY29yZV8wOTI1MjAxNSIsInZlciI6IjEuMCJ9.." + randomToken()
		e.mu.Lock()
		e.refresh[rt] = &grant{user: g.user, generation: g.generation, clientID: g.clientID, scope: g.scope, expires: now.Add(refreshLifetime)}
		e.mu.Unlock()
		resp["refresh_token"] = rt
		resp["refresh_token_expires_in"] = int(refreshLifetime.Seconds())
	}
	if form.Get("client_info") == "1" {
		ci, _ := json.Marshal(map[string]string{"uid": uid + "-" + strings.ToLower(Policy), "utid": e.tenant})
		resp["client_info"] = base64.RawURLEncoding.EncodeToString(ci)
	}
	writeJSON(w, http.StatusOK, resp)
}

// jwt makes a JWT-shaped token signed with the emulator's HMAC key.
func (e *Emulator) jwt(claims map[string]any) string {
	head, _ := json.Marshal(map[string]string{"alg": "HS256", "typ": "JWT", "kid": "emulator"})
	body, _ := json.Marshal(claims)
	enc := base64.RawURLEncoding
	signing := enc.EncodeToString(head) + "." + enc.EncodeToString(body)
	mac := hmac.New(sha256.New, e.key)
	mac.Write([]byte(signing))
	return signing + "." + enc.EncodeToString(mac.Sum(nil))
}

func s256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
