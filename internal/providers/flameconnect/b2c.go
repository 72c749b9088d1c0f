package flameconnect

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

// maxHops bounds every redirect walk, as the public client does: at most
// 20 redirects are followed (20 succeed, a 21st fails). A redirect to the
// app's redirect URI is the result, not a redirect followed.
const maxHops = 20

// userAgent names the tool honestly; B2C does not require a browser's.
const userAgent = "setupwizard (FlameConnect sign-in)"

// b2cSession submits the credentials to the B2C sign-in page over plain
// HTTP requests, as the public FlameConnect client does: page, SelfAsserted,
// confirmed, then the redirect walk up to the app's redirect URI.
type b2cSession struct {
	client  *http.Client
	auth    authority
	cookies *cookieStore
}

// signInPage is the B2C page as served, where it was served from (after
// any redirects), and the authorize URL that was asked for: the protocol
// facts make the latter the Referer of the API requests.
type signInPage struct {
	authURL *url.URL
	url     *url.URL
	body    []byte
}

// do sends one request with the session's cookies, merges the answer's
// Set-Cookie and reads the body (capped). Nothing is sent off the authority.
func (s *b2cSession) do(ctx context.Context, step string, req *http.Request) (*http.Response, []byte, error) {
	if !s.auth.allows(req.URL) {
		return nil, nil, foreignHost(step, req.URL)
	}
	req.Header.Set("User-Agent", userAgent)
	s.cookies.apply(req)
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, nil, transportError(ctx, step, err)
	}
	defer resp.Body.Close()
	s.cookies.merge(req.URL, resp, time.Now())
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, nil, transportError(ctx, step, err)
	}
	return resp, body, nil
}

func (s *b2cSession) get(ctx context.Context, step string, u *url.URL, referer string) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, nil, provider.Fail(provider.KeyUnknown, "%s: build request: %v", step, err)
	}
	req.Header.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
	if referer != "" {
		req.Header.Set("Referer", referer)
	}
	return s.do(ctx, step, req)
}

// openPage GETs the authorize URL and follows redirects by hand (each hop
// checked against the authority) to the sign-in page.
func (s *b2cSession) openPage(ctx context.Context, authURL *url.URL, state string) (signInPage, error) {
	const step = "sign-in page"
	cur := authURL
	for followed := 0; ; followed++ {
		resp, body, err := s.get(ctx, step, cur, "")
		if err != nil {
			return signInPage{}, err
		}
		switch code := resp.StatusCode; {
		case code == http.StatusOK:
			return signInPage{authURL: authURL, url: cur, body: body}, nil
		case isRedirect(code):
			loc := resp.Header.Get("Location")
			if isAppRedirect(loc) {
				// B2C bounced the authorize request straight back (bad client
				// id, redirect URI, policy...): report its error code.
				if _, err := codeFromRedirect(loc, state); err != nil {
					return signInPage{}, &provider.Error{Key: provider.KeyUnknown, Err: fmt.Errorf("%s: %w", step, err)}
				}
				return signInPage{}, provider.Fail(provider.KeyUnknown, "%s: answered with a code before any sign-in", step)
			}
			next, err := s.nextHop(step, cur, loc, followed)
			if err != nil {
				return signInPage{}, err
			}
			cur = next
		default:
			return signInPage{}, statusError(step, code)
		}
	}
}

// submit posts the credentials to SelfAsserted: the only request that
// ever carries the password.
func (s *b2cSession) submit(ctx context.Context, pg signInPage, st pageSettings, email, password string) error {
	const step = "SelfAsserted"
	base, policy := apiBase(st, s.auth)
	origin := pg.url.Scheme + "://" + pg.url.Host
	// tx and p go in literally: B2C reads the '=' of transId unescaped.
	target, err := url.Parse(origin + base + "SelfAsserted?tx=" + st.TransID + "&p=" + policy)
	if err != nil {
		return provider.Fail(provider.KeyUnknown, "%s: build URL: bad transId or policy", step)
	}
	if !s.auth.allows(target) {
		return foreignHost(step, target)
	}
	form := "request_type=RESPONSE&" + st.LoginField + "=" + url.QueryEscape(email) + "&password=" + url.QueryEscape(password)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target.String(), strings.NewReader(form))
	if err != nil {
		return provider.Fail(provider.KeyUnknown, "%s: build request: %v", step, err)
	}
	h := req.Header
	h.Set("X-CSRF-TOKEN", st.CSRF)
	h.Set("X-Requested-With", "XMLHttpRequest")
	h.Set("Referer", pg.authURL.String())
	h.Set("Origin", origin)
	h.Set("Accept", "application/json, text/javascript, */*; q=0.01")
	h.Set("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
	if st.PageViewIDHeader {
		h.Set("x-ms-cpim-pageviewid", st.PageViewID)
	}
	resp, body, err := s.do(ctx, step, req)
	if err != nil {
		return err
	}
	switch code := resp.StatusCode; {
	case code == http.StatusOK:
	case code == http.StatusForbidden, code == http.StatusTooManyRequests:
		return provider.Fail(KeyBlocked, "%s: HTTP %d (bot protection)", step, code)
	case code == http.StatusBadRequest:
		return provider.Fail(KeySessionExpired, "%s: HTTP 400 (sign-in transaction expired or rejected)", step)
	default:
		return statusError(step, code)
	}
	ans, err := parseSelfAsserted(body)
	switch {
	case errors.Is(err, errNotJSON):
		// The facts: a page instead of JSON means B2C rejected the
		// transaction or the CSRF token; starting over is the fix.
		return &provider.Error{Key: KeySessionExpired, Err: fmt.Errorf("%s: %w", step, err)}
	case err != nil:
		// JSON of a shape B2C does not send: the service changed.
		return &provider.Error{Key: provider.KeyServiceChanged, Err: fmt.Errorf("%s: %w", step, err)}
	}
	switch ans.Outcome {
	case saAccepted:
		return nil
	case saRejected:
		return provider.Fail(provider.KeyInvalidAuth, "%s: status 400 %s", step, ans.codeText())
	case saRefused:
		return provider.Fail(provider.KeyUnknown, "%s: status 400 %s (not a wrong-credentials code)", step, ans.codeText())
	default:
		return provider.Fail(provider.KeyServiceChanged, "%s: unexpected status %s %s", step, ans.Status, ans.codeText())
	}
}

// confirm GETs confirmed and walks the redirects to the app's redirect
// URI, returning the authorization code after checking state.
func (s *b2cSession) confirm(ctx context.Context, pg signInPage, st pageSettings, state string) (string, error) {
	const step = "confirmed"
	base, policy := apiBase(st, s.auth)
	origin := pg.url.Scheme + "://" + pg.url.Host
	// csrf and tx go in literally, as B2C expects them.
	cur, err := url.Parse(origin + base + "api/" + st.API + "/confirmed?rememberMe=false&csrf_token=" +
		st.CSRF + "&tx=" + st.TransID + "&p=" + policy)
	if err != nil {
		return "", provider.Fail(provider.KeyUnknown, "%s: build URL: bad csrf, transId or policy", step)
	}
	for followed := 0; ; followed++ {
		resp, body, err := s.get(ctx, step, cur, pg.authURL.String())
		if err != nil {
			return "", err
		}
		switch code := resp.StatusCode; {
		case isRedirect(code):
			loc := resp.Header.Get("Location")
			if isAppRedirect(loc) {
				return s.code(step, loc, state)
			}
			next, err := s.nextHop(step, cur, loc, followed)
			if err != nil {
				return "", err
			}
			cur = next
		case code == http.StatusOK:
			if loc, ok := appRedirectInPage(body); ok {
				return s.code(step, loc, state)
			}
			return "", provider.Fail(KeyActionRequired, "%s: B2C wants another step (MFA, consent or a new password)", step)
		default:
			return "", statusError(step, code)
		}
	}
}

// withCookieNote adds the names of cookies dropped for an unsendable value
// to a failed step's cause: a likely reason why B2C refused the request.
func (s *b2cSession) withCookieNote(err error) error {
	note := s.cookies.refusedNote()
	var pe *provider.Error
	if note == "" || !errors.As(err, &pe) {
		return err
	}
	return &provider.Error{Key: pe.Key, Err: fmt.Errorf("%w (%s)", pe.Err, note)}
}

func (s *b2cSession) code(step, loc, state string) (string, error) {
	code, err := codeFromRedirect(loc, state)
	if err != nil {
		return "", &provider.Error{Key: provider.KeyUnknown, Err: fmt.Errorf("%s: %w", step, err)}
	}
	return code, nil
}

// nextHop resolves a Location against the current URL and refuses hops off
// the authority, or a redirect beyond the maxHops already followed.
func (s *b2cSession) nextHop(step string, cur *url.URL, loc string, followed int) (*url.URL, error) {
	if loc == "" {
		return nil, provider.Fail(provider.KeyUnknown, "%s: redirect without a Location", step)
	}
	if followed >= maxHops {
		return nil, provider.Fail(provider.KeyUnknown, "%s: more than %d redirects", step, maxHops)
	}
	next, err := cur.Parse(loc)
	if err != nil {
		return nil, provider.Fail(provider.KeyUnknown, "%s: unreadable redirect Location", step)
	}
	if !s.auth.allows(next) {
		return nil, foreignHost(step, next)
	}
	return next, nil
}

func isRedirect(code int) bool {
	switch code {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}

// statusError maps an unexpected HTTP status: 5xx is the service being
// down (cannot_connect), anything else is unexplained (unknown).
func statusError(step string, code int) error {
	if code >= 500 {
		return provider.Fail(provider.KeyCannotConnect, "%s: HTTP %d", step, code)
	}
	return provider.Fail(provider.KeyUnknown, "%s: unexpected HTTP %d", step, code)
}

// foreignHost refuses a URL off the authority, naming only scheme and host.
func foreignHost(step string, u *url.URL) error {
	return &provider.Error{Key: provider.KeyUnknown, Err: fmt.Errorf("%s: %w: %s://%s", step, errForeignHost, u.Scheme, u.Host)}
}

// transportError maps a failed exchange: the guard's refusals and oversized
// bodies are unknown; everything else on the wire goes through NetError.
func transportError(ctx context.Context, step string, err error) error {
	switch {
	case errors.Is(err, errForeignHost), errors.Is(err, errBodyTooLarge):
		return &provider.Error{Key: provider.KeyUnknown, Err: fmt.Errorf("%s: %w", step, unwrapURL(err))}
	}
	return provider.NetError(ctx, step, err)
}

// unwrapURL drops a *url.Error's URL (queries hold csrf, tx and codes).
func unwrapURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
