package cli

import (
	"errors"

	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

// checkConfig refuses a malformed service setting (a SETUPWIZARD_*_URL
// that is not https, has a query or fragment, no host, or is not a URL)
// as a usage error naming the variable, before a password is read or
// anything is sent. Every registered provider that reads settings is
// checked, whichever the command uses: a setting is wrong or not. --list
// and --remove never reach a service and are not held up by one.
func (a *app) checkConfig(ps []provider.Provider) error {
	if cmd := a.command(); cmd == "list" || cmd == "remove" {
		return nil
	}
	for _, p := range ps {
		c, ok := p.(provider.ConfigChecker)
		if !ok {
			continue
		}
		err := c.CheckConfig()
		var ce *provider.ConfigError
		switch {
		case err == nil:
		case errors.As(err, &ce):
			a.tracer.Note("%s: %v", p.Domain(), err)
			return a.usagef("cli.usage.bad_setting", "variable", ce.Var, "example", ce.Example)
		default:
			return a.usagef("cli.usage.bad_setting", "variable", p.Domain(), "example", "")
		}
	}
	return nil
}
