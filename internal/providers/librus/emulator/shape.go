package emulator

import (
	"net/http"
	"strings"
)

// Shape picks among answers docs/librus.md leaves open (a status that
// is not known, where a cookie is scoped, what a proxy in front looks
// like), so clients are tested against each reading and not only against
// this emulator's first choice. The zero Shape is the default flow.
type Shape struct {
	// APIURL and SynergiaURL are the public base URLs (no trailing slash)
	// the emulator writes in absolute Locations, e.g. "https://api.librus.pl"
	// when a test maps the real names onto the listeners. Empty means the
	// listeners' own URLs.
	APIURL, SynergiaURL string
	// PathPrefix serves both hosts under a path, as a reverse proxy that
	// rewrites Location headers and cookie paths but not JSON bodies
	// would: goTo in the login answer stays unprefixed.
	PathPrefix string
	// DomainCookie, when set, is the Domain attribute of synergia's cookies
	// (e.g. "librus.pl"), making them domain cookies.
	DomainCookie string
	// AuthorizeStatus is the authorize page's status (0 means 200).
	AuthorizeStatus int
	// LoginErrorStatus is the HTTP status of every login rejection (0 means
	// the emulator's own choice: 401 or 403); it is not publicly known.
	LoginErrorStatus int
	// LoginErrorExtra adds top-level fields to login rejections.
	LoginErrorExtra map[string]any
	// LandingStatus is what the synergia page after the grant answers:
	// 0 means 200, http.StatusFound a redirect to itself, anything else
	// that status.
	LandingStatus int
	// RefreshStatus is refreshToken's success status (0 means 200).
	RefreshStatus int
	// RefreshNoCookie makes refreshToken answer its success status with no
	// new oauth_token, whether or not the session lives.
	RefreshNoCookie bool
	// RefreshRedirect makes refreshToken redirect to this synergia path.
	RefreshRedirect string
	// RefreshSetCookie adds these raw Set-Cookie headers to refreshToken's
	// answers, e.g. ones a browser would refuse (a Domain the host may not
	// set).
	RefreshSetCookie []string
	// KeepEarlierTokens keeps every oauth_token of a session working until
	// its own expiry after refreshToken issues the next. Whether the
	// service does is not known (docs/librus.md); by default the emulator
	// takes the stricter reading: a renewal ends the previous token at
	// once, so a Cookie header printed before it is refused after it.
	KeepEarlierTokens bool
	// UserInfoInsufficientScopes makes UserInfo answer 401 Insufficient scopes.
	UserInfoInsufficientScopes bool
	// UserInfoBody, when set, is UserInfo's raw 200 body.
	UserInfoBody string

	// Landing is the synergia page the grant chain ends on: "" means
	// /rodzic/index (a parent), "/uczen/index" a student's.
	Landing string
	// GatewayAfterLanding opens the synergia session for the gateway only
	// once the chain's last page was fetched, so a client that stops at
	// the first oauth_token cookie fails after a correct password.
	GatewayAfterLanding bool
	// RequiredActions makes the 2FA step answer a 200 page with a form
	// instead of redirecting onward (RequiredActionsNone: redirect).
	RequiredActions RequiredActions
	// RequiredActionsAt moves the required-actions page to these hops
	// ("2FA", "PerformLogin", "Grant"; nil means 2FA alone), each shown
	// until its own skip is posted to it. Away from 2FA the page is the
	// leakedPasswordChangeAdvised notice, recognised only by its
	// requiredActions marker (it has no form).
	RequiredActionsAt []string
	// LoginRedirect answers a correct password with a 302 to this
	// Location instead of JSON goTo: a path ("/OAuth/...") is made an
	// absolute URL on the API host, anything else is sent as it is.
	LoginRedirect string
	// PerformLoginTwice makes PerformLogin redirect to itself once, so the
	// chain requests the same URL twice, as a public client's does.
	PerformLoginTwice bool
	// Changed serves a shape no client knows at one place, as a changed
	// service would.
	Changed Change
}

// RequiredActions is how the 2FA step's required-actions page behaves.
type RequiredActions int

const (
	// RequiredActionsNone: no page; 2FA redirects onward.
	RequiredActionsNone RequiredActions = iota
	// RequiredActionsSkipJSON: the skip post answers {"status":"ok","goTo":...}.
	RequiredActionsSkipJSON
	// RequiredActionsSkipRedirect: the skip post answers a redirect to Grant.
	RequiredActionsSkipRedirect
	// RequiredActionsUnskippable: the page asks for a new password and the
	// skip post is refused.
	RequiredActionsUnskippable
	// RequiredActionsSkipEmpty: the skip post answers 200 with an empty
	// body and names no next step; the client GETs Grant itself, as one
	// public client does after the skip (docs/librus.md).
	RequiredActionsSkipEmpty
	// RequiredActionsComesBack: the skip answers {"status":"ok"} with a
	// goTo back to the same hop, which shows the page again: a required
	// action the skip does not settle.
	RequiredActionsComesBack
)

// Change names where the service changed its shape.
type Change int

const (
	// ChangeNone serves the known shapes.
	ChangeNone Change = iota
	// ChangeEntry: portalRodzina serves a page instead of redirecting to
	// the authorize page.
	ChangeEntry
	// ChangeLogin: the login POST answers a JSON of another form.
	ChangeLogin
	// ChangeGateway: TokenInfo answers a JSON of another form.
	ChangeGateway
	// ChangeSkip: the required-actions skip answers 200 with no next step
	// and does not take (Grant then ends in invalid_request); it needs
	// RequiredActions set.
	ChangeSkip
)

// SetShape switches the emulator to a shape (Shape{} is the default).
// URLs from APIURL and SynergiaURL follow it at once.
func (e *Emulator) SetShape(s Shape) {
	e.shapeMu.Lock()
	defer e.shapeMu.Unlock()
	e.shp = s
}

// CurrentShape is the shape in force, for a test that changes one field.
func (e *Emulator) CurrentShape() Shape { return e.shape() }

func (e *Emulator) shape() Shape {
	e.shapeMu.RLock()
	defer e.shapeMu.RUnlock()
	return e.shp
}

// path is a host-relative path as the client sees it (under the prefix).
func (e *Emulator) path(p string) string { return e.shape().PathPrefix + p }

// withPrefix strips the shape's path prefix, as the proxy in front would.
func (e *Emulator) withPrefix(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := e.shape().PathPrefix
		if p == "" {
			next.ServeHTTP(w, r)
			return
		}
		if r.URL.Path != p && !strings.HasPrefix(r.URL.Path, p+"/") {
			http.NotFound(w, r)
			return
		}
		http.StripPrefix(p, next).ServeHTTP(w, r)
	})
}

// synCookie writes one of synergia's cookies, scoped as the shape says.
func (e *Emulator) synCookie(w http.ResponseWriter, name, value string, maxAge int) {
	s := e.shape()
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: value, Path: s.PathPrefix + "/", Domain: s.DomainCookie, MaxAge: maxAge,
		Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode,
	})
}
