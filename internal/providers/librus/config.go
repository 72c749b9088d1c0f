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
	// redirect lead to other *.librus.pl hosts (DESIGN: redirects go only to
	// the configured hosts).
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
	name, port := hostKey(u)
	return port == "443" && net.ParseIP(name) == nil && strings.HasSuffix(name, ".librus.pl")
}

// hostKey is a URL's lower-case host name and its port, 443 when none is
// written, so "host" and "host:443" compare equal.
func hostKey(u *url.URL) (name, port string) {
	name, port = strings.ToLower(u.Hostname()), u.Port()
	if port == "" {
		port = "443"
	}
	return name, port
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

// allowed says whether a request may go to u: https only, to one of the
// configured hosts, or to another *.librus.pl host when both configured
// hosts are Librus's own.
func (e endpoints) allowed(u *url.URL) bool {
	if u.Scheme != "https" || u.User != nil || u.Host == "" {
		return false
	}
	name, port := hostKey(u)
	for _, b := range []*url.URL{e.api, e.syn} {
		if bn, bp := hostKey(b); name == bn && port == bp {
			return true
		}
	}
	return e.librus && underLibrus(u)
}

// redacted names a URL without its query, where codes and state live.
func redacted(u *url.URL) string {
	return (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()
}
