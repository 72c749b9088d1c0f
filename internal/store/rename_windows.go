package store

import (
	"errors"
	"syscall"
)

// Windows error codes robustio retries on (winerror.h).
const (
	errAccessDenied     syscall.Errno = 5  // ERROR_ACCESS_DENIED
	errSharingViolation syscall.Errno = 32 // ERROR_SHARING_VIOLATION
)

// renameTransient reports whether a failed rename may succeed if retried.
func renameTransient(err error) bool {
	var errno syscall.Errno
	return errors.As(err, &errno) && (errno == errAccessDenied || errno == errSharingViolation)
}
