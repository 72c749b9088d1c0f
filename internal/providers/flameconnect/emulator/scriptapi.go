package emulator

// EnvAPIURL is the variable README's script examples read for the
// FlameConnect cloud API's base URL (the real one is
// https://mobileapi.gdhv-iot.com); the emulator serves routeFires under
// its tenant's origin.
const EnvAPIURL = "FLAMECONNECT_API_URL"

// ScriptAPI names the API base a script calls with --token's access token.
func (e *Emulator) ScriptAPI() (env, baseURL string) { return EnvAPIURL, e.URL() }
