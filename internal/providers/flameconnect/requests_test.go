package flameconnect

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/setupwizard/setupwizard/internal/providers/flameconnect/emulator"
)

// One successful sign-in makes the protocol's five requests (metadata,
// page, SelfAsserted, confirmed, token) plus the emulator's one redirect
// hop, in that order, and nothing else: the metadata is read once.
func TestSignInRequestCount(t *testing.T) {
	e, ca := startEmulator(t)
	if _, err := providerFor(e, ca).Validate(context.Background(), demoInput(), nil); err != nil {
		t.Fatal(err)
	}
	want := []struct{ method, suffix string }{
		{"GET", "/v2.0/.well-known/openid-configuration"},
		{"GET", "/oauth2/v2.0/authorize"},
		{"POST", "/SelfAsserted"},
		{"GET", "/api/CombinedSigninAndSignup/confirmed"},
		{"GET", "/oauth2/v2.0/authresp"},
		{"POST", "/oauth2/v2.0/token"},
	}
	got := e.Log()
	if len(got) != len(want) {
		for _, r := range got {
			t.Logf("%s %s", r.Method, r.Path)
		}
		t.Fatalf("%d requests, want %d", len(got), len(want))
	}
	for i, w := range want {
		if got[i].Method != w.method || !strings.HasSuffix(got[i].Path, w.suffix) {
			t.Errorf("request %d = %s %s, want %s ...%s", i, got[i].Method, got[i].Path, w.method, w.suffix)
		}
	}
}

// The exact SelfAsserted and confirmed requests docs/flameconnect.md describes.
func TestSubmissionShape(t *testing.T) {
	t.Run("page served at once", func(t *testing.T) { testSubmissionShape(t, 0) })
	// The Referer stays the authorize URL when the page is reached by redirects.
	t.Run("authorize redirects", func(t *testing.T) { testSubmissionShape(t, 2) })
}

func testSubmissionShape(t *testing.T, authorizeRedirects int) {
	e, ca := startEmulator(t)
	e.SetVariant(emulator.Variant{AuthorizeRedirects: authorizeRedirects})
	if _, err := providerFor(e, ca).Validate(context.Background(), demoInput(), nil); err != nil {
		t.Fatal(err)
	}
	reqs := e.Log()
	hops := authorizeRedirects
	page, sa, confirmed := reqs[1], reqs[2+hops], reqs[3+hops]
	base := "/" + emulator.Tenant + "/" + emulator.Policy + "/"
	if sa.Path != base+"SelfAsserted" || confirmed.Path != base+"api/"+emulator.API+"/confirmed" {
		t.Errorf("paths %q, %q: want the mixed-case policy base %q", sa.Path, confirmed.Path, base)
	}
	wantHeaders := map[string]string{
		"X-Requested-With": "XMLHttpRequest",
		"Accept":           "application/json, text/javascript, */*; q=0.01",
		"Content-Type":     "application/x-www-form-urlencoded; charset=UTF-8",
		"Origin":           e.URL(),
	}
	for k, v := range wantHeaders {
		if got := sa.Header.Get(k); got != v {
			t.Errorf("SelfAsserted %s = %q, want %q", k, got, v)
		}
	}
	authURL := "https://" + page.Host + page.Path + "?" + page.RawQuery
	for _, r := range []emulator.Recorded{sa, confirmed} {
		if ref := r.Header.Get("Referer"); ref != authURL {
			t.Errorf("%s Referer = %q, want the authorize URL %q", r.Path, ref, authURL)
		}
	}
	csrf := sa.Header.Get("X-CSRF-TOKEN")
	if !strings.ContainsAny(csrf, "+/=") {
		t.Fatalf("emulator csrf %q should hold + / =", csrf)
	}
	if !strings.HasPrefix(sa.Body, "request_type=RESPONSE&email=demo%40example.com&password=") {
		t.Errorf("SelfAsserted body starts %q", sa.Body[:40])
	}
	if !strings.HasPrefix(sa.RawQuery, "tx=StateProperties=") || !strings.HasSuffix(sa.RawQuery, "&p="+emulator.Policy) {
		t.Errorf("SelfAsserted query = %q, want tx and p literal", sa.RawQuery)
	}
	if !strings.HasPrefix(confirmed.RawQuery, "rememberMe=false&csrf_token="+csrf+"&tx=StateProperties=") {
		t.Errorf("confirmed query = %q, want the literal csrf and tx", confirmed.RawQuery)
	}
	// Cookies: verbatim (never quoted), and the ones SelfAsserted rotated
	// are what confirmed carries.
	for _, r := range []emulator.Recorded{sa, confirmed} {
		c := r.Header.Get("Cookie")
		if !strings.Contains(c, "x-ms-cpim-trans=") || strings.Contains(c, `"`) {
			t.Errorf("%s Cookie = %q", r.Path, c)
		}
	}
	if sa.Header.Get("Cookie") == confirmed.Header.Get("Cookie") {
		t.Error("confirmed did not carry the cookies SelfAsserted set")
	}
	if page.Header.Get("Cookie") != "" {
		t.Error("the first page request carried cookies")
	}
	q := page.RawQuery
	for _, p := range []string{"code_challenge=", "code_challenge_method=S256", "state=", "scope=openid+offline_access+https%3A%2F%2Fgdhvb2cflameconnect.onmicrosoft.com%2FMobile%2Fread"} {
		if !strings.Contains(q, p) {
			t.Errorf("authorize query lacks %s", p)
		}
	}
}

// BenchmarkSignIn is one full Validate against the emulator: six requests
// over a fresh TLS connection.
func BenchmarkSignIn(b *testing.B) {
	e, ca := startEmulator(b)
	p := New(options(e.Authority(), ca, time.Minute))
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Validate(ctx, demoInput(), nil); err != nil {
			b.Fatal(err)
		}
	}
}
