package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
)

// errNotRegular refuses a --debug target that is a device, pipe or
// directory: a trace belongs in a file of its own.
var errNotRegular = errors.New("not a regular file")

// openTrace opens --debug's file. A new file is created with mode 0600. An
// existing regular file is truncated and keeps its mode: it is not ours to
// change, and only a file we create gets our mode. Anything but a regular
// file is refused, a symbolic link too (it is not followed: --debug on a
// link to a file of the user's would otherwise overwrite that file), and
// the check is on the opened descriptor, so a swap in between is caught.
func openTrace(path string) (io.WriteCloser, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err == nil {
		return f, nil
	}
	if !errors.Is(err, os.ErrExist) {
		return nil, err
	}
	// O_NONBLOCK keeps a FIFO without a reader from blocking the open;
	// O_NOFOLLOW makes a symbolic link fail (ELOOP) instead of opening
	// what it points to.
	f, err = os.OpenFile(path, os.O_WRONLY|openNonblock|openNoFollow, 0)
	if errors.Is(err, syscall.ELOOP) {
		return nil, fmt.Errorf("%s: a symbolic link, %w", path, errNotRegular)
	}
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		_ = f.Close()
		return nil, fmt.Errorf("%s: %w", path, errNotRegular)
	}
	if err := f.Truncate(0); err != nil {
		_ = f.Close()
		return nil, err
	}
	return f, nil
}
