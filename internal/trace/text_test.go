package trace

import "testing"

func TestRedactText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"b2c settings", `var SETTINGS = {"api":"CombinedSigninAndSignup","csrf":"ab+/c==","transId":"StateProperties=eyJUSUQiOiJ4In0","pageViewId":"p"};`,
			`var SETTINGS = {"api":"CombinedSigninAndSignup","csrf":"[REDACTED]","transId":"[REDACTED]","pageViewId":"p"};`},
		{"spaced json", `{"csrf" : "abc", "status": "400"}`, `{"csrf" : "[REDACTED]", "status": "400"}`},
		{"single quotes", `{'code': 'x\'y', 'a': 'b'}`, `{'code': '[REDACTED]', 'a': 'b'}`},
		{"js assignment", `var csrf = "abc"; var token='t';`, `var csrf = "[REDACTED]"; var token='[REDACTED]';`},
		{"escaped json in js", `x = "{\"access_token\":\"AT\",\"a\":\"b\"}"`, `x = "{\"access_token\":\"[REDACTED]\",\"a\":\"b\"}"`},
		{"html entities", `data="{&quot;csrf&quot;:&quot;abc&quot;}"`, `data="{&quot;csrf&quot;:&quot;[REDACTED]&quot;}"`},
		{"number value", `{"code": 123456}`, `{"code": [REDACTED]}`},
		{"unterminated at end", `{"refresh_token":"abcdef`, `{"refresh_token":"[REDACTED]"`},
		{"hidden input", `<input type="hidden" name="csrf_token" value="V+/==">`, `<input type="hidden" name="csrf_token" value="[REDACTED]">`},
		{"meta", `<meta name="csrf-token" content="C">`, `<meta name="csrf-token" content="[REDACTED]">`},
		{"plain input kept", `<input name="email" value="u@x.com">`, `<input name="email" value="u@x.com">`},
		{"url in html", `<a href="msalid://auth?code=C1&amp;state=S1">`, `<a href="msalid://auth?code=[REDACTED]&amp;state=[REDACTED]">`},
		{"url in json string", `"https://h/cb?code=C1\u0026state=S1"`, `"https://h/cb?code=[REDACTED]\u0026state=[REDACTED]"`},
		{"error message", `Get "https://h/x?tx=T1&p=P": dial tcp: refused`, `Get "https://h/x?tx=[REDACTED]&p=P": dial tcp: refused`},
		{"form text", `request_type=RESPONSE&email=u%40x.com&password=p%40ss`, `request_type=RESPONSE&email=u%40x.com&password=[REDACTED]`},
		{"bearer", `Authorization: Bearer abc.def-ghi`, `Authorization: Bearer [REDACTED]`},
		{"jwt anywhere", `id eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.sig!`, `id [REDACTED]!`},
		{"state properties", `tx=StateProperties%3DeyJ4`, `tx=[REDACTED]`},
		{"bare state properties", `transaction StateProperties=eyJUSUQiOiJ4In0 expired`, `transaction StateProperties=[REDACTED] expired`},
		{"keeps messages", `{"status":"400","errorCode":"AADB2C90053","message":"Invalid username or password."}`,
			`{"status":"400","errorCode":"AADB2C90053","message":"Invalid username or password."}`},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := RedactText(tt.in); got != tt.want {
				t.Errorf("RedactText(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}
