package trace

import "testing"

func TestIsSensitiveName(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"password", true}, {"pass", true}, {"passwd", true}, {"pwd", true}, {"newPassword", true},
		{"code", true}, {"code_verifier", true}, {"code_challenge", true}, {"state", true},
		{"csrf", true}, {"csrf_token", true}, {"X-CSRF-TOKEN", true}, {"tx", true}, {"transId", true},
		{"token", true}, {"access_token", true}, {"refresh_token", true}, {"id_token", true},
		{"client_assertion", true}, {"assertion", true}, {"session_state", true}, {"oauth_token", true},
		{"oauth_state", true}, {"secret", true}, {"client_secret", true}, {"DZIENNIKSID", true},
		{"PHPSESSID", true}, {"x-ms-cpim-trans", true}, {"AccessToken", true}, {"nonce", true},
		{"pass%77ord", false}, // callers unescape first
		{"email", false}, {"login", false}, {"username", false}, {"login_hint", false},
		{"signInName", false}, {"client_id", false}, {"scope", false}, {"redirect_uri", false},
		{"claims", false}, {"p", false}, {"errorCode", false}, {"status", false}, {"compass", false},
		{"code_challenge_method", false}, {"token_type", false}, {"credential_type", false}, {"UserState", false}, {"", false},
	}
	for _, tt := range tests {
		if got := IsSensitiveName(tt.name); got != tt.want {
			t.Errorf("IsSensitiveName(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
}
