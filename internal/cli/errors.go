package cli

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/setupwizard/setupwizard/internal/flow"
	"github.com/setupwizard/setupwizard/internal/store"
	"github.com/setupwizard/setupwizard/internal/ui/frontend"
)

// Exit codes, documented in docs/cli.md.
const (
	ExitOK        = 0
	ExitFlow      = 1
	ExitUsage     = 2
	ExitKeyring   = 3
	ExitExpired   = 4
	ExitCancelled = 130
)

// Commands return an error; report alone turns it into an exit code and
// into text on stderr (and an error object on stdout with --json), as
// GitHub CLI's cmdutil does. The types below say which code an error gets.

// usageError is a wrong command line (exit 2): the message is followed by a
// hint to read --help. key is its --json error key ("" means "usage").
type usageError struct{ msg, key string }

func (e *usageError) Error() string { return e.msg }

// cancelError is a person cancelling (exit 130). An empty msg means the
// front end has already said so on screen.
type cancelError struct{ msg string }

func (e *cancelError) Error() string {
	if e.msg == "" {
		return "cancelled"
	}
	return e.msg
}

// exitError is a failure with a fixed exit code. A nil err makes it silent:
// the command has printed everything already and only the code is left.
// key is its --json error key ("" means the code's own, keyOfCode).
type exitError struct {
	code int
	key  string
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// flowFailed is a scripted sign-in that ended in an error or an abort.
// printResult has shown it already in text mode; with --json, report
// writes it as the one error object, the flow's fields added.
type flowFailed struct {
	res resultJSON
	// message is the failure in words, for the object's "message".
	message string
}

func (e *flowFailed) Error() string { return e.message }

// statusFailed is a --status whose worst account decides a failing code:
// text mode has printed every account's line already; with --json, report
// writes the error object with every account's state in "accounts". err,
// when set, is a keyring failure whose advice goes to stderr.
type statusFailed struct {
	code     int
	key      string
	accounts []statusJSON
	err      error
}

func (e *statusFailed) Error() string {
	if e.err != nil {
		return e.err.Error()
	}
	return e.key
}

func (e *statusFailed) Unwrap() error { return e.err }

// silent ends a command with code after it printed its own output.
func silent(code int) error { return &exitError{code: code} }

// withCode attaches an exit code to err.
func withCode(code int, err error) error { return &exitError{code: code, err: err} }

// withKey attaches an exit code and a --json error key to err.
func withKey(code int, key string, err error) error {
	return &exitError{code: code, key: key, err: err}
}

// verdict is what report does with an error.
type verdict struct {
	code int
	// key is the --json "error": an error key a script can branch on.
	key string
	// msg is printed after "setupwizard: " on stderr; "" prints nothing.
	msg string
	// help adds the "see --help" line.
	help bool
	// detail is what the failing command adds to the --json object.
	detail *errorDetail
	// said is the failure in words for --json's "message" when msg is
	// empty because the command printed it already.
	said string
}

// Error keys of the command line's own failures, for --json (docs/cli.md
// lists them). A service's keys (invalid_auth, cannot_connect, ...) and
// the flow's aborts (already_configured, wrong_account) pass through.
const (
	keyUsage      = "usage"
	keyCancelled  = "cancelled"
	keyKeyring    = "keyring"
	keyExpired    = "auth_expired"
	keyUnknown    = "unknown"
	keyNoAccounts = "no_accounts"
)

// keyOfCode is the error key of a failure that names none.
func keyOfCode(code int) string {
	switch code {
	case ExitUsage:
		return keyUsage
	case ExitKeyring:
		return keyKeyring
	case ExitExpired:
		return keyExpired
	case ExitCancelled:
		return keyCancelled
	}
	return keyUnknown
}

// catalogKeys are the --json error keys of failures built from a catalog
// key with usagef or failf; any other usage error is "usage".
var catalogKeys = map[string]string{
	"cli.entry.none_configured":  keyNoAccounts,
	"cli.entry.no_match":         "no_match",
	"cli.entry.several":          "several_accounts",
	"cli.entry.unknown_provider": "unknown_provider",
	"cli.no_terminal":            "no_terminal",
	"cli.remove.needs_yes":       "needs_yes",
}

// judge decides the exit code and message of err. It is the one place
// where exit codes are chosen.
func (a *app) judge(err error) verdict {
	var (
		ue *usageError
		ce *cancelError
		ee *exitError
		ff *flowFailed
		sf *statusFailed
	)
	switch {
	case err == nil:
		return verdict{code: ExitOK}
	case errors.As(err, &ff):
		// Shown by printResult already; the flow's own key.
		return verdict{code: ExitFlow, key: flowKey(ff.res), said: ff.message, detail: &errorDetail{
			Step: ff.res.Step, Provider: ff.res.Provider, Reason: ff.res.Reason, Errors: ff.res.Errors, Entry: ff.res.Entry,
		}}
	case errors.As(err, &sf):
		// Every account's line is out already; a keyring failure's
		// advice still goes to stderr.
		v := verdict{code: sf.code, key: sf.key, detail: &errorDetail{Accounts: sf.accounts}}
		if sf.err != nil {
			v.msg = a.judge(sf.err).msg
		}
		return v
	case errors.As(err, &ue):
		key := ue.key
		if key == "" {
			key = keyUsage
		}
		return verdict{code: ExitUsage, key: key, msg: ue.msg, help: true}
	case errors.As(err, &ce):
		return verdict{code: ExitCancelled, key: keyCancelled, msg: ce.msg}
	case errors.As(err, &ee) && ee.err == nil:
		return verdict{code: ee.code, key: orKey(ee.key, keyOfCode(ee.code))}
	case errors.Is(err, frontend.ErrCancelled), errors.Is(err, context.Canceled):
		// The front ends say it on screen themselves; a script needs words.
		if a.interactive() {
			return verdict{code: ExitCancelled, key: keyCancelled, said: a.T("cli.cancelled_nothing_saved")}
		}
		return verdict{code: ExitCancelled, key: keyCancelled, msg: a.T("cli.cancelled_nothing_saved")}
	case errors.Is(err, store.ErrOutcomeUnknown):
		// Checked before ErrKeyring, which it wraps when the keyring
		// stopped answering mid-switch: "nothing was saved" advice would
		// be wrong when the new cache may be live.
		return verdict{code: ExitFlow, key: storeTroubleKey(err), msg: a.T(storeTrouble(err))}
	case errors.Is(err, store.ErrKeyring):
		return verdict{code: ExitKeyring, key: keyKeyring, msg: a.keyringAdvice(err)}
	}
	if msg, ok := a.storeWords(err); ok {
		key := storeTroubleKey(err)
		if errors.Is(err, store.ErrDiskFull) {
			key = "disk_full"
		}
		return verdict{code: ExitFlow, key: key, msg: msg}
	}
	if key := storeTrouble(err); key != "" {
		// The store's own words name files and generations: --debug.
		return verdict{code: ExitFlow, key: storeTroubleKey(err), msg: a.T(key)}
	}
	if errors.As(err, &ee) {
		return verdict{code: ee.code, key: orKey(ee.key, keyOfCode(ee.code)), msg: ee.err.Error()}
	}
	return verdict{code: ExitFlow, key: keyUnknown, msg: err.Error()}
}

// flowKey is the error key of a flow that ended without success: the
// abort's reason, else the form's error on the whole form ("base"), else
// the first field's.
func flowKey(res resultJSON) string {
	if res.Reason != "" {
		return res.Reason
	}
	if k, ok := res.Errors[flow.Base]; ok {
		return k
	}
	fields := make([]string, 0, len(res.Errors))
	for f := range res.Errors {
		fields = append(fields, f)
	}
	sort.Strings(fields)
	if len(fields) > 0 {
		return res.Errors[fields[0]]
	}
	return keyUnknown
}

func orKey(key, fallback string) string {
	if key != "" {
		return key
	}
	return fallback
}

// storeTroubles are the store's failures a person can act on, each with
// its sentence in the catalog and its --json error key.
var storeTroubles = []struct {
	err     error
	key     string
	jsonKey string
}{
	{store.ErrOutcomeUnknown, "cli.store_error.outcome_unknown", "outcome_unknown"},
	{store.ErrLocked, "cli.store_error.locked", statusLocked},
	{store.ErrIndex, "cli.store_error.index", "index_unreadable"},
	{store.ErrCorrupt, "cli.store_error.corrupt", statusUnreadable},
	{store.ErrTooLarge, "cli.store_error.too_large", "too_large"},
	{store.ErrNewer, "cli.store_error.newer", "index_newer"},
}

// storeTrouble is the catalog key for err's store failure, or "".
func storeTrouble(err error) string {
	for _, t := range storeTroubles {
		if errors.Is(err, t.err) {
			return t.key
		}
	}
	return ""
}

// storeTroubleKey is the --json error key for err's store failure.
func storeTroubleKey(err error) string {
	for _, t := range storeTroubles {
		if errors.Is(err, t.err) {
			return t.jsonKey
		}
	}
	return keyUnknown
}

// errorJSON is what --json prints on stdout when a command fails, whatever
// the command, so a script always has one object to parse: result "error",
// the error key and the exit code, then what the command adds
// (docs/cli.md, "Failures with --json").
type errorJSON struct {
	Result   string `json:"result"` // always "error"
	Error    string `json:"error"`
	ExitCode int    `json:"exit_code"`
	// Message is the failure in this run's language, as on stderr.
	Message string `json:"message,omitempty"`
	errorDetail
}

// errorDetail is what a failing command adds to its error object: a
// sign-in's step, provider, abort reason, field errors and entry; a
// --status's per-account states.
type errorDetail struct {
	Step     string            `json:"step_id,omitempty"`
	Provider string            `json:"provider,omitempty"`
	Reason   string            `json:"reason,omitempty"`
	Errors   map[string]string `json:"errors,omitempty"`
	Entry    *entryJSON        `json:"entry,omitempty"`
	Accounts []statusJSON      `json:"accounts,omitempty"`
}

// report prints err the way its type asks and returns the exit code.
func (a *app) report(err error) int {
	v := a.judge(err)
	if v.code == ExitOK {
		return v.code
	}
	a.tracer.Note("exit %d: %v", v.code, err)
	if v.msg != "" {
		a.sayErrMessage("setupwizard: " + v.msg)
		if v.help {
			a.sayErr(a.T("cli.usage.see_help"))
		}
	}
	if a.opts.json {
		msg := v.msg
		if msg == "" {
			msg = v.said
		}
		out := errorJSON{Result: "error", Error: v.key, ExitCode: v.code, Message: msg}
		if v.detail != nil {
			out.errorDetail = *v.detail
		}
		a.writeJSON(out)
	}
	return v.code
}

// usagef builds a usage error from a catalog key and placeholder pairs.
func (a *app) usagef(key string, kv ...string) error {
	return &usageError{msg: a.T(key, kv...), key: catalogKeys[key]}
}

// failf builds an exit-1 error from a catalog key and placeholder pairs.
func (a *app) failf(key string, kv ...string) error {
	return withKey(ExitFlow, catalogKeys[key], errors.New(a.T(key, kv...)))
}

// storeErr wraps a store failure with what was being done. Keyring
// failures keep their identity (exit 3) through the wrap.
func storeErr(what string, err error) error {
	return fmt.Errorf("%s: %w", what, err)
}

// askedJSON reports whether args name --json before any "--".
func askedJSON(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "--json", "--json=true":
			return true
		}
	}
	return false
}
