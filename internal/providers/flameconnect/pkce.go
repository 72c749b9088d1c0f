package flameconnect

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/url"
)

// pkce holds one sign-in's PKCE verifier and state. MSAL Go's AuthCodeURL
// adds neither, so they are added to the authorize URL by hand.
type pkce struct {
	verifier  string
	challenge string
	state     string
}

func newPKCE() (pkce, error) {
	v := make([]byte, 32)
	s := make([]byte, 24)
	if _, err := rand.Read(v); err != nil {
		return pkce{}, fmt.Errorf("pkce verifier: %w", err)
	}
	if _, err := rand.Read(s); err != nil {
		return pkce{}, fmt.Errorf("state: %w", err)
	}
	verifier := base64.RawURLEncoding.EncodeToString(v) // 43 chars, RFC 7636's minimum
	sum := sha256.Sum256([]byte(verifier))
	return pkce{
		verifier:  verifier,
		challenge: base64.RawURLEncoding.EncodeToString(sum[:]),
		state:     base64.RawURLEncoding.EncodeToString(s),
	}, nil
}

// addTo returns authURL with code_challenge, code_challenge_method=S256 and state.
func (p pkce) addTo(authURL string) (*url.URL, error) {
	u, err := url.Parse(authURL)
	if err != nil {
		return nil, fmt.Errorf("authorize URL: %w", err)
	}
	q := u.Query()
	q.Set("code_challenge", p.challenge)
	q.Set("code_challenge_method", "S256")
	q.Set("state", p.state)
	u.RawQuery = q.Encode()
	return u, nil
}
