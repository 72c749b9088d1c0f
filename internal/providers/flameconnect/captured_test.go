package flameconnect

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The captured-shape fixtures beside the page: confirmed's 302 to the app
// with "/?" and client_info, and its Set-Cookie lines (a new SSO cookie
// whose name holds ':', deletions dated 2014).
func TestCapturedConfirmedShapes(t *testing.T) {
	loc, err := os.ReadFile(filepath.Join("testdata", "redirects", "captured_302.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if !isAppRedirect(string(loc)) {
		t.Fatal("the captured Location is not recognised as the app's redirect")
	}
	code, err := codeFromRedirect(string(loc), "c3RhdGUtY2FwdHVyZWQ")
	if err != nil || !strings.HasSuffix(code, "..Y2FwdHVyZWQtY29kZQ") {
		t.Fatalf("code %q, %v", code, err)
	}

	raw, err := os.ReadFile(filepath.Join("testdata", "setcookie", "captured_confirmed.txt"))
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse("https://gdhvb2cflameconnect.b2clogin.com/" + fcTenant + "/" + fcPolicy + "/api/CombinedSigninAndSignup/confirmed")
	c := newCookieStore()
	before := &http.Response{Header: http.Header{"Set-Cookie": {
		"x-ms-cpim-cache|q7wt2gmd2u6bdl3wj3rn1a_0=Y2FjaGU+/w==; path=/",
		"x-ms-cpim-trans=dHJhbnM+/w==; path=/",
		"x-ms-cpim-csrf=Y3NyZg+/=; path=/",
	}}}
	c.merge(u, before, time.Now())
	after := &http.Response{Header: http.Header{"Set-Cookie": strings.Split(strings.TrimSpace(string(raw)), "\n")}}
	c.merge(u, after, time.Now())
	want := "x-ms-cpim-csrf=Y3NyZg+/=; x-ms-cpim-sso:gdhvb2cflameconnect.onmicrosoft.com_0=MS4wLkFiY2RlZitGZ2hpai8wMTIz=="
	if got := c.header("/"); got != want {
		t.Fatalf("cookies after confirmed:\n got  %s\n want %s", got, want)
	}
}
