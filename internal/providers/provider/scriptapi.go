package provider

// ScriptAPI is implemented by an emulator that serves an authenticated API
// of its service, so a script author can try --token's credential against
// it (setupwizard --demo --serve prints it; README, "Try your script
// offline").
type ScriptAPI interface {
	// ScriptAPI is the environment variable a script reads for the API's
	// base URL (README's examples default it to the real service's), and
	// the emulator's base URL.
	ScriptAPI() (env, baseURL string)
}
