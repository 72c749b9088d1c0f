package librus

import (
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

// Host overrides and their defaults.
const (
	EnvAPIURL          = "SETUPWIZARD_LIBRUS_API_URL"
	EnvSynergiaURL     = "SETUPWIZARD_LIBRUS_SYNERGIA_URL"
	DefaultAPIURL      = "https://api.librus.pl"
	DefaultSynergiaURL = "https://synergia.librus.pl"
)

// endpoints are the two hosts a sign-in talks to.
type endpoints struct {
	api, syn *url.URL
	// librus is set when both hosts are under librus.pl; only then may a
	// redirect lead to other *.librus.pl hosts: a user who pointed the
	// provider elsewhere (a proxy, tests) meant nothing to go to Librus.
	librus bool
}

func loadEndpoints(opts provider.Options) (endpoints, error) {
	api, err := parseBase(EnvAPIURL, opts.Env(EnvAPIURL), DefaultAPIURL)
	if err != nil {
		return endpoints{}, err
	}
	syn, err := parseBase(EnvSynergiaURL, opts.Env(EnvSynergiaURL), DefaultSynergiaURL)
	if err != nil {
		return endpoints{}, err
	}
	return endpoints{api: api, syn: syn, librus: underLibrus(api) && underLibrus(syn)}, nil
}

func underLibrus(u *url.URL) bool {
	name, port := provider.HostKey(u)
	return port == "443" && net.ParseIP(name) == nil && strings.HasSuffix(name, ".librus.pl")
}

// parseBase accepts only an absolute https URL without query, fragment or
// credentials: credentials go to configured hosts over https or nowhere.
func parseBase(name, val, def string) (*url.URL, error) {
	if val == "" {
		val = def
	}
	u, err := url.Parse(strings.TrimRight(val, "/"))
	if err != nil {
		return nil, fmt.Errorf("%s: not a URL", name)
	}
	if u.Scheme != "https" || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("%s: want an https URL like %s", name, def)
	}
	u.Host = strings.ToLower(u.Host)
	return u, nil
}

// at builds an endpoint URL under a base (which may carry a path prefix);
// path is a fixed path with nothing to escape.
func at(base *url.URL, path, rawQuery string) *url.URL {
	u := *base
	u.Path = base.Path + path
	u.RawPath = ""
	if base.RawPath != "" {
		u.RawPath = base.RawPath + path
	}
	u.RawQuery = rawQuery
	return &u
}

// atSegment is at plus one path segment taken literally (an identifier
// holding '/', '%' or a space stays one segment, escaped once).
func atSegment(base *url.URL, path, segment string) *url.URL {
	u := at(base, path, "")
	u.RawPath = u.EscapedPath() + url.PathEscape(segment)
	u.Path += segment
	return u
}

// resolveGoTo resolves login's goTo against the API base. A host-relative
// goTo is put under the base's path prefix (a proxy rewrites Location
// headers but not JSON bodies), unless it already starts with it.
func (e endpoints) resolveGoTo(goTo string) (*url.URL, error) {
	prefix := e.api.EscapedPath()
	if prefix != "" && strings.HasPrefix(goTo, "/") && !strings.HasPrefix(goTo, "//") {
		path, _, _ := strings.Cut(goTo, "?")
		path, _, _ = strings.Cut(path, "#")
		if path != prefix && !strings.HasPrefix(path, prefix+"/") {
			goTo = prefix + goTo
		}
	}
	return e.api.Parse(goTo)
}

// sessionConfig is the allow-list: the two configured hosts, and any
// other *.librus.pl host when both configured hosts are Librus's own.
func (e endpoints) sessionConfig() provider.SessionConfig {
	cfg := provider.SessionConfig{Hosts: []*url.URL{e.api, e.syn}}
	if e.librus {
		cfg.Domains = []string{"librus.pl"}
	}
	return cfg
}

// allowed says whether a request may go to u under sessionConfig.
func (e endpoints) allowed(u *url.URL) bool { return e.sessionConfig().Allows(u) }

// CheckConfig implements provider.ConfigChecker: a malformed host override
// is named before anything is read or sent.
func (p *Provider) CheckConfig() error {
	for _, v := range [][2]string{{EnvAPIURL, DefaultAPIURL}, {EnvSynergiaURL, DefaultSynergiaURL}} {
		if _, err := parseBase(v[0], p.opts.Env(v[0]), v[1]); err != nil {
			return &provider.ConfigError{Var: v[0], Example: v[1], Err: err}
		}
	}
	return nil
}
