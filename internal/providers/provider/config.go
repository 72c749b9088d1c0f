package provider

// ConfigChecker is implemented by a provider whose settings come from the
// environment (SETUPWIZARD_*_URL and the like). CheckConfig does no I/O:
// it reports the first malformed setting as a *ConfigError, so the command
// line refuses it as a usage error before a password is read or anything
// is sent, instead of a sign-in failing later as "unknown".
type ConfigChecker interface {
	CheckConfig() error
}

// ConfigError is a malformed setting: the variable named, an example of
// a good value, and why this one is refused. It never holds the value,
// which may carry user info.
type ConfigError struct {
	// Var is the environment variable, e.g. SETUPWIZARD_LIBRUS_API_URL.
	Var string
	// Example is a value that works (the default).
	Example string
	// Err says what is wrong, in English, for traces.
	Err error
}

func (e *ConfigError) Error() string { return e.Var + ": " + e.Err.Error() }

func (e *ConfigError) Unwrap() error { return e.Err }
