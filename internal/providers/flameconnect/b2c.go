package flameconnect

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

// b2cSession submits the credentials to the B2C sign-in page over plain
// HTTP requests, as the public FlameConnect client does: page, SelfAsserted,
// confirmed, then the redirect walk up to the app's redirect URI. Every
// request goes through the shared guarded session (docs/http-safety.md).
type b2cSession struct {
	http    *provider.Session
	auth    authority
	cookies *cookieStore
}

// signInPage is the B2C page as served, where it was served from (after
// any redirects), and the authorize URL that was asked for, which is the
// Referer of the API requests (docs/flameconnect.md).
type signInPage struct {
	authURL *url.URL
	url     *url.URL
	body    []byte
}

const acceptPage = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

// openPage GETs the authorize URL and follows redirects by hand (each hop
// checked by the session) to the sign-in page.
func (s *b2cSession) openPage(ctx context.Context, authURL *url.URL, state string) (signInPage, error) {
	const step = "sign-in page"
	a, err := s.http.Walk(ctx, provider.Walk{
		Step:   step,
		Start:  authURL,
		Header: http.Header{"Accept": {acceptPage}},
		Stop: func(a *provider.Answer) (bool, error) {
			loc := a.Header.Get("Location")
			if !a.IsRedirect() || !isAppRedirect(loc) {
				return false, nil
			}
			// B2C bounced the authorize request straight back (bad client
			// id, redirect URI, policy, or one of the errors a person can
			// act on): report its error code.
			if _, err := codeFromRedirect(loc, state); err != nil {
				return false, &provider.Error{Key: redirectErrorKey(err), Err: fmt.Errorf("%s: %w", step, err)}
			}
			return false, provider.Fail(provider.KeyUnknown, "%s: answered with a code before any sign-in", step)
		},
	})
	if err != nil {
		return signInPage{}, err
	}
	if a.Status != http.StatusOK {
		return signInPage{}, statusError(step, a.Status)
	}
	return signInPage{authURL: authURL, url: a.URL, body: a.Body}, nil
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
	form := "request_type=RESPONSE&" + st.LoginField + "=" + url.QueryEscape(email) + "&password=" + url.QueryEscape(password)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target.String(), strings.NewReader(form))
	if err != nil {
		return provider.Fail(provider.KeyUnknown, "%s: build request: %w", step, err)
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
	a, err := s.http.Do(ctx, step, req)
	if err != nil {
		return err
	}
	err = submitVerdict(step, a)
	var pe *provider.Error
	if st.Captcha && errors.As(err, &pe) && captchaExplains(pe.Key) {
		// The page shows a CAPTCHA, which a scripted sign-in cannot
		// answer: a refusal that blames neither the password, nor the
		// service's health, nor an expired transaction is that CAPTCHA.
		return &provider.Error{Key: KeyCaptchaNeeded, Err: fmt.Errorf("%w (the page shows a CAPTCHA)", pe.Err)}
	}
	return err
}

// captchaExplains reports whether a SelfAsserted refusal with key may be
// put down to a CAPTCHA on the page: an unexplained refusal, bot
// protection, or an answer of an unknown shape. Wrong credentials, a
// service in trouble and an expired transaction keep their own keys.
func captchaExplains(key string) bool {
	switch key {
	case provider.KeyUnknown, KeyBlocked, provider.KeyServiceChanged:
		return true
	}
	return false
}

// submitVerdict judges SelfAsserted's answer: nil when the credentials
// were accepted.
func submitVerdict(step string, a *provider.Answer) error {
	switch code := a.Status; {
	case code == http.StatusOK:
	case code == http.StatusForbidden, code == http.StatusTooManyRequests:
		return provider.Fail(KeyBlocked, "%s: HTTP %d (bot protection)", step, code)
	case code == http.StatusBadRequest:
		return provider.Fail(KeySessionExpired, "%s: HTTP 400 (sign-in transaction expired or rejected)", step)
	default:
		return statusError(step, code)
	}
	ans, err := parseSelfAsserted(a.Body)
	switch {
	case errors.Is(err, errNotJSON):
		// A page instead of JSON means B2C rejected the transaction or the
		// CSRF token; starting over is the fix.
		return &provider.Error{Key: KeySessionExpired, Err: fmt.Errorf("%s: %w", step, err)}
	case err != nil:
		// JSON of a shape B2C does not send: the service changed.
		return &provider.Error{Key: provider.KeyServiceChanged, Err: fmt.Errorf("%s: %w", step, err)}
	}
	switch ans.Outcome {
	case saAccepted:
		return nil
	case saRefused:
		key := ans.key()
		if key == provider.KeyUnknown {
			return provider.Fail(key, "%s: status 400 %s (a code setupwizard does not know)", step, ans.codeText())
		}
		return provider.Fail(key, "%s: status 400 %s", step, ans.codeText())
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
	start, err := url.Parse(origin + base + "api/" + st.API + "/confirmed?rememberMe=false&csrf_token=" +
		st.CSRF + "&tx=" + st.TransID + "&p=" + policy)
	if err != nil {
		return "", provider.Fail(provider.KeyUnknown, "%s: build URL: bad csrf, transId or policy", step)
	}
	var loc string
	a, err := s.http.Walk(ctx, provider.Walk{
		Step:   step,
		Start:  start,
		Header: http.Header{"Accept": {acceptPage}, "Referer": {pg.authURL.String()}},
		Stop: func(a *provider.Answer) (bool, error) {
			switch {
			case a.IsRedirect():
				if l := a.Header.Get("Location"); isAppRedirect(l) {
					loc = l
					return true, nil
				}
				return false, nil
			case a.Status == http.StatusOK:
				l, ok := appRedirectInPage(a.Body)
				if !ok {
					return false, provider.Fail(KeyActionRequired, "%s: B2C wants another step (MFA, consent or a new password)", step)
				}
				loc = l
				return true, nil
			}
			return false, statusError(step, a.Status)
		},
	})
	if err != nil {
		return "", err
	}
	if loc == "" {
		return "", statusError(step, a.Status)
	}
	return s.code(step, loc, state)
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
	switch {
	case errors.Is(err, errNoCode):
		return "", &provider.Error{Key: provider.KeyServiceChanged, Err: fmt.Errorf("%s: %w", step, err)}
	case err != nil:
		return "", &provider.Error{Key: redirectErrorKey(err), Err: fmt.Errorf("%s: %w", step, err)}
	}
	return code, nil
}

// redirectErrorKey is the key of a failed app redirect: an error B2C sent
// there is mapped by b2cErrorCodes and oauthErrorKeys; a bad state or an
// unreadable code is unknown.
func redirectErrorKey(err error) string {
	var re *redirectError
	if errors.As(err, &re) {
		return re.key()
	}
	return provider.KeyUnknown
}

// statusError maps an unexpected HTTP status: 5xx is the service being
// down (cannot_connect), anything else is unexplained (unknown).
func statusError(step string, code int) error {
	if code >= 500 {
		return provider.Fail(provider.KeyCannotConnect, "%s: HTTP %d", step, code)
	}
	return provider.Fail(provider.KeyUnknown, "%s: unexpected HTTP %d", step, code)
}
