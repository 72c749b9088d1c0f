package trace

import "testing"

func TestRedactURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://h/p?a=1&b=2", "https://h/p?a=1&b=2"},
		{
			"https://h/authorize?client_id=abc&state=S1&code_challenge=C1&code_challenge_method=S256&login_hint=u%40x.com",
			"https://h/authorize?client_id=abc&state=[REDACTED]&code_challenge=[REDACTED]&code_challenge_method=S256&login_hint=u%40x.com",
		},
		{"msal1af761dc-085a-411f-9cb9-53e5e2115bd2://auth?code=C0DE&state=ST", "msal1af761dc-085a-411f-9cb9-53e5e2115bd2://auth?code=[REDACTED]&state=[REDACTED]"},
		{"msalid://auth/?code=C0DE", "msalid://auth/?code=[REDACTED]"},
		{
			"https://h/api/CombinedSigninAndSignup/confirmed?rememberMe=false&csrf_token=ab+/c==&tx=StateProperties=eyJUSUQiOiJ4In0&p=B2C_1A_X",
			"https://h/api/CombinedSigninAndSignup/confirmed?rememberMe=false&csrf_token=[REDACTED]&tx=[REDACTED]&p=B2C_1A_X",
		},
		{"https://user:hunter2@h/p", "https://user:[REDACTED]@h/p"},
		{"https://user@h/p", "https://user@h/p"},
		{"https://h/cb#access_token=AT&id_token=IT&expires_in=3600", "https://h/cb#access_token=[REDACTED]&id_token=[REDACTED]&expires_in=3600"},
		{"https://h/cb#section", "https://h/cb#section"},
		{"https://h/p?pass%77ord=x", "https://h/p?pass%77ord=[REDACTED]"},
		{
			"https://h/login?redirect_uri=https%3A%2F%2Fc%2Fcb%3Fcode%3DNESTED%26x%3D1",
			"https://h/login?redirect_uri=https%3A%2F%2Fc%2Fcb%3Fcode%3D%5BREDACTED%5D%26x%3D1",
		},
		{"https://synergia.librus.pl/loguj/portalRodzina?code=LC&state=LS", "https://synergia.librus.pl/loguj/portalRodzina?code=[REDACTED]&state=[REDACTED]"},
		{"/OAuth/Authorization/2FA?client_id=46", "/OAuth/Authorization/2FA?client_id=46"},
		{"https://h/p?jwt=eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", "https://h/p?jwt=[REDACTED]"},
		{"https://h/p?x=%zz&code=1", "https://h/p?x=%zz&code=[REDACTED]"},
		{"not a url ?code=abc", "not a url ?code=[REDACTED]"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := RedactURL(tt.in); got != tt.want {
			t.Errorf("RedactURL(%q)\n got %q\nwant %q", tt.in, got, tt.want)
		}
	}
}
