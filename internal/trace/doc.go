// Package trace is the --debug FILE HTTP trace: a RoundTripper wrapper that
// writes every request/response pair with each secret redacted, so a user
// can attach the file to a bug report without handing over their account.
//
// What is redacted, and why the line is drawn where it is:
//
//   - Credentials and anything that can be replayed: passwords, cookie
//     values, bearer/basic credentials, OAuth codes, PKCE verifiers and
//     challenges, state and nonce values, csrf values, B2C transaction ids,
//     access/refresh/id tokens and anything JWT-shaped, MSAL cache secrets,
//     session ids. See IsSensitiveName for the exact names.
//   - Exact values registered with Tracer.Secret (the password typed for one
//     validation, and login:password), in every spelling docs/http-safety.md
//     lists (raw, URL-escaped once or twice, Latin-1, base64, HTML entities,
//     JSON escapes), anywhere.
//
// What is deliberately kept: logins, e-mail addresses, usernames and hints
// (email, login, username, login_hint, signInName, UserIdentifier), client
// ids, scopes, redirect URIs, policies, claims requests, error codes and
// messages, cookie names and attributes. They identify the account and the
// failing step, which is what a trace is for; none of them lets anyone sign
// in. A JSON value under a key named "code" is redacted even when it is an
// error code (such as "Code":"TokenIsExpired"): an auth code leaking matters
// more than a harder-to-read trace, and the HTTP status and message stay.
package trace
