package prompt

import (
	"context"
	"errors"
	"io"
	"strings"

	"golang.org/x/term"
)

// maxLine bounds a line kept in memory; the engine rejects anything over
// flow.MaxFieldBytes with too_long, so a longer paste still gets that error.
const maxLine = 64 << 10

// lineReader reads lines from In one byte at a time: nothing is buffered
// past the newline, so consecutive prompts (PickEntry, then RunFlow) on the
// same input never lose each other's lines, and a terminal password read on
// the file descriptor sees exactly what follows.
type lineReader struct {
	r  io.Reader
	fd int // a terminal's descriptor, or -1
}

func newLineReader(r io.Reader) *lineReader {
	lr := &lineReader{r: r, fd: -1}
	if f, ok := r.(interface{ Fd() uintptr }); ok && term.IsTerminal(int(f.Fd())) {
		lr.fd = int(f.Fd())
	}
	return lr
}

type lineResult struct {
	line string
	err  error
}

// await runs a blocking read so ctx can end the wait. A read cannot be
// interrupted, so on cancel it is left to finish on its own; the caller is
// returning ErrCancelled and the program is about to exit.
func await(ctx context.Context, read func() lineResult, onCancel func()) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	ch := make(chan lineResult, 1)
	go func() { ch <- read() }()
	select {
	case res := <-ch:
		return res.line, res.err
	case <-ctx.Done():
		if onCancel != nil {
			onCancel()
		}
		return "", ctx.Err()
	}
}

func (lr *lineReader) readLine(ctx context.Context) (string, error) {
	return await(ctx, func() lineResult { return readLine(lr.r) }, nil)
}

// readSecret reads a password: without echo on a terminal (echoed is then
// false), as a plain line otherwise. On cancel the terminal's echo is
// restored at once, since the abandoned read would restore it only after
// the next key.
func (lr *lineReader) readSecret(ctx context.Context) (line string, echoed bool, err error) {
	if lr.fd < 0 {
		line, err = lr.readLine(ctx)
		return line, true, err
	}
	state, err := term.GetState(lr.fd)
	if err != nil {
		return "", false, err
	}
	fd := lr.fd
	line, err = await(ctx, func() lineResult {
		b, err := term.ReadPassword(fd)
		s := string(b)
		clear(b)
		return lineResult{line: s, err: err}
	}, func() { _ = term.Restore(fd, state) })
	return line, false, err
}

// readLine reads up to '\n' (a trailing '\r' is dropped). End of input
// with nothing read is io.EOF; a last line without a newline still counts.
func readLine(r io.Reader) lineResult {
	var b strings.Builder
	var one [1]byte
	for {
		n, err := r.Read(one[:])
		if n == 1 {
			if one[0] == '\n' {
				return lineResult{line: strings.TrimSuffix(b.String(), "\r")}
			}
			if b.Len() < maxLine {
				b.WriteByte(one[0])
			}
		}
		if err != nil {
			if errors.Is(err, io.EOF) && b.Len() > 0 {
				return lineResult{line: strings.TrimSuffix(b.String(), "\r")}
			}
			return lineResult{err: err}
		}
	}
}
