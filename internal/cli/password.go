package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"golang.org/x/term"

	"github.com/setupwizard/setupwizard/internal/flow"
)

// maxPasswordLine bounds what --password-stdin reads, so a wrong file piped
// in is refused instead of slurped.
const maxPasswordLine = flow.MaxFieldBytes

// errBadPasswordLine marks what the user piped in wrong (exit 2), as
// opposed to a failing read (exit 1).
var errBadPasswordLine = errors.New("bad password line")

// Causes of errBadPasswordLine.
var (
	errPasswordTooLong = fmt.Errorf("%w: too long", errBadPasswordLine)
	errPasswordEmpty   = fmt.Errorf("%w: empty", errBadPasswordLine)
)

func (a *app) passwordLineText(err error) string {
	if errors.Is(err, errPasswordTooLong) {
		return a.T("cli.password.too_long", "max", strconv.Itoa(maxPasswordLine))
	}
	return a.T("cli.password.empty")
}

// readPasswordStdin reads --password-stdin's line. On a terminal, echo is
// off while the person types (as docker login users expect) and the
// terminal's state is put back however the read ends.
func (a *app) readPasswordStdin(ctx context.Context) (string, error) {
	f, ok := a.io.In.(*os.File)
	if !ok || !a.io.InTTY || !term.IsTerminal(int(f.Fd())) {
		return readCtx(ctx, func() (string, error) { return readPassword(a.io.In) })
	}
	fd := int(f.Fd())
	state, err := term.GetState(fd)
	if err != nil {
		return "", fmt.Errorf("read standard input: %w", err)
	}
	defer func() { _ = term.Restore(fd, state) }()
	a.errf("%s", a.T("cli.password.prompt"))
	defer a.errf("\n")
	return readCtx(ctx, func() (string, error) {
		b, err := term.ReadPassword(fd)
		pw := string(b)
		clear(b)
		if err != nil {
			return "", fmt.Errorf("read standard input: %w", err)
		}
		return checkPasswordLine(pw)
	})
}

// readCtx runs read in the background and gives up when ctx ends: ctrl+c
// while a script has not yet written the password must still exit 130.
// The abandoned read ends with the process.
func readCtx(ctx context.Context, read func() (string, error)) (string, error) {
	type line struct {
		pw  string
		err error
	}
	ch := make(chan line, 1)
	go func() {
		pw, err := read()
		ch <- line{pw, err}
	}()
	select {
	case l := <-ch:
		return l.pw, l.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// readPassword reads one line: the trailing newline (and a CR before it) is
// stripped; an empty or oversized line is refused. Nothing else is trimmed:
// spaces can be part of a password.
func readPassword(r io.Reader) (string, error) {
	br := bufio.NewReaderSize(io.LimitReader(r, maxPasswordLine+3), maxPasswordLine+3)
	line, err := br.ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read standard input: %w", err)
	}
	if !strings.HasSuffix(line, "\n") && len(line) > maxPasswordLine {
		return "", errPasswordTooLong
	}
	line = strings.TrimSuffix(line, "\n")
	line = strings.TrimSuffix(line, "\r")
	return checkPasswordLine(line)
}

// checkPasswordLine refuses an empty or oversized password.
func checkPasswordLine(pw string) (string, error) {
	switch {
	case len(pw) > maxPasswordLine:
		return "", errPasswordTooLong
	case pw == "":
		return "", errPasswordEmpty
	}
	return pw, nil
}
