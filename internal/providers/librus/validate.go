package librus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

const totalSteps = 5

// Validate signs in with the five steps of docs/librus.md in a fresh
// cookie jar. It returns an Account only when all five succeed; on any
// failure the jar and its cookies are dropped with the attempt.
func (p *Provider) Validate(ctx context.Context, in provider.Input, progress provider.ProgressFunc) (*provider.Account, error) {
	login := strings.TrimSpace(in[FieldUsername])
	password := in[FieldPassword]
	if strings.Contains(login, "@") {
		return nil, &provider.Error{Key: KeyEmailNotLogin, Field: FieldUsername,
			Err: errors.New("an e-mail address was typed where the Synergia login goes")}
	}
	if login == "" || password == "" {
		return nil, provider.Fail(provider.KeyInvalidAuth, "login or password is empty")
	}
	if p.err != nil {
		return nil, &provider.Error{Key: provider.KeyUnknown, Err: p.err}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	report := func(step int, key string) {
		if progress != nil {
			progress(provider.Progress{Step: step, Total: totalSteps, Key: key})
		}
	}

	a, err := p.newAttempt(ctx)
	if err != nil {
		return nil, err
	}
	defer a.close()
	a.reuseDeviceCookie(provider.PriorCache(ctx))

	report(1, ProgressInit)
	if err := a.init(); err != nil {
		return nil, err
	}
	report(2, ProgressLogin)
	goTo, err := a.login(login, password)
	if err != nil {
		return nil, err
	}
	report(3, ProgressGrant)
	if err := a.grant(goTo); err != nil {
		return nil, err
	}
	report(4, ProgressTokenInfo)
	info, err := a.tokenInfo()
	if err != nil {
		return nil, err
	}
	id, err := userIdentifier(info)
	if err != nil {
		return nil, err
	}
	report(5, ProgressUserInfo)
	user, err := a.userInfo(id)
	if err != nil {
		return nil, err
	}

	s := &Session{Version: SessionVersion, Cookies: a.jar.snapshot(), UserIdentifier: id, ObtainedAt: time.Now().UTC().Truncate(time.Second)}
	cache, err := s.Marshal()
	if err != nil {
		return nil, provider.Fail(provider.KeyUnknown, "token cache: %v", err)
	}
	title := userName(user)
	if title == "" {
		title = login
	}
	return &provider.Account{UniqueID: provider.Slugify(login), Title: title, Login: login, Identity: id, Cache: cache}, nil
}

// init is step 1: synergia's portalRodzina start, whose redirect lands on
// the API's authorize page, fetched once: a second GET spoils the session.
// A chain that ends anywhere else means the entry point changed.
func (a *attempt) init() error {
	start := at(a.ep.syn, "/loguj/portalRodzina", "v="+strconv.FormatInt(time.Now().Unix(), 10))
	r, err := a.walk("init", start, header("Referer", "https://portal.librus.pl/"), 1)
	if err != nil {
		return err
	}
	if err := blocked("init", r); err != nil {
		return err
	}
	if !r.OK() || !strings.HasSuffix(strings.TrimRight(r.URL.Path, "/"), "/OAuth/Authorization") {
		return provider.Fail(provider.KeyServiceChanged, "init: the chain from portalRodzina never reached the authorize page (it ended with %s)", r)
	}
	return nil
}

// login is step 2: the XHR form POST that carries the password, to the API
// host only, with the x-baner header the page's script adds. A rejection's
// HTTP status is not known, so a rejection that names its cause wins over
// the status, even a 5xx one; only a 5xx that is not such a rejection means
// Librus is down. A redirect to one of the API host's authorization pages
// is the same as goTo, as public clients read it (docs/librus.md).
func (a *attempt) login(login, password string) (string, error) {
	u := at(a.ep.api, "/OAuth/Authorization", "client_id=46")
	form := url.Values{"action": {"login"}, "login": {login}, "pass": {password}}
	r, err := a.xhrPost("login", u, u, form, "X-Baner", newXBaner())
	if err != nil {
		return "", err
	}
	if r.IsRedirect() {
		if err := maintenance("login", r); err != nil {
			return "", err
		}
		if next := r.Location(); next != nil && authorizationHop(a.ep.api, next) {
			return next.String(), nil
		}
		return "", provider.Fail(provider.KeyServiceChanged, "login: unexpected redirect (%s)", r)
	}
	v := readLogin(r.Status, r.Body)
	if v.named {
		// The status of a rejection is not known (docs/librus.md): the
		// service's own words name the cause, even on a 5xx or a block page.
		// Showing a wrong password as cannot_connect is the misclassification
		// to avoid.
		return "", v.err
	}
	if err := serviceDown("login", r); err != nil {
		return "", err
	}
	if v.err != nil {
		return "", v.err
	}
	return v.goTo, nil
}

// xhrPost posts a form as the sign-in page's script does; extra holds
// further header name, value pairs.
func (a *attempt) xhrPost(step string, u, referer *url.URL, form url.Values, extra ...string) (*provider.Answer, error) {
	req, err := http.NewRequestWithContext(a.ctx, http.MethodPost, u.String(), strings.NewReader(form.Encode()))
	if err != nil {
		return nil, provider.Fail(provider.KeyUnknown, "%s: %v", step, err)
	}
	origin := (&url.URL{Scheme: u.Scheme, Host: u.Host}).String()
	req.Header.Set("Accept", "application/json, */*")
	req.Header.Set("Origin", origin)
	req.Header.Set("Referer", referer.String())
	req.Header.Set("X-Requested-With", "XMLHttpRequest")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(extra); i += 2 {
		req.Header.Set(extra[i], extra[i+1])
	}
	return a.s.Do(a.ctx, step, req)
}

// grant is step 3: walk goTo to its end (until an answer has no
// Location), as every working client does; the pages after the session
// cookie may be what makes the session usable. When the walk ends on a
// required-actions page instead, at whichever authorization hop, skip it
// and walk on, as often as pages come (up to maxSkips); one that comes
// back at the URL just skipped cannot be skipped. Success is then
// TokenInfo's to judge; grant only remembers where the walk ended.
func (a *attempt) grant(goTo string) error {
	start, err := a.ep.resolveGoTo(goTo)
	if err != nil {
		return provider.Fail(provider.KeyServiceChanged, "grant: goTo is not a URL")
	}
	r, err := a.walkWith(provider.Walk{Step: "grant", Start: start, KeepServerErrors: true})
	if err != nil {
		return err
	}
	if !a.onSynergia(r.URL) {
		// A synergia page after the grant may be broken while the session
		// works (TokenInfo judges); an API host error or block page ends
		// the sign-in.
		if err := r.ServerError("grant"); err != nil {
			return err
		}
		if err := blocked("grant", r); err != nil {
			return err
		}
	}
	skipped := map[string]bool{}
	for requiredActionsPage(a.ep.api, r.URL, r.Status, r.Body) {
		key := r.URL.String()
		switch {
		case skipped[key]:
			return provider.Fail(KeyAccountActionRequired, "required actions: the page at %s came back after the skip", provider.Redacted(r.URL))
		case len(skipped) == maxSkips:
			return provider.Fail(KeyAccountActionRequired, "required actions: still asked after %d skips", maxSkips)
		}
		skipped[key] = true
		if r, err = a.skipRequiredActions(r); err != nil {
			return err
		}
	}
	a.landing = r
	return nil
}

// maxSkips caps the required-actions pages one sign-in skips: each is
// posted once, at its own hop; more than a few means a loop.
const maxSkips = 3

// skipRequiredActions posts the skip of the required-actions page that
// was really shown, to that hop's own URL (a skip posted after the code
// was issued spoils the session), and walks what comes back: JSON goTo or
// a redirect, or, when the answer names no next step, Grant, as a public
// client does after the skip. A refusal, or the page served again as the
// answer, is something only a browser can do; where the walk ends is the
// caller's to judge.
func (a *attempt) skipRequiredActions(page *provider.Answer) (*provider.Answer, error) {
	const step = "required actions"
	form := url.Values{"action": {"requiredActions"}, "skip": {"true"}}
	r, err := a.xhrPost(step, page.URL, page.URL, form)
	if err != nil {
		return nil, err
	}
	if err := serviceDown(step, r); err != nil {
		return nil, err
	}
	var next *url.URL
	guessed := false
	switch {
	case r.IsRedirect():
		if next = r.Location(); next == nil {
			return nil, provider.Fail(provider.KeyServiceChanged, "%s: redirect without a usable Location", step)
		}
	default:
		goTo, err := parseSkip(r.Status, r.Body)
		if err != nil {
			return nil, err
		}
		if goTo == "" {
			next, guessed = at(a.ep.api, "/OAuth/Authorization/Grant", "client_id=46"), true
		} else if next, err = a.ep.resolveGoTo(goTo); err != nil {
			return nil, provider.Fail(provider.KeyServiceChanged, "%s: goTo is not a URL", step)
		}
	}
	end, err := a.walk(step, next, nil, 0)
	if err != nil {
		if guessed && errors.Is(err, errOAuth) {
			// Grant was our guess, the answer named no next step: the
			// service no longer works the way clients know.
			return nil, provider.Fail(provider.KeyServiceChanged, "%s: the skip named no next step and Grant refused it: %v", step, err)
		}
		return nil, err
	}
	return end, nil
}

// onSynergia reports whether u is on the configured synergia host.
func (a *attempt) onSynergia(u *url.URL) bool {
	n, p := provider.HostKey(u)
	sn, sp := provider.HostKey(a.ep.syn)
	return n == sn && p == sp
}

func success(status int) bool { return status >= 200 && status <= 299 }

// gatewayGet is one synergia gateway call of steps 4 and 5, cleared of
// maintenance (cannot_connect, never invalid_auth) and redirects.
func (a *attempt) gatewayGet(step string, u *url.URL) (*provider.Answer, error) {
	r, err := a.get(step, u, header("Accept", "application/json"))
	if err != nil {
		return nil, err
	}
	if err := serviceDown(step, r); err != nil {
		return nil, err
	}
	if r.IsRedirect() {
		return nil, provider.Fail(provider.KeyServiceChanged, "%s: unexpected redirect (%s)", step, r)
	}
	return r, nil
}

// tokenInfo is step 4: a 2xx JSON object, which must name the account. It
// judges the grant: a gateway that answers 401 "Request is denied" with no
// Code is an account linked to Konto LIBRUS (account_linked); one that
// otherwise does not know the session after a successful login means the
// grant chain no longer opens one (service_changed).
func (a *attempt) tokenInfo() (map[string]json.RawMessage, error) {
	r, err := a.gatewayGet("token info", at(a.ep.syn, "/gateway/api/2.0/Auth/TokenInfo", ""))
	if err != nil {
		return nil, err
	}
	fields, err := parseGateway(r.Status, r.Body)
	var ge *gatewayError
	switch {
	case err == nil:
		return fields, nil
	case errors.As(err, &ge) && ge.linkedAccount():
		// The password was accepted and the whole grant walked, yet the
		// gateway refuses: what accounts linked to Konto LIBRUS meet
		// since September 2026 (docs/librus.md). Only the person can act.
		return nil, provider.Fail(KeyAccountLinked, "token info: the gateway refuses the session right after the grant (%v; the grant ended with %s)", ge, a.landingText())
	case errors.As(err, &ge) && ge.expired():
		return nil, provider.Fail(provider.KeyServiceChanged, "token info: no synergia session after the grant (%v; the grant ended with %s)", ge, a.landingText())
	case !errors.As(err, &ge):
		return nil, provider.Fail(provider.KeyServiceChanged, "token info: %v", err)
	}
	return nil, provider.Fail(provider.KeyUnknown, "token info: %v", err)
}

func (a *attempt) landingText() string {
	if a.landing == nil {
		return "nothing"
	}
	return fmt.Sprint(a.landing)
}

// userInfo is step 5. Its answer only adds a name to the title, and
// TokenInfo already proved the session, so any 2xx JSON is enough and an
// account whose scopes exclude UserInfo still signs in (fields nil); a
// 2xx that is not JSON is a changed gateway (service_changed).
func (a *attempt) userInfo(id string) (map[string]json.RawMessage, error) {
	r, err := a.gatewayGet("user info", atSegment(a.ep.syn, "/gateway/api/2.0/Auth/UserInfo/", id))
	if err != nil {
		return nil, err
	}
	fields, err := parseGateway(r.Status, r.Body)
	var ge *gatewayError
	switch {
	case err == nil:
		return fields, nil
	case errors.As(err, &ge) && ge.insufficientScopes():
		return nil, nil
	case !errors.As(err, &ge) && success(r.Status) && json.Valid(r.Body):
		return nil, nil
	case !errors.As(err, &ge):
		// A 2xx that is not JSON at all: the gateway changed.
		return nil, provider.Fail(provider.KeyServiceChanged, "user info: %v", err)
	}
	return nil, provider.Fail(provider.KeyUnknown, "user info: %v", err)
}
