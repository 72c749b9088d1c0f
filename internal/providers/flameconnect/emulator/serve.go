package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// Lower-case route suffixes below /{tenant}/{policy}. B2C matches the
// metadata and authorize paths case-insensitively; the API endpoints
// (SelfAsserted, confirmed) want the policy in its mixed-case form.
const (
	routeMetadata  = "/v2.0/.well-known/openid-configuration"
	routeAuthorize = "/oauth2/v2.0/authorize"
	routeAuthResp  = "/oauth2/v2.0/authresp"
	routeToken     = "/oauth2/v2.0/token"
	routeSelf      = "/selfasserted"
	routeConfirmed = "/api/" + API + "/confirmed"
	routeHop       = "/hop"     // one link of a same-host redirect chain (variants)
	routeSignIn    = "/signin"  // the page after a redirected authorize (variants)
	routeRevisit   = "/revisit" // a chain link requested twice (variants)
)

// basePath is the mixed-case API base, as the page's hosts.tenant gives it.
const basePath = "/" + Tenant + "/" + Policy

func (e *Emulator) serveMain(w http.ResponseWriter, r *http.Request) {
	e.record(r)
	if !e.Wait(r) {
		// Held by SetHang, or the client gave up during SetLatency. No
		// answer at all: a 504 written the moment the client's close
		// arrives can still be read by a client racing its own cancel
		// (1 run in 25 under -race), and a hang must never answer.
		panic(http.ErrAbortHandler)
	}
	if r.URL.Path == routeFires {
		e.fires(w, r)
		return
	}
	switch e.currentFault() {
	case FaultSlow:
		e.hang(w, r)
		return
	case FaultServerError:
		htmlError(w, http.StatusServiceUnavailable, "Service Unavailable")
		return
	}
	if quotedCPIMCookie(r) {
		htmlError(w, http.StatusBadRequest, "Bad Request: malformed cookie")
		return
	}
	// A proxy prefix is matched exactly; below it, B2C's rules.
	v := e.currentVariant()
	path, ok := strings.CutPrefix(r.URL.Path, v.PathPrefix)
	lower := strings.ToLower(path)
	// The tenant is named by its domain in the authority; a page of the
	// captured shape names it by its GUID, and only that path then
	// serves the API endpoints (SelfAsserted, confirmed).
	apiBase, base := basePath, basePath
	if guidBase := "/" + e.tenant + "/" + Policy; v.Captured {
		apiBase = guidBase
		if strings.HasPrefix(lower, strings.ToLower(guidBase)+"/") {
			base = guidBase
		}
	}
	prefix := strings.ToLower(base)
	if !ok || !strings.HasPrefix(lower, prefix+"/") {
		htmlError(w, http.StatusNotFound, "The resource you are looking for has been removed, had its name changed, or is temporarily unavailable.")
		return
	}
	route := lower[len(prefix):]
	exact := strings.HasPrefix(path, apiBase+"/") // mixed case kept
	switch {
	case route == routeMetadata && r.Method == http.MethodGet:
		e.metadata(w)
	case route == routeAuthorize && r.Method == http.MethodGet:
		e.authorize(w, r)
	case route == routeSelf && r.Method == http.MethodPost && exact:
		e.selfAsserted(w, r)
	case route == strings.ToLower(routeConfirmed) && r.Method == http.MethodGet && exact:
		e.confirmed(w, r)
	case route == routeAuthResp && r.Method == http.MethodGet:
		e.authResp(w, r)
	case route == routeToken && r.Method == http.MethodPost:
		e.token(w, r)
	case route == routeHop && r.Method == http.MethodGet:
		e.hop(w, r)
	case route == routeSignIn && r.Method == http.MethodGet:
		e.pendingPage(w, r)
	case route == routeRevisit && r.Method == http.MethodGet:
		e.revisit(w, r)
	default:
		htmlError(w, http.StatusNotFound, "The resource you are looking for has been removed, had its name changed, or is temporarily unavailable.")
	}
}

// serveForeign plays a host the client must never talk to: it records the
// request (so tests see the breach) and answers with a harmless page.
func (e *Emulator) serveForeign(w http.ResponseWriter, r *http.Request) {
	e.record(r)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = fmt.Fprint(w, "<html><body>another host</body></html>")
}

// hang holds the request until the client gives up or the emulator closes.
func (e *Emulator) hang(w http.ResponseWriter, r *http.Request) {
	e.Hold(r)
	panic(http.ErrAbortHandler) // as in serveMain: never an answer to read
}

func (e *Emulator) metadata(w http.ResponseWriter) {
	origin := e.main.URL
	if e.currentFault() == FaultForeignMetadata {
		origin = e.foreign.URL
	}
	base := origin + e.lowerBase()
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                e.main.URL + "/" + e.tenant + "/v2.0/",
		"authorization_endpoint":                base + routeAuthorize,
		"token_endpoint":                        base + routeToken,
		"end_session_endpoint":                  base + "/oauth2/v2.0/logout",
		"jwks_uri":                              base + "/discovery/v2.0/keys",
		"response_modes_supported":              []string{"query", "fragment", "form_post"},
		"response_types_supported":              []string{"code", "code id_token", "code token", "code id_token token", "id_token", "id_token token", "token", "token id_token"},
		"scopes_supported":                      []string{"openid"},
		"subject_types_supported":               []string{"pairwise"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_post", "client_secret_basic"},
		"claims_supported":                      []string{"emails", "name", "sub", "oid", "tfp", "iss", "iat", "exp", "aud", "acr", "nonce", "auth_time"},
	})
}

// lowerBase is the tenant path as B2C writes it in URLs (policy lower
// case), below the variant's proxy prefix.
func (e *Emulator) lowerBase() string {
	return e.currentVariant().PathPrefix + "/" + Tenant + "/" + strings.ToLower(Policy)
}

// quotedCPIMCookie reports a B2C cookie sent with a quoted value, which the
// real service rejects on every later request.
func quotedCPIMCookie(r *http.Request) bool {
	for name, value := range rawCookies(r) {
		if strings.HasPrefix(name, "x-ms-cpim-") && strings.HasPrefix(value, `"`) {
			return true
		}
	}
	return false
}

// rawCookies splits the Cookie header by hand: Go's parser strips quotes,
// and the emulator must see exactly what the client sent. A name sent
// twice keeps its first value, the most specific path's (RFC 6265 5.4).
func rawCookies(r *http.Request) map[string]string {
	out := map[string]string{}
	for _, p := range cookiePairs(r) {
		if _, seen := out[p[0]]; !seen {
			out[p[0]] = p[1]
		}
	}
	return out
}

// cookiePairs is every name=value pair of the Cookie headers, in order.
func cookiePairs(r *http.Request) [][2]string {
	var out [][2]string
	for _, line := range r.Header.Values("Cookie") {
		for _, part := range strings.Split(line, ";") {
			if name, value, ok := strings.Cut(strings.TrimSpace(part), "="); ok {
				out = append(out, [2]string{name, value})
			}
		}
	}
	return out
}

// rawQuery splits a query by hand so '+' and '=' in values stay literal,
// as B2C reads the csrf and tx values.
func rawQuery(q string) map[string]string {
	out := map[string]string{}
	for _, part := range strings.Split(q, "&") {
		k, v, _ := strings.Cut(part, "=")
		if _, seen := out[k]; !seen {
			out[k] = v
		}
	}
	return out
}

func htmlError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = fmt.Fprintf(w, "<!DOCTYPE html><html><head><title>Error</title></head><body><h1>%d</h1><p>%s</p></body></html>", status, msg)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
