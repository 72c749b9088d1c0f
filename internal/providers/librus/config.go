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
	return endpoints{api: api, syn: syn}, nil
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

// at builds an endpoint URL under a base (which may carry a path prefix).
func at(base *url.URL, path, rawQuery string) *url.URL {
	u := *base
	u.Path = base.Path + path
	u.RawPath = ""
	u.RawQuery = rawQuery
	return &u
}

// allowed says whether a request may go to u: https only, and only to
// *.librus.pl or one of the configured hosts.
func (e endpoints) allowed(u *url.URL) bool {
	if u.Scheme != "https" || u.User != nil {
		return false
	}
	host := strings.ToLower(u.Host)
	if host == e.api.Host || host == e.syn.Host {
		return true
	}
	name, port := strings.ToLower(u.Hostname()), u.Port()
	if port != "" && port != "443" {
		return false
	}
	return strings.HasSuffix(name, ".librus.pl") && net.ParseIP(name) == nil
}

// redacted names a URL without its query, where codes and state live.
func redacted(u *url.URL) string {
	return (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()
}
