package trace

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRedactBody(t *testing.T) {
	tests := []struct {
		name, contentType, in, want string
	}{
		{"form", "application/x-www-form-urlencoded; charset=UTF-8",
			"request_type=RESPONSE&email=u%40x.com&password=p%40ss%26w",
			"request_type=RESPONSE&email=u%40x.com&password=[REDACTED]"},
		{"librus form", "application/x-www-form-urlencoded", "action=login&login=1234567u&pass=haslo",
			"action=login&login=1234567u&pass=[REDACTED]"},
		{"token form", "application/x-www-form-urlencoded",
			"grant_type=authorization_code&code=C1&code_verifier=V1&redirect_uri=msalid%3A%2F%2Fauth&client_info=1",
			"grant_type=authorization_code&code=[REDACTED]&code_verifier=[REDACTED]&redirect_uri=msalid%3A%2F%2Fauth&client_info=1"},
		{"json keeps order", "application/json", `{"z":1,"a":"b","code":"X"}`, `{"z":1,"a":"b","code":"[REDACTED]"}`},
		{"json nested and arrays", "application/json; charset=utf-8",
			`{"x":[{"refresh_token":"R"},"s",2,true,null],"token":{"v":"T","n":5,"ok":false,"list":["a"]}}`,
			`{"x":[{"refresh_token":"[REDACTED]"},"s",2,true,null],"token":{"v":"[REDACTED]","n":"[REDACTED]","ok":false,"list":["[REDACTED]"]}}`},
		{"json string holding a url", "application/json", `{"goTo":"/x?code=C&client_id=46"}`, `{"goTo":"/x?code=[REDACTED]&client_id=46"}`},
		{"json string holding json", "application/json", `{"claims":"{\"access_token\":\"AT\"}"}`, `{"claims":"{\"access_token\":\"[REDACTED]\"}"}`},
		{"json multiple values", "application/json", "{\"a\":1}\n{\"csrf\":\"c\"}", "{\"a\":1}\n{\"csrf\":\"[REDACTED]\"}"},
		{"json array top", "application/json", `[1,{"state":"s"}]`, `[1,{"state":"[REDACTED]"}]`},
		{"invalid json falls back", "application/json", `{"csrf":"abc", oops`, `{"csrf":"[REDACTED]", oops`},
		{"json without content type", "", ` {"id_token":"x"}`, `{"id_token":"[REDACTED]"}`},
		{"json unicode escapes", "application/json", `{"a":"\u0105"}`, `{"a":"ą"}`},
		{"text", "text/plain", "code=abc", "code=[REDACTED]"},
		{"empty", "application/json", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := []byte(tt.in)
			got := RedactBody(tt.contentType, in)
			if string(got) != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
			if string(in) != tt.in {
				t.Errorf("input changed to %q", in)
			}
		})
	}
}

func TestRedactBodyFixtures(t *testing.T) {
	tests := []struct {
		file, contentType string
		gone, kept        []string
	}{
		{"b2c_page.html", "text/html; charset=utf-8",
			[]string{"SUNRRjRHZ3N", "eyJUSUQiOiI0", "HIDDEN+csrf", "META+csrf", "HTMLCODE123", "HTMLSTATE456"},
			[]string{`"api":"CombinedSigninAndSignup"`, `"csrf":"[REDACTED]"`, `"transId":"[REDACTED]"`,
				"B2C_1A_FirePhoneSignUpOrSignInWithPhoneOrEmail", `name="email" value="user@example.com"`, `"pageViewId":"c0ffee"`}},
		{"token_response.json", "application/json",
			[]string{"eyJhbGci", "QUNDRVNT", "SURTSUdO", "REFRESHxyz123opaque", "1209600", "eyJ1aWQi"},
			[]string{`"access_token":"[REDACTED]"`, `"refresh_token":"[REDACTED]"`, `"expires_in":3600`, `"scope":"https://gdhvb2cflameconnect.onmicrosoft.com/Mobile/read"`}},
		{"msal_cache.json", "application/json",
			[]string{"ATSECRETvalue", "RTSECRETvalue", "IDSECRETvalue"},
			[]string{`"Account":{"uid.utid-b2c-realm":{"home_account_id":"uid.utid","username":"user@example.com"`}},
		{"librus_login_ok.json", "application/json", nil,
			[]string{`"status":"ok"`, `"goTo":"/OAuth/Authorization/2FA?client_id=46"`}},
		{"librus_gateway_error.json", "application/json", []string{"TokenIsExpired"},
			[]string{`"Status":"Error"`, `"Message":"Request is denied"`, `"MessagePL":"Brak dostępu"`}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			in := readFixture(t, tt.file)
			got := RedactBody(tt.contentType, in)
			for _, s := range tt.gone {
				if !bytes.Contains(in, []byte(s)) {
					t.Fatalf("fixture lacks %q: the check would prove nothing", s)
				}
				if bytes.Contains(got, []byte(s)) {
					t.Errorf("%q survived in\n%s", s, got)
				}
			}
			for _, s := range tt.kept {
				if !bytes.Contains(got, []byte(s)) {
					t.Errorf("%q missing from\n%s", s, got)
				}
			}
		})
	}
}
