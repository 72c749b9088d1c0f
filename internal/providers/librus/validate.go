package librus

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

const totalSteps = 5

// Validate signs in with the five steps of the protocol facts in a fresh
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
	return &provider.Account{UniqueID: provider.Slugify(login), Title: title, Login: login, Cache: cache}, nil
}

// init is step 1: synergia's portalRodzina start, whose redirect lands on
// the API's authorize page (fetched once: a second GET spoils the session).
func (a *attempt) init() error {
	start := at(a.ep.syn, "/loguj/portalRodzina", "v="+strconv.FormatInt(time.Now().Unix(), 10))
	r, err := a.walk("init", start, map[string]string{"Referer": "https://portal.librus.pl/"}, nil)
	if err != nil {
		return err
	}
	if !success(r.status) || !strings.Contains(r.url.Path, "/OAuth/Authorization") {
		return provider.Fail(provider.KeyUnknown, "init: the sign-in page was not reached (%s)", fmtStatus(r))
	}
	return nil
}

func success(status int) bool { return status >= 200 && status <= 299 }

// login is step 2: the XHR form POST that carries the password, to the API
// host only. The facts do not know a rejection's HTTP status, so a
// rejection that names its cause wins over the status, even a 5xx one;
// only a 5xx that is not such a rejection means Librus is down.
func (a *attempt) login(login, password string) (string, error) {
	u := at(a.ep.api, "/OAuth/Authorization", "client_id=46")
	form := url.Values{"action": {"login"}, "login": {login}, "pass": {password}}
	req, err := http.NewRequestWithContext(a.ctx, http.MethodPost, u.String(), strings.NewReader(form.Encode()))
	if err != nil {
		return "", provider.Fail(provider.KeyUnknown, "login: %v", err)
	}
	origin := (&url.URL{Scheme: a.ep.api.Scheme, Host: a.ep.api.Host}).String()
	req.Header.Set("Accept", "application/json, */*")
	req.Header.Set("Origin", origin)
	req.Header.Set("Referer", u.String())
	req.Header.Set("X-Requested-With", "XMLHttpRequest")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r, err := a.send("login", req)
	if err != nil {
		return "", err
	}
	if r.status >= 500 {
		if v := readLogin(r.status, r.body); v.named {
			return "", v.err
		}
	}
	if err := serviceDown("login", r); err != nil {
		return "", err
	}
	if r.redirect() {
		return "", provider.Fail(provider.KeyUnknown, "login: unexpected redirect (%s)", fmtStatus(r))
	}
	return parseLogin(r.status, r.body)
}

// grant is step 3: walk goTo until synergia has set a session. The facts
// define success only by the oauth_token cookie, so the walk stops as soon
// as the jar would send a new one to synergia; the pages after it are not
// fetched, whatever they would answer.
func (a *attempt) grant(goTo string) error {
	start, err := a.ep.resolveGoTo(goTo)
	if err != nil {
		return provider.Fail(provider.KeyUnknown, "grant: goTo is not a URL")
	}
	synergia := at(a.ep.syn, "/", "")
	before := a.jar.value(synergia, "oauth_token")
	arrived := func(*answer) bool {
		v := a.jar.value(synergia, "oauth_token")
		return v != "" && v != before
	}
	r, err := a.walk("grant", start, nil, arrived)
	if err != nil {
		return err
	}
	if !arrived(r) {
		return provider.Fail(provider.KeyUnknown, "grant: no oauth_token cookie from synergia (the chain ended with %s)", fmtStatus(r))
	}
	return nil
}

// gatewayGet is one synergia gateway call of steps 4 and 5, cleared of
// maintenance (cannot_connect, never invalid_auth) and redirects.
func (a *attempt) gatewayGet(step string, u *url.URL) (*answer, error) {
	r, err := a.get(step, u, map[string]string{"Accept": "application/json"})
	if err != nil {
		return nil, err
	}
	if err := serviceDown(step, r); err != nil {
		return nil, err
	}
	if r.redirect() {
		return nil, provider.Fail(provider.KeyUnknown, "%s: unexpected redirect (%s)", step, fmtStatus(r))
	}
	return r, nil
}

// tokenInfo is step 4: a 2xx JSON object, which must name the account.
func (a *attempt) tokenInfo() (map[string]json.RawMessage, error) {
	r, err := a.gatewayGet("token info", at(a.ep.syn, "/gateway/api/2.0/Auth/TokenInfo", ""))
	if err != nil {
		return nil, err
	}
	fields, err := parseGateway(r.status, r.body)
	if err != nil {
		return nil, provider.Fail(provider.KeyUnknown, "token info: %v", err)
	}
	return fields, nil
}

// userInfo is step 5. Its answer only adds a name to the title, and
// TokenInfo already proved the session, so any 2xx JSON is enough and an
// account whose scopes exclude UserInfo still signs in (fields nil).
func (a *attempt) userInfo(id string) (map[string]json.RawMessage, error) {
	r, err := a.gatewayGet("user info", atSegment(a.ep.syn, "/gateway/api/2.0/Auth/UserInfo/", id))
	if err != nil {
		return nil, err
	}
	fields, err := parseGateway(r.status, r.body)
	var ge *gatewayError
	switch {
	case err == nil:
		return fields, nil
	case errors.As(err, &ge) && ge.insufficientScopes():
		return nil, nil
	case !errors.As(err, &ge) && success(r.status) && json.Valid(r.body):
		return nil, nil
	}
	return nil, provider.Fail(provider.KeyUnknown, "user info: %v", err)
}
