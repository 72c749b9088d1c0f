package emulator

// EnvGatewayURL is the variable README's script examples read for the
// Synergia gateway API's base URL (the real one is
// https://synergia.librus.pl/gateway/api/2.0).
const EnvGatewayURL = "LIBRUS_GATEWAY_URL"

// ScriptAPI names the API base a script calls with --token's Cookie
// header value.
func (e *Emulator) ScriptAPI() (env, baseURL string) {
	return EnvGatewayURL, e.SynergiaURL() + "/gateway/api/2.0"
}
