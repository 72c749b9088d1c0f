package cli

import (
	"context"
	"errors"
	"fmt"

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
// hint to read --help.
type usageError struct{ msg string }

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
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// afterDocument is a failure of a --json command that has already written
// stdout's one document (--status with each entry's state): report words
// it on stderr only.
type afterDocument struct{ err error }

func (e *afterDocument) Error() string { return e.err.Error() }

func (e *afterDocument) Unwrap() error { return e.err }

// silent ends a command with code after it printed its own output.
func silent(code int) error { return &exitError{code: code} }

// withCode attaches an exit code to err.
func withCode(code int, err error) error { return &exitError{code: code, err: err} }

// verdict is what report does with an error.
type verdict struct {
	code int
	// msg is printed after "setupwizard: " on stderr; "" prints nothing.
	msg string
	// help adds the "see --help" line.
	help bool
}

// judge decides the exit code and message of err. It is the one place
// where exit codes are chosen.
func (a *app) judge(err error) verdict {
	var (
		ue *usageError
		ce *cancelError
		ee *exitError
	)
	switch {
	case err == nil:
		return verdict{code: ExitOK}
	case errors.As(err, &ue):
		return verdict{code: ExitUsage, msg: ue.msg, help: true}
	case errors.As(err, &ce):
		return verdict{code: ExitCancelled, msg: ce.msg}
	case errors.As(err, &ee) && ee.err == nil:
		return verdict{code: ee.code}
	case errors.Is(err, frontend.ErrCancelled), errors.Is(err, context.Canceled):
		// The front ends say it on screen themselves; a script needs words.
		if a.interactive() {
			return verdict{code: ExitCancelled}
		}
		return verdict{code: ExitCancelled, msg: a.T("cli.cancelled_nothing_saved")}
	case errors.Is(err, store.ErrOutcomeUnknown):
		// Checked before ErrKeyring, which it wraps when the keyring
		// stopped answering mid-switch: "nothing was saved" advice would
		// be wrong when the new cache may be live.
		return verdict{code: ExitFlow, msg: a.T(storeTrouble(err))}
	case errors.Is(err, store.ErrKeyring):
		return verdict{code: ExitKeyring, msg: a.keyringAdvice(err)}
	}
	if msg, ok := a.storeWords(err); ok {
		return verdict{code: ExitFlow, msg: msg}
	}
	if key := storeTrouble(err); key != "" {
		// The store's own words name files and generations: --debug.
		return verdict{code: ExitFlow, msg: a.T(key)}
	}
	if errors.As(err, &ee) {
		return verdict{code: ee.code, msg: ee.err.Error()}
	}
	return verdict{code: ExitFlow, msg: err.Error()}
}

// storeTroubles are the store's failures a person can act on, each with
// its sentence in the catalog.
var storeTroubles = []struct {
	err error
	key string
}{
	{store.ErrOutcomeUnknown, "cli.store_error.outcome_unknown"},
	{store.ErrLocked, "cli.store_error.locked"},
	{store.ErrIndex, "cli.store_error.index"},
	{store.ErrCorrupt, "cli.store_error.corrupt"},
	{store.ErrTooLarge, "cli.store_error.too_large"},
	{store.ErrNewer, "cli.store_error.newer"},
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

// errorJSON is what --json prints on stdout when a command fails, so a
// script always has something to parse.
type errorJSON struct {
	Result   string `json:"result"` // always "error"
	Error    string `json:"error"`
	ExitCode int    `json:"exit_code"`
}

// report prints err the way its type asks and returns the exit code.
func (a *app) report(err error) int {
	v := a.judge(err)
	if err != nil && v.code != ExitOK {
		a.tracer.Note("exit %d: %v", v.code, err)
	}
	if v.msg == "" {
		return v.code
	}
	a.sayErrMessage("setupwizard: " + v.msg)
	if v.help {
		a.errf("%s\n", a.T("cli.usage.see_help"))
	}
	var done *afterDocument
	if a.opts.json && !errors.As(err, &done) {
		a.writeJSON(errorJSON{Result: "error", Error: v.msg, ExitCode: v.code})
	}
	return v.code
}

// usagef builds a usage error from a catalog key and placeholder pairs.
func (a *app) usagef(key string, kv ...string) error {
	return &usageError{msg: a.T(key, kv...)}
}

// failf builds an exit-1 error from a catalog key and placeholder pairs.
func (a *app) failf(key string, kv ...string) error {
	return withCode(ExitFlow, errors.New(a.T(key, kv...)))
}

// storeErr wraps a store failure with what was being done. Keyring
// failures keep their identity (exit 3) through the wrap.
func storeErr(what string, err error) error {
	return fmt.Errorf("%s: %w", what, err)
}
