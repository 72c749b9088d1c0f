package emulator

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
)

// maintenanceBody is the 503 answer's shape: a Message list of descriptions.
var maintenanceBody = map[string]any{
	"Status":  "Maintenance",
	"Message": []map[string]string{{"description": "Trwa przerwa techniczna. Zapraszamy później."}},
}

// middleware records each request and applies the switched-on generic
// faults before the host's own handler runs.
func (e *Emulator) middleware(server string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		r.Body = io.NopCloser(bytes.NewReader(body))
		idx := e.record(Request{
			Server: server, Method: r.Method, Host: r.Host, Path: r.URL.Path,
			RawQuery: r.URL.RawQuery, Header: r.Header.Clone(), Body: string(body),
		})
		defer func() { e.recordSetCookie(idx, w.Header().Values("Set-Cookie")) }()
		e.hold(r)

		switch e.faultFor(r) {
		case FaultMaintenance:
			writeJSON(w, http.StatusServiceUnavailable, maintenanceBody)
			return
		case FaultMaintenanceRedirect:
			if r.URL.Path != "/przerwa_techniczna" {
				http.Redirect(w, r, e.SynergiaURL()+"/przerwa_techniczna", http.StatusFound)
				return
			}
		case FaultSlow:
			e.stall(r)
		case FaultServerError:
			http.Error(w, "Internal Server Error", http.StatusInternalServerError)
			return
		case FaultBlocked:
			writeHTML(w, http.StatusForbidden, "<h1>403 Forbidden</h1><p>Access denied.</p>")
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (e *Emulator) record(r Request) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.requests = append(e.requests, r)
	e.Count()
	return len(e.requests) - 1
}

func (e *Emulator) recordSetCookie(idx int, v []string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if idx < len(e.requests) {
		e.requests[idx].SetCookie = append([]string(nil), v...)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeHTML(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, "<!DOCTYPE html><html><body>"+body+"</body></html>")
}

// setCookie writes a Secure, HttpOnly host cookie; maxAge 0 means a session cookie.
func setCookie(w http.ResponseWriter, name, value, path string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: value, Path: path, MaxAge: maxAge,
		Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode,
	})
}

func cookieValue(r *http.Request, name string) string {
	c, err := r.Cookie(name)
	if err != nil {
		return ""
	}
	return c.Value
}
