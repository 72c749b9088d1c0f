package trace

import "strings"

// exactNames are sensitive only as whole (normalised) names: "pass" or
// "code" as substrings would hit "compass" or "errorCode".
var exactNames = map[string]bool{
	"pass": true, "pwd": true, "pin": true, "otp": true, "totp": true,
	"code": true, "authcode": true, "authorizationcode": true, "verificationcode": true,
	"usercode": true, "devicecode": true, "smscode": true, "otpcode": true, "mfacode": true,
	"codechallenge": true, "state": true, "oauthstate": true, "relaystate": true,
	"tx": true, "transid": true, "nonce": true, "key": true, "sig": true,
	"signature": true, "auth": true, "authorization": true, "ticket": true,
}

// containedNames are sensitive wherever they occur in a name
// ("x-ms-cpim-csrf", "newPassword", "refresh_token", "PHPSESSID").
var containedNames = []string{
	"password", "passwd", "passphrase", "pwd", "secret", "token", "csrf", "xsrf",
	"assertion", "verifier", "session", "sessid", "cookie", "credential",
	"apikey", "privatekey", "xmscpim",
}

// normName folds a parameter, key or header name to lower-case letters and
// digits, so "code_verifier", "Code-Verifier" and "codeVerifier" compare equal.
func normName(name string) string {
	var b strings.Builder
	b.Grow(len(name))
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			b.WriteByte(c)
		case c >= 'A' && c <= 'Z':
			b.WriteByte(c + 'a' - 'A')
		}
	}
	return b.String()
}

// IsSensitiveName reports whether a query parameter, form field, JSON key or
// cookie-ish name carries a value that must not appear in a trace. Logins
// and e-mail addresses are not sensitive (see the package comment).
func IsSensitiveName(name string) bool {
	n := normName(name)
	if n == "" || strings.HasSuffix(n, "type") || strings.HasSuffix(n, "method") {
		return false // labels: token_type "Bearer", credential_type, code_challenge_method
	}
	if exactNames[n] || strings.HasSuffix(n, "sid") {
		return true
	}
	for _, c := range containedNames {
		if strings.Contains(n, c) {
			return true
		}
	}
	return false
}

// headerWords make a whole header value secret when its name contains one.
var headerWords = []string{"token", "csrf", "xsrf", "secret", "auth", "session", "cookie", "password", "apikey", "xmscpim"}

// sensitiveHeader reports whether a header's whole value is secret.
func sensitiveHeader(name string) bool {
	n := normName(name)
	for _, w := range headerWords {
		if strings.Contains(n, w) {
			return true
		}
	}
	return IsSensitiveName(name)
}
