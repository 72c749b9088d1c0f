package trace

import (
	"net/http"
	"reflect"
	"testing"
)

func TestRedactHeader(t *testing.T) {
	tests := []struct {
		name     string
		in, want http.Header
	}{
		{
			name: "cookie header keeps names",
			in:   http.Header{"Cookie": {"x-ms-cpim-trans=abc+/de==; x-ms-cpim-csrf=Q1NSRg==; lone"}},
			want: http.Header{"Cookie": {"x-ms-cpim-trans=[REDACTED]; x-ms-cpim-csrf=[REDACTED]; [REDACTED]"}},
		},
		{
			name: "set-cookie keeps attributes",
			in: http.Header{"Set-Cookie": {
				"x-ms-cpim-cache|abc_0=v+/al==; domain=h.b2clogin.com; path=/; SameSite=None; secure; HttpOnly",
				"oauth_token=OT; Max-Age=600; Expires=Wed, 21 Oct 2026 07:28:00 GMT; Path=/",
				"DeviceCookie=DC; Path=/OAuth; Weird=wv",
			}},
			want: http.Header{"Set-Cookie": {
				"x-ms-cpim-cache|abc_0=[REDACTED]; domain=h.b2clogin.com; path=/; SameSite=None; secure; HttpOnly",
				"oauth_token=[REDACTED]; Max-Age=600; Expires=Wed, 21 Oct 2026 07:28:00 GMT; Path=/",
				"DeviceCookie=[REDACTED]; Path=/OAuth; Weird=[REDACTED]",
			}},
		},
		{
			name: "credential headers are fully redacted",
			in: http.Header{
				"Authorization":        {"Bearer eyJx"},
				"X-Csrf-Token":         {"abc=="},
				"x-ms-cpim-pageviewid": {"pv"},
				"X-Session-Id":         {"s"},
				"X-Api-Key":            {"k"},
				"Www-Authenticate":     {`Bearer error="invalid_token"`},
				"X-Requested-With":     {"XMLHttpRequest"},
				"Content-Type":         {"application/x-www-form-urlencoded; charset=UTF-8"},
			},
			want: http.Header{
				"Authorization":        {"[REDACTED]"},
				"X-Csrf-Token":         {"[REDACTED]"},
				"x-ms-cpim-pageviewid": {"[REDACTED]"},
				"X-Session-Id":         {"[REDACTED]"},
				"X-Api-Key":            {"[REDACTED]"},
				"Www-Authenticate":     {"[REDACTED]"},
				"X-Requested-With":     {"XMLHttpRequest"},
				"Content-Type":         {"application/x-www-form-urlencoded; charset=UTF-8"},
			},
		},
		{
			name: "urls in location and referer",
			in: http.Header{
				"Location": {"msalid://auth?code=C&state=S"},
				"Referer":  {"https://h/authorize?client_id=1&code_challenge=CC"},
				"Origin":   {"https://h"},
				"Link":     {"<https://h/next?token=T>; rel=next"},
			},
			want: http.Header{
				"Location": {"msalid://auth?code=[REDACTED]&state=[REDACTED]"},
				"Referer":  {"https://h/authorize?client_id=1&code_challenge=[REDACTED]"},
				"Origin":   {"https://h"},
				"Link":     {"<https://h/next?token=[REDACTED]>; rel=next"},
			},
		},
		{name: "empty", in: http.Header{}, want: http.Header{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in.Clone()
			got := RedactHeader(tt.in)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
			if !reflect.DeepEqual(tt.in, in) {
				t.Errorf("input changed: %q", tt.in)
			}
		})
	}
}
