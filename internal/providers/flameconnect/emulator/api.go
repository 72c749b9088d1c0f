package emulator

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

// routeFires is the one call of the FlameConnect cloud API the emulator
// serves (the live API sits on its own host; here it shares the tenant's):
// the caller's fireplaces, for a Bearer access token the token endpoint
// issued. It lets tests and the demo show a --token output working.
const routeFires = "/api/Fires/GetFires"

// Fire is one fireplace as the API lists it.
type Fire struct {
	FireID       string `json:"FireId"`
	FriendlyName string `json:"FriendlyName"`
	Brand        string `json:"Brand"`
	IoTConnected bool   `json:"IoTConnected"`
}

// fires answers GET routeFires: 401 with a WWW-Authenticate challenge
// unless the Authorization header holds a valid access token.
func (e *Emulator) fires(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"Message": "The requested resource does not support this method."})
		return
	}
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_request"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"Message": "Authorization has been denied for this request."})
		return
	}
	oid, err := e.checkAccessToken(token, time.Now())
	if err != nil {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"Message": "Authorization has been denied for this request."})
		return
	}
	writeJSON(w, http.StatusOK, []Fire{
		{FireID: "fire-" + oid[:8], FriendlyName: "Living room", Brand: "Dimplex", IoTConnected: true},
		{FireID: "fire-" + oid[len(oid)-8:], FriendlyName: "Bedroom", Brand: "Faber", IoTConnected: false},
	})
}

// checkAccessToken verifies an access token the emulator issued: its HMAC
// signature, audience, scope and expiry. It returns the subject's oid. As
// on the real API, a revoked refresh token does not end an access token
// already issued.
func (e *Emulator) checkAccessToken(token string, now time.Time) (string, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return "", errors.New("not a JWT")
	}
	mac := hmac.New(sha256.New, e.key)
	mac.Write([]byte(parts[0] + "." + parts[1]))
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || !hmac.Equal(sig, mac.Sum(nil)) {
		return "", errors.New("bad signature")
	}
	body, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "", errors.New("bad payload")
	}
	var c struct {
		Aud string `json:"aud"`
		Scp string `json:"scp"`
		Oid string `json:"oid"`
		Exp int64  `json:"exp"`
	}
	if err := json.Unmarshal(body, &c); err != nil {
		return "", errors.New("bad claims")
	}
	switch {
	case c.Aud != accessAudience || c.Scp != accessScope:
		return "", errors.New("not an access token for the API")
	case !now.Before(time.Unix(c.Exp, 0)):
		return "", errors.New("expired")
	case len(c.Oid) < 8:
		return "", errors.New("no subject")
	}
	return c.Oid, nil
}

// CheckCredential calls the emulated API with cred as a script would
// (Authorization: Bearer ...) and reports whether it was accepted. The
// call counts as a request.
func (e *Emulator) CheckCredential(cred provider.Credential) error {
	if cred.Kind != "token" || cred.Type != "Bearer" {
		return fmt.Errorf("flameconnect API: want a Bearer token, got %s/%s", cred.Kind, cred.Type)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.main.URL+routeFires, nil)
	if err != nil {
		return fmt.Errorf("flameconnect API: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+cred.Value)
	client := provider.Options{RootCAs: e.ca.Pool}.Client(nil)
	defer client.CloseIdleConnections()
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("flameconnect API: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("flameconnect API: HTTP %d", resp.StatusCode)
	}
	var fires []Fire
	if err := json.Unmarshal(body, &fires); err != nil || len(fires) == 0 {
		return fmt.Errorf("flameconnect API: unexpected answer")
	}
	return nil
}
