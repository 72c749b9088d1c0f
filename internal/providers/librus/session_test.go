package librus

import (
	"net/http"
	"net/url"
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

// FuzzSetCookie: whatever Set-Cookie headers a host sends during a sign-in
// or a check, the jar's snapshot is a cache that can be written and read
// back unchanged, and restoring it and taking a snapshot again changes
// nothing (a check that only restores must not alter the cache).
func FuzzSetCookie(f *testing.F) {
	for _, seed := range []string{
		"oauth_token=abc; Max-Age=600; Path=/; Secure; HttpOnly",
		"DeviceCookie=d1; Path=/OAuth; Expires=Wed, 30 Nov 2027 10:00:00 GMT",
		"DZIENNIKSID=s; Domain=librus.pl; Path=/",
		"junk=1; Domain=..; Path=/",
		"gone=; Max-Age=0",
		"old=x; Expires=Thu, 01-Jan-2014 00:00:01 GMT",
		`q="quoted value"; Path=rel`,
	} {
		f.Add("synergia.librus.pl", "/loguj/portalRodzina", seed)
	}
	f.Add("127.0.0.2", "/refreshToken", "a=b; Domain=127.0.0.2")
	f.Fuzz(func(t *testing.T, host, path, header string) {
		u := &url.URL{Scheme: "https", Host: host, Path: path}
		if _, err := url.Parse(u.String()); err != nil || host == "" {
			return
		}
		j, err := newJar()
		if err != nil {
			t.Fatal(err)
		}
		h := http.Header{}
		for _, line := range strings.Split(header, "\n") {
			h.Add("Set-Cookie", line)
		}
		j.SetCookies(u, (&http.Response{Header: h}).Cookies())
		cs := j.snapshot()
		if len(cs) == 0 {
			return
		}
		s := &Session{Version: SessionVersion, Cookies: cs, UserIdentifier: "5550001"}
		b, err := s.Marshal()
		if err != nil {
			t.Fatalf("snapshot %+v does not make a cache: %v", cs, err)
		}
		back, err := ParseSession(b)
		if err != nil {
			t.Fatalf("cache does not read back: %v", err)
		}
		j2, _ := newJar()
		j2.restore(back.Cookies)
		again := j2.snapshot()
		if len(again) != len(cs) {
			t.Fatalf("restore+snapshot: %d cookies, had %d (%+v vs %+v)", len(again), len(cs), again, cs)
		}
		for i := range cs {
			if again[i].key() != cs[i].key() || again[i].Value != cs[i].Value {
				t.Fatalf("restore+snapshot changed cookie %d: %+v vs %+v", i, again[i], cs[i])
			}
		}
	})
}
