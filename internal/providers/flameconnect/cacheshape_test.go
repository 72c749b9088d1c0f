package flameconnect

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
)

// The stored cache has the shape MSAL Python's SerializableTokenCache and
// PublicClientApplication look entries up by (environment = the
// authority's host, realm = its tenant segment, home_account_id,
// client_id, target, expires_on as digits, authority_type MSSTS), so a
// script or a Home Assistant integration can read it back
// (docs/flameconnect.md, "The stored cache"). It holds the e-mail nowhere
// but inside the ID token the service issued: an Account has no username.
func TestCacheShapeForOtherMSALReaders(t *testing.T) {
	e, ca := startEmulator(t)
	cache := signIn(t, providerFor(e, ca))
	auth, err := parseAuthority(e.Authority())
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]map[string]map[string]any
	if err := json.Unmarshal(cache, &doc); err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"Account":      {"home_account_id", "environment", "realm", "local_account_id", "authority_type"},
		"AccessToken":  {"home_account_id", "environment", "realm", "client_id", "target", "expires_on", "secret", "credential_type"},
		"RefreshToken": {"home_account_id", "environment", "client_id", "secret", "credential_type"},
		"IdToken":      {"home_account_id", "environment", "realm", "client_id", "secret", "credential_type"},
		"AppMetadata":  {"client_id", "environment"},
	}
	home := ""
	for section, fields := range want {
		if len(doc[section]) != 1 {
			t.Fatalf("%s holds %d entries, want 1", section, len(doc[section]))
		}
		for key, entry := range doc[section] {
			for _, f := range fields {
				if s, _ := entry[f].(string); s == "" {
					t.Errorf("%s %s: no string %q", section, key, f)
				}
			}
			if env := entry["environment"]; env != auth.host {
				t.Errorf("%s: environment %v, want the authority's host %q", section, env, auth.host)
			}
			if realm, ok := entry["realm"]; ok && realm != auth.tenant {
				t.Errorf("%s: realm %v, want the authority's tenant %q", section, realm, auth.tenant)
			}
			if h, ok := entry["home_account_id"].(string); ok {
				if home != "" && h != home {
					t.Errorf("%s: home_account_id %q, another than %q", section, h, home)
				}
				home = h
			}
		}
	}
	for _, a := range doc["Account"] {
		if a["authority_type"] != "MSSTS" {
			t.Errorf("authority_type %v, want MSSTS", a["authority_type"])
		}
		if _, ok := a["username"]; ok {
			t.Errorf("the Account has a username (%v): docs/flameconnect.md says it has none", a["username"])
		}
	}
	for _, at := range doc["AccessToken"] {
		if exp, _ := at["expires_on"].(string); strings.Trim(exp, "0123456789") != "" {
			t.Errorf("expires_on %q is not digits", exp)
		}
		if !hasScopeFold(at["target"].(string), APIScope) {
			t.Errorf("access token target %q lacks the API scope", at["target"])
		}
	}
	// The e-mail only inside the ID token (a JWT, base64url: not as text).
	for _, email := range []string{"demo@example.com", url.QueryEscape("demo@example.com")} {
		if strings.Contains(strings.ToLower(string(cache)), email) {
			t.Errorf("the cache holds the e-mail %q as text", email)
		}
	}
}
