package store

import "os"

// Pending reports whether s still has an abandoned keyring call or queued
// clean-up (and so may keep entries.lock).
func Pending(s *Store) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.held != nil || s.caches.kr.busy()
}

// SetBeforeIndexWrite lets tests fail the index write of s.
func SetBeforeIndexWrite(s *Store, f func() error) { s.beforeIndexWrite = f }

// SetQueuedExit makes s call f whenever a keyring call that timed out
// before its turn came ends its goroutine.
func SetQueuedExit(s *Store, f func()) {
	s.caches.kr.mu.Lock()
	defer s.caches.kr.mu.Unlock()
	s.caches.kr.queuedExit = f
}

// SetSyncDir replaces the dir fsync of index writes until the returned
// restore runs. Tests using it must not run in parallel.
func SetSyncDir(f func(string) error) (restore func()) {
	old := syncDir
	syncDir = f
	return func() { syncDir = old }
}

// RetryRename exposes the retry loop of index renames.
var RetryRename = retryRename

// SetFillWriter replaces how CheckWritable writes its bytes until the
// returned restore runs. Tests using it must not run in parallel.
func SetFillWriter(f func(*os.File, int) error) (restore func()) {
	old := fillWriter
	fillWriter = f
	return func() { fillWriter = old }
}
