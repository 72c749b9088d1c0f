package flameconnect

import (
	"net/http"
	"testing"
	"time"
)

func response(setCookies ...string) *http.Response {
	h := http.Header{}
	for _, c := range setCookies {
		h.Add("Set-Cookie", c)
	}
	return &http.Response{Header: h}
}

func TestCookieStoreSendsVerbatimAndMerges(t *testing.T) {
	now := time.Now()
	c := newCookieStore()
	c.merge(response(
		"x-ms-cpim-csrf=+/+/abc==; path=/; secure; HttpOnly; SameSite=None",
		"x-ms-cpim-trans=a+b/c=; path=/; secure",
		`x-ms-cpim-cache|x_0="quoted+/="; path=/`,
	), now)
	want := `x-ms-cpim-csrf=+/+/abc==; x-ms-cpim-trans=a+b/c=; x-ms-cpim-cache|x_0=quoted+/=`
	if got := c.header(); got != want {
		t.Fatalf("Cookie = %q\nwant     %q", got, want)
	}
	c.merge(response(
		"x-ms-cpim-trans=new+/=; path=/",
		"x-ms-cpim-csrf=; expires=Thu, 01 Jan 1970 00:00:00 GMT",
		"other=1; Max-Age=-1",
		"x-ms-cpim-sso:tenant_0=s/s=; path=/",
	), now)
	want = `x-ms-cpim-trans=new+/=; x-ms-cpim-cache|x_0=quoted+/=; x-ms-cpim-sso:tenant_0=s/s=`
	if got := c.header(); got != want {
		t.Fatalf("after merge Cookie = %q\nwant                 %q", got, want)
	}
	req, _ := http.NewRequest("GET", "https://h/", nil)
	c.apply(req)
	if req.Header.Get("Cookie") != want {
		t.Fatalf("apply set %q", req.Header.Get("Cookie"))
	}
	empty, _ := http.NewRequest("GET", "https://h/", nil)
	newCookieStore().apply(empty)
	if _, ok := empty.Header["Cookie"]; ok {
		t.Fatal("an empty store set a Cookie header")
	}
}
