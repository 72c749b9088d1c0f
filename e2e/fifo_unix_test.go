//go:build unix

package e2e

import "syscall"

// mkfifo makes a named pipe (the e2e suite runs on Unix; this split only
// lets `GOOS=windows go vet ./...` check the package).
func mkfifo(path string, mode uint32) error { return syscall.Mkfifo(path, mode) }

// umask sets the process's umask and returns the old one.
func umask(mask int) int { return syscall.Umask(mask) }
