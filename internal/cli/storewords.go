package cli

import (
	"errors"
	"strconv"

	"github.com/setupwizard/setupwizard/internal/store"
)

// storeWords is a store failure that names a file or a directory, worded
// in the user's language: an unreadable accounts list says which file and
// why, a full disk which directory. ok is false for other errors.
func (a *app) storeWords(err error) (msg string, ok bool) {
	var ie *store.IndexError
	if errors.As(err, &ie) {
		return a.T("cli.store_error.index_file", "file", clean(ie.Path), "reason", a.indexWhy(ie)), true
	}
	var df *store.DiskFullError
	if errors.As(err, &df) {
		return a.T("cli.store_error.disk_full", "dir", clean(df.Dir)), true
	}
	return "", false
}

// indexWhy is why an accounts list is unreadable, in words. Field names
// and details come from the file: they are cleaned of control characters
// and cut short.
func (a *app) indexWhy(ie *store.IndexError) string {
	short := func(s string) string {
		s = clean(s)
		if r := []rune(s); len(r) > 80 {
			s = string(r[:80]) + "…"
		}
		return s
	}
	return a.T("cli.store_error.index_why."+string(ie.Problem),
		"version", strconv.Itoa(ie.Version),
		"line", strconv.Itoa(ie.Line), "column", strconv.Itoa(ie.Column),
		"field", short(ie.Field), "name", short(ie.Name),
		"detail", short(ie.Detail), "target", short(ie.Detail))
}
