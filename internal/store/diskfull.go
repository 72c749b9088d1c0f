package store

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
)

// ErrDiskFull means the disk holding the config dir has no room (ENOSPC,
// or the user's quota, EDQUOT) for the entries index.
var ErrDiskFull = errors.New("no space left on the disk holding the config dir")

// DiskFullError is ErrDiskFull for one directory.
type DiskFullError struct {
	Dir string
	Err error // the system's error
}

// Error names the directory.
func (e *DiskFullError) Error() string {
	return fmt.Sprintf("the disk holding %s is full: %v", e.Dir, e.Err)
}

// Is makes errors.Is(err, ErrDiskFull) true.
func (e *DiskFullError) Is(target error) bool { return target == ErrDiskFull }

// Unwrap keeps the system's error reachable.
func (e *DiskFullError) Unwrap() error { return e.Err }

// noSpace reports whether err is the system saying the disk is full.
func noSpace(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT)
}

// asDiskFull wraps err as a DiskFullError for dir when the disk is full,
// else returns it as it is.
func asDiskFull(dir string, err error) error {
	if err == nil || !noSpace(err) || errors.Is(err, ErrDiskFull) {
		return err
	}
	return &DiskFullError{Dir: dir, Err: err}
}

// spareMargin is what CheckWritable writes beyond the current index: an
// add writes the index with its intent, then with the new entry (a few
// hundred bytes each), each as a whole temp file beside the old one.
const spareMargin = 16 << 10

// fillWriter writes a file's bytes; a variable so unit tests can fail it
// as a full disk does without filling one.
var fillWriter = func(f *os.File, n int) error {
	_, err := io.CopyN(f, rand.Reader, int64(n))
	if err != nil {
		return err
	}
	return f.Sync()
}

// checkSpace proves that an index's worth of bytes fits beside the index
// in dir: it writes the current index's size plus spareMargin of random
// bytes (a compressing filesystem cannot shrink them) to a temp file,
// syncs it so the filesystem must allocate them, and deletes it. Creating
// an empty file is not proof: a full disk still has inodes.
func checkSpace(dir, index string) error {
	n := spareMargin
	if fi, err := os.Stat(index); err == nil {
		n += int(fi.Size())
	}
	f, err := os.CreateTemp(dir, tempPattern)
	if err != nil {
		return asDiskFull(dir, err)
	}
	name := f.Name()
	err = fillWriter(f, n)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	_ = os.Remove(name)
	return asDiskFull(dir, err)
}
