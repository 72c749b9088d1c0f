package librus

import (
	"strings"
	"testing"
	"time"
)

func TestSessionRoundTrip(t *testing.T) {
	exp := time.Date(2027, 1, 2, 3, 4, 5, 0, time.UTC)
	s := &Session{
		Version: SessionVersion, UserIdentifier: "5550001", ObtainedAt: time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC),
		Cookies: []Cookie{
			{Name: "DeviceCookie", Value: "d", Domain: "api.librus.pl", Path: "/OAuth", Expires: &exp},
			{Name: "DZIENNIKSID", Value: "s", Domain: "synergia.librus.pl", Path: "/"},
		},
	}
	b, err := s.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"version":1`, `"path":"/OAuth"`, `"expires":null`, `"user_identifier":"5550001"`, `"obtained_at":"2026-05-01T08:00:00Z"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("cache %s lacks %s", b, want)
		}
	}
	got, err := ParseSession(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Cookies) != 2 || got.Cookies[0].Path != "/OAuth" || !got.Cookies[0].Expires.Equal(exp) || got.Cookies[1].Expires != nil {
		t.Errorf("round trip = %+v", got)
	}
}

func TestParseSessionRejects(t *testing.T) {
	for _, bad := range []string{
		``, `null`, `[]`, `{"version":1}`,
		`{"version":2,"cookies":[{"name":"a","value":"b","domain":"x","path":"/"}],"user_identifier":"1"}`,
		`{"version":1,"cookies":[{"name":"a","value":"b","domain":"x","path":"/"}]}`,
		`{"version":1,"cookies":[{"name":"","value":"b","domain":"x","path":"/"}],"user_identifier":"1"}`,
		`{"version":1,"cookies":[{"name":"a","value":"b","domain":".","path":"/"}],"user_identifier":"1"}`,
		`{"version":1,"cookies":[{"name":"a","value":"b","domain":"x","path":"rel"}],"user_identifier":"1"}`,
	} {
		if _, err := ParseSession([]byte(bad)); err == nil {
			t.Errorf("ParseSession(%q) accepted", bad)
		}
	}
}
