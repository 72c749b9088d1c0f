package librus

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"unicode"

	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

const (
	// maxBody caps every answer read: a hostile or broken server cannot
	// make us buffer more than this.
	maxBody = 1 << 20
	// maxHops is how many redirects one walk follows.
	maxHops = 10
	// userAgent is a desktop browser's, as current clients send.
	userAgent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"
)

// attempt is one sign-in or check: its own jar and client, thrown away
// with everything they hold when the attempt ends.
type attempt struct {
	ctx    context.Context
	ep     endpoints
	jar    *recordingJar
	client *http.Client
}

func (p *Provider) newAttempt(ctx context.Context) (*attempt, error) {
	jar, err := newJar()
	if err != nil {
		return nil, &provider.Error{Key: provider.KeyUnknown, Err: err}
	}
	return &attempt{ctx: ctx, ep: p.ep, jar: jar, client: p.opts.Client(jar)}, nil
}

func (a *attempt) close() { a.client.CloseIdleConnections() }

// answer is a fully read, capped response.
type answer struct {
	url    *url.URL
	status int
	header http.Header
	body   []byte
}

func (r *answer) redirect() bool {
	switch r.status {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}

// send performs one request to an allowed host and reads the answer.
func (a *attempt) send(step string, req *http.Request) (*answer, error) {
	if !a.ep.allowed(req.URL) {
		return nil, provider.Fail(provider.KeyUnknown, "%s: refusing to contact %s", step, redacted(req.URL))
	}
	req.Header.Set("User-Agent", userAgent)
	resp, err := a.client.Do(req)
	if err != nil {
		return nil, provider.NetError(a.ctx, step, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return nil, provider.NetError(a.ctx, step, err)
	}
	if err := a.ctx.Err(); err != nil {
		// An answer that raced the cancellation is not acted on.
		return nil, err
	}
	if len(body) > maxBody {
		return nil, provider.Fail(provider.KeyUnknown, "%s: answer from %s larger than %d bytes", step, redacted(req.URL), maxBody)
	}
	return &answer{url: req.URL, status: resp.StatusCode, header: resp.Header, body: body}, nil
}

func (a *attempt) get(step string, u *url.URL, header map[string]string) (*answer, error) {
	req, err := http.NewRequestWithContext(a.ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, provider.Fail(provider.KeyUnknown, "%s: %v", step, err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return a.send(step, req)
}

// serviceDown maps the answers that mean "Librus is down", never "wrong
// password": 503 or any 5xx, and the maintenance redirect.
func serviceDown(step string, r *answer) error {
	if r.status == http.StatusServiceUnavailable {
		return provider.Fail(provider.KeyCannotConnect, "%s: %s is in maintenance (HTTP 503)%s",
			step, redacted(r.url), maintenanceNote(r.body))
	}
	if r.status >= 500 {
		return provider.Fail(provider.KeyCannotConnect, "%s: %s answered HTTP %d", step, redacted(r.url), r.status)
	}
	if r.redirect() && isMaintenance(r.header.Get("Location")) {
		return provider.Fail(provider.KeyCannotConnect, "%s: %s redirects to przerwa_techniczna (maintenance)", step, redacted(r.url))
	}
	return nil
}

// isMaintenance recognises the przerwa_techniczna ("technical break") page.
func isMaintenance(location string) bool {
	if location == "" {
		return false
	}
	if u, err := url.Parse(location); err == nil {
		return strings.HasSuffix(strings.TrimRight(u.Path, "/"), "przerwa_techniczna")
	}
	return strings.HasSuffix(strings.TrimRight(location, "/"), "przerwa_techniczna")
}

// walk GETs start and follows redirects by hand: at most maxHops, every hop
// checked against the allowed hosts first, no URL fetched twice (the
// authorize page must be fetched exactly once), and an OAuth error in any
// hop ends the walk. done, when not nil, is asked after each answer
// (once maintenance and OAuth errors are ruled out) whether the walk has
// arrived; the grant uses it to stop at the session cookie.
func (a *attempt) walk(step string, start *url.URL, header map[string]string, done func(*answer) bool) (*answer, error) {
	seen := map[string]bool{}
	u := start
	for hop := 0; ; hop++ {
		if err := a.checkHop(step, u, seen); err != nil {
			return nil, err
		}
		r, err := a.get(step, u, header)
		if err != nil {
			return nil, err
		}
		if err := serviceDown(step, r); err != nil {
			return nil, err
		}
		var next *url.URL
		if r.redirect() {
			loc := r.header.Get("Location")
			next, err = u.Parse(loc)
			if loc == "" || err != nil {
				return nil, provider.Fail(provider.KeyUnknown, "%s: %s redirects without a usable Location", step, redacted(u))
			}
			if err := oauthError(step, next); err != nil {
				return nil, err
			}
		}
		if next == nil || done != nil && done(r) {
			return r, nil
		}
		if hop >= maxHops {
			return nil, provider.Fail(provider.KeyUnknown, "%s: more than %d redirects", step, maxHops)
		}
		u = next
	}
}

// checkHop vets a URL before anything is sent to it.
func (a *attempt) checkHop(step string, u *url.URL, seen map[string]bool) error {
	if err := oauthError(step, u); err != nil {
		return err
	}
	if u.Scheme != "https" {
		return provider.Fail(provider.KeyUnknown, "%s: redirect to %s is not https", step, redacted(u))
	}
	if !a.ep.allowed(u) {
		return provider.Fail(provider.KeyUnknown, "%s: redirect to a host that is not Librus: %s", step, redacted(u))
	}
	if seen[u.String()] {
		return provider.Fail(provider.KeyUnknown, "%s: redirect loop at %s", step, redacted(u))
	}
	seen[u.String()] = true
	return nil
}

// oauthError ends a walk that lands on an OAuth error, such as
// portalRodzina?error=invalid_request after a spoiled session.
func oauthError(step string, u *url.URL) error {
	if e := u.Query().Get("error"); e != "" {
		return provider.Fail(provider.KeyUnknown, "%s: sign-in ended with OAuth error %q at %s", step, clip(e), redacted(u))
	}
	return nil
}

// clip bounds server-provided text quoted in causes and drops control
// characters, so a hostile answer cannot paint on the terminal.
func clip(s string) string {
	const n = 200
	if len(s) > n {
		s = strings.ToValidUTF8(s[:n], "") + "..."
	}
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}

func fmtStatus(r *answer) string { return fmt.Sprintf("HTTP %d from %s", r.status, redacted(r.url)) }
