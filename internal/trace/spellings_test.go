package trace

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html"
	"io"
	"math/rand"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"testing/quick"
	"unicode"
	"unicode/utf16"

	"golang.org/x/text/encoding/charmap"
)

// login is the account a password belongs to; a Basic Authorization value
// is base64 of login:password (see tracedProvider in internal/cli).
const propLogin = "jan.kowalski@example.com"

// spelling is one way a server may echo a password, written here
// independently of spellings.go: this list is the contract
// docs/http-safety.md states. ok is false when the encoder does not apply
// to the password (Latin-1 for a password outside Latin-1).
type spelling struct {
	name string
	enc  func(pw string) (string, bool)
}

func always(f func(string) string) func(string) (string, bool) {
	return func(s string) (string, bool) { return f(s), true }
}

func b64(e *base64.Encoding) func(string) (string, bool) {
	return always(func(s string) string { return e.EncodeToString([]byte(s)) })
}

func entities(format string) func(string) (string, bool) {
	return always(func(s string) string {
		var b strings.Builder
		for _, r := range s {
			fmt.Fprintf(&b, format, r)
		}
		return b.String()
	})
}

var spellings = []spelling{
	{"raw", always(func(s string) string { return s })},
	{"base64 standard", b64(base64.StdEncoding)},
	{"base64 standard raw", b64(base64.RawStdEncoding)},
	{"base64url", b64(base64.URLEncoding)},
	{"base64url raw", b64(base64.RawURLEncoding)},
	{"base64 in a query", always(func(s string) string { return url.QueryEscape(base64.StdEncoding.EncodeToString([]byte(s))) })},
	{"Basic login:password", always(func(s string) string { return base64.StdEncoding.EncodeToString([]byte(propLogin + ":" + s)) })},
	{"URL-encoded", always(url.QueryEscape)},
	{"URL-encoded twice", always(func(s string) string { return url.QueryEscape(url.QueryEscape(s)) })},
	{"path-escaped twice", always(func(s string) string { return url.PathEscape(url.PathEscape(s)) })},
	{"HTML named (Go)", always(html.EscapeString)},
	{"HTML named (&quot; &apos;)", always(strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;").Replace)},
	{"HTML decimal", entities("&#%d;")},
	{"HTML hex", entities("&#x%x;")},
	{"HTML hex upper", entities("&#x%X;")},
	{"JSON all \\u-escaped", always(func(s string) string {
		var b strings.Builder
		for _, u := range utf16.Encode([]rune(s)) {
			fmt.Fprintf(&b, `\u%04x`, u)
		}
		return b.String()
	})},
	{"Latin-1 percent-encoded", func(s string) (string, bool) {
		b, err := charmap.ISO8859_1.NewEncoder().String(s)
		if err != nil {
			return "", false
		}
		return url.QueryEscape(b), true
	}},
}

// contentTypes are the bodies the trace treats differently: form fields,
// JSON re-written token by token, and text of every other kind.
var contentTypes = []struct {
	ct   string
	wrap func(spelled string) string
}{
	{"application/x-www-form-urlencoded", func(v string) string { return "user=jan&note=" + v + "&x=1" }},
	{"application/json", func(v string) string { return `{"error":"bad","message":"you typed ` + v + `","n":[1,"` + v + `"]}` }},
	{"text/html; charset=utf-8", func(v string) string { return "<html><p title=\"" + v + "\">" + v + "</p></html>" }},
	{"text/plain", func(v string) string { return "echo " + v + "\n" }},
	{"application/javascript", func(v string) string { return `var SETTINGS = {"x":"` + v + `"};` }},
	{"", func(v string) string { return v }},
}

// pwPools are the characters random passwords are made of: ASCII, Latin-1
// letters, Polish letters, and characters beyond Latin-1 and the BMP.
var pwPools = [][]rune{
	[]rune(" !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~"),
	[]rune("¡£§©«°±µ¶·»¿ÀÁÂÄÇÈÉÊÍÎÓÔÖ×ØÜßàáâäçèéêíîñóôö÷øüÿ"),
	[]rune("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ"),
	[]rune("жёЮ€™中文😀🔑"),
}

// randomPassword is a printable password for testing/quick.
type randomPassword string

// Generate implements quick.Generator: ASCII only, Latin-1 (so its
// Latin-1 spelling exists), or anything, one third each.
func (randomPassword) Generate(r *rand.Rand, size int) reflect.Value {
	n := 1 + r.Intn(24)
	pools := pwPools[:1+r.Intn(len(pwPools))]
	var b strings.Builder
	for range n {
		p := pools[r.Intn(len(pools))]
		b.WriteRune(p[r.Intn(len(p))])
	}
	return reflect.ValueOf(randomPassword(b.String()))
}

// echoRT answers every request by echoing the spelled password in its
// headers and body, as a hostile or careless server would.
type echoRT struct{ spelled, ct string }

func (e echoRT) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		_ = req.Body.Close()
	}
	h := http.Header{}
	h.Set("Content-Type", e.ct)
	h.Set("X-Debug-Echo", e.spelled)
	h.Set("Location", "https://svc.example/cb?msg="+e.spelled)
	h.Add("Set-Cookie", "note="+e.spelled+"; Path=/")
	h.Set("WWW-Authenticate", `Basic realm="x", error="`+e.spelled+`"`)
	body := contentTypeWrap(e.ct)(e.spelled)
	return &http.Response{StatusCode: 400, Status: "400 " + e.spelled, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: h, Body: io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body)), Request: req}, nil
}

func contentTypeWrap(ct string) func(string) string {
	for _, c := range contentTypes {
		if c.ct == ct {
			return c.wrap
		}
	}
	panic(ct)
}

// traceOf runs one exchange carrying spelled in the URL (when it can sit
// in one), request headers and body and the whole response, with pw
// registered as the CLI registers a typed password, and returns the
// records written.
func traceOf(t testing.TB, pw, spelled, ct string) (out string, inURL bool) {
	var buf bytes.Buffer
	tr := New(&buf)
	tr.Secret(pw)
	tr.Secret(propLogin + ":" + pw)
	defer tr.Forget(pw)
	defer tr.Forget(propLogin + ":" + pw)
	buf.Reset() // the header line was written before anything was registered
	return exchange(t, tr, &buf, spelled, ct)
}

// exchange is traceOf on a tracer with the secrets registered already.
func exchange(t testing.TB, tr *Tracer, buf *bytes.Buffer, spelled, ct string) (out string, inURL bool) {
	buf.Reset()
	target := "https://svc.example/echo"
	if u, err := url.Parse("https://svc.example/p/" + spelled + "?msg=" + spelled + "#" + spelled); err == nil && strings.Count(u.String(), spelled) >= 2 {
		target, inURL = u.String(), true
	}
	body := contentTypeWrap(ct)(spelled)
	req, err := http.NewRequest(http.MethodPost, target, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", ct)
	req.Header.Set("X-Echo", spelled)
	req.Header.Set("Referer", "https://svc.example/?p="+spelled)
	resp, err := (&http.Client{Transport: tr.Wrap(echoRT{spelled: spelled, ct: ct})}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	tr.Note("validation failed: %s", spelled)
	if tr.Err() != nil {
		t.Fatal(tr.Err())
	}
	return buf.String(), inURL
}

// checkSpellings is the property: for every spelling of pw that applies
// and every content type of cts, the trace holds neither the spelling nor
// pw.
func checkSpellings(t testing.TB, pw string, cts func(spelling int) []int) (inURL int) {
	list := spellings
	var buf bytes.Buffer
	tr := New(&buf)
	tr.Secret(pw)
	tr.Secret(propLogin + ":" + pw)
	for i, sp := range list {
		spelled, ok := sp.enc(pw)
		if !ok {
			continue
		}
		for _, ci := range cts(i) {
			c := contentTypes[ci]
			out, u := exchange(t, tr, &buf, spelled, c.ct)
			if u {
				inURL++
			}
			for _, bad := range []string{spelled, pw} {
				if strings.Contains(out, bad) {
					t.Fatalf("password %q, %s, %q body: the trace holds %q:\n%s", pw, sp.name, c.ct, bad, out)
				}
			}
		}
	}
	return inURL
}

// TestTraceNeverHoldsASpelling is the property test of docs/http-safety.md
// ("What the trace removes"): random passwords (fixed seed, so a failure
// repeats), every listed spelling, in URLs, headers and bodies of every
// content type.
func TestTraceNeverHoldsASpelling(t *testing.T) {
	inURL := 0
	cfg := &quick.Config{MaxCount: 60, Rand: rand.New(rand.NewSource(17))}
	if testing.Short() || raceOn {
		cfg.MaxCount = 12
	}
	// Each password meets every spelling in one content type, turning
	// round, so every pair of spelling and content type is met ten
	// times (twice in -short or under -race, where the plain run's
	// draw takes most of a minute on two cores).
	n := 0
	err := quick.Check(func(pw randomPassword) bool {
		n++
		inURL += checkSpellings(t, string(pw), func(sp int) []int { return []int{(n + sp) % len(contentTypes)} })
		return !t.Failed()
	}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	// The URL placement must really have been exercised (base64url and
	// the URL encodings always fit in a URL).
	if inURL < cfg.MaxCount*4 {
		t.Errorf("only %d exchanges carried the spelling in the URL", inURL)
	}
}

// Fixed cases a reader can check by eye.
func TestTraceSpellingExamples(t *testing.T) {
	// Six passwords, six content types: turning round, every spelling
	// meets every content type once.
	for k, pw := range []string{"hunter2", `p@ss w0rd&code=+/"<é>`, "zażółć gęślą", "Grüße!", "ключ🔑", "a"} {
		checkSpellings(t, pw, func(sp int) []int { return []int{(k + sp) % len(contentTypes)} })
	}
}

// FuzzTraceSpellings is the same property for the fuzzer: any password
// (printable: the trace escapes control characters, which would hide a
// spelling rather than remove it), any spelling, any content type.
func FuzzTraceSpellings(f *testing.F) {
	f.Add("hunter2", uint8(1), uint8(0))
	f.Add("zażółć", uint8(16), uint8(2))
	f.Add(`<"&'>`, uint8(12), uint8(1))
	f.Fuzz(func(t *testing.T, pw string, which, ct uint8) {
		if pw == "" || strings.IndexFunc(pw, func(r rune) bool { return !unicode.IsPrint(r) && r != ' ' }) >= 0 || !utf8Valid(pw) {
			return
		}
		sp := spellings[int(which)%len(spellings)]
		spelled, ok := sp.enc(pw)
		if !ok {
			return
		}
		c := contentTypes[int(ct)%len(contentTypes)]
		out, _ := traceOf(t, pw, spelled, c.ct)
		for _, bad := range []string{spelled, pw} {
			if strings.Contains(out, bad) {
				t.Fatalf("password %q, %s, %q body: the trace holds %q:\n%s", pw, sp.name, c.ct, bad, out)
			}
		}
	})
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }
