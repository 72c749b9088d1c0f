package store

import (
	"os"
	"time"
)

// renameRetryFor bounds how long a rename is retried on a transient error,
// as cmd/go's robustio does (2 s).
const renameRetryFor = 2 * time.Second

// rename is os.Rename, retried briefly where the OS reports a transient
// failure: on Windows an antivirus scanner, the search indexer or a reader
// of entries.json holds it open without FILE_SHARE_DELETE, and MoveFileEx
// fails with ERROR_ACCESS_DENIED or ERROR_SHARING_VIOLATION for a moment.
func rename(from, to string) error {
	return retryRename(os.Rename, renameTransient, time.Sleep, from, to)
}

// retryRename calls rename until it succeeds, fails for good, or about
// renameRetryFor has been spent sleeping between tries (doubling from 1 ms).
func retryRename(rename func(string, string) error, transient func(error) bool, sleep func(time.Duration), from, to string) error {
	delay, slept := time.Millisecond, time.Duration(0)
	for {
		err := rename(from, to)
		if err == nil || !transient(err) || slept >= renameRetryFor {
			return err
		}
		d := min(delay, renameRetryFor-slept)
		sleep(d)
		slept += d
		delay *= 2
	}
}
