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
// host only. A rejection's HTTP status is not known, so a rejection that
// names its cause wins over the status, even a 5xx one; only a 5xx that is
// not such a rejection means Librus is down.
func (a *attempt) login(login, password string) (string, error) {
	u := at(a.ep.api, "/OAuth/Authorization", "client_id=46")
	form := url.Values{"action": {"login"}, "login": {login}, "pass": {password}}
	r, err := a.xhrPost("login", u, u, form)
	if err != nil {
		return "", err
	}
	if r.IsRedirect() {
		if err := maintenance("login", r); err != nil {
			return "", err
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

// xhrPost posts a form as the sign-in page's script does.
func (a *attempt) xhrPost(step string, u, referer *url.URL, form url.Values) (*provider.Answer, error) {
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
	return a.s.Do(a.ctx, step, req)
}

// grant is step 3: walk goTo to its end (until an answer has no
// Location), as every working client does; the pages after the session
// cookie may be what makes the session usable. When the walk ends on the
// required-actions page instead, skip it and walk on. Success is then
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
	if requiredActionsPage(r.URL, r.Status, r.Body) {
		if r, err = a.skipRequiredActions(r); err != nil {
			return err
		}
	}
	a.landing = r
	return nil
}

// skipRequiredActions posts the skip of the required-actions page that
// was really shown (a skip posted after the code was issued spoils the
// session) and walks what comes back: JSON goTo or a redirect, or, when
// the answer names no next step, Grant, as a public client does after the
// skip. A refusal, or the page shown again, is something only a browser
// can do.
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
	if requiredActionsPage(end.URL, end.Status, end.Body) {
		return nil, provider.Fail(KeyAccountActionRequired, "%s: the page came back after the skip", step)
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
// judges the grant: a gateway that does not know the session after a
// successful login means the grant chain no longer opens one.
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
