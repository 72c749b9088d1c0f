package provider

import "time"

// Emulator is a provider's stand-in for its real service, served over real
// TLS on loopback. The registry pairs every provider with one, so the demo,
// the CLI tests, the end-to-end tests and the benchmarks loop over the
// registry instead of naming services.
type Emulator interface {
	// Env is the SETUPWIZARD_* overrides that point the provider at this
	// emulator (variable name to value).
	Env() map[string]string
	// Demo is the login and password of the account every emulator starts
	// with.
	Demo() (login, password string)
	// AddAccount adds another account that can sign in.
	AddAccount(login, password string)
	// Expire kills every grant and session issued so far: the next silent
	// refresh is told the sign-in expired.
	Expire()
	// SetHang makes every request hang until the client gives up (true),
	// or answer again (false).
	SetHang(on bool)
	// SetLatency delays every answer by d (0: none).
	SetLatency(d time.Duration)
	// Hanging receives the path of every request a hang holds, so a test
	// or a benchmark acts exactly while a request is in flight instead of
	// sleeping.
	Hanging() <-chan string
	// Requests is how many requests the emulator has answered.
	Requests() int
	// ResetRequests sets the count back to zero.
	ResetRequests()
	// CheckCredential reports whether the emulator's authenticated API
	// accepts cred, as a script's request would present it.
	CheckCredential(cred Credential) error
	// Close stops the servers.
	Close() error
}
