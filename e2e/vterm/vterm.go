// Package vterm runs a program in a pseudo-terminal and keeps a terminal
// emulator fed from its output, so end-to-end tests and benchmarks read the
// screen as a person sees it (after cursor moves, erases and redraws)
// instead of grepping escape-laden bytes. The raw output is kept as well,
// for secret scans.
package vterm

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/creack/pty"
	"github.com/hinshun/vt10x"
)

// Keys as a terminal sends them in raw mode.
const (
	Tab   = "\t"
	Enter = "\r"
	Esc   = "\x1b"
	CtrlC = "\x03"
	Up    = "\x1b[A"
	Down  = "\x1b[B"
)

// pollEvery bounds how long a waiter can miss an update; output
// notifications normally wake it at once.
const pollEvery = 50 * time.Millisecond

// Term is one program running in a pseudo-terminal.
type Term struct {
	cmd   *exec.Cmd
	ptmx  *os.File
	vt    vt10x.Terminal
	start time.Time

	mu  sync.Mutex
	raw bytes.Buffer

	// changed gets a token after each chunk of output (never blocks).
	changed chan struct{}
	// eof is closed when the pty gives no more output.
	eof chan struct{}
	// exited is closed when the process has been reaped; code is then set.
	exited  chan struct{}
	code    int
	waitErr error

	replies   chan []byte
	closeOnce sync.Once
	filter    vtFilter
}

// Start runs bin with args and env (the whole environment: nothing is
// inherited implicitly) in a new pty of cols x rows.
func Start(bin string, args, env []string, cols, rows int) (*Term, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	t := &Term{
		cmd:     cmd,
		changed: make(chan struct{}, 1),
		eof:     make(chan struct{}),
		exited:  make(chan struct{}),
		replies: make(chan []byte, 64),
	}
	// The emulator answers queries (cursor position, device status) the way
	// a real terminal does; replies go through a channel so its lock is
	// never held across a pty write.
	t.vt = vt10x.New(vt10x.WithSize(cols, rows), vt10x.WithWriter(replyWriter{t.replies}))
	t.start = time.Now()
	ptmx, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: uint16(cols), Rows: uint16(rows)})
	if err != nil {
		return nil, fmt.Errorf("start %s in a pty: %w", bin, err)
	}
	t.ptmx = ptmx
	go t.readLoop()
	go t.replyLoop()
	go func() {
		err := cmd.Wait()
		t.code = cmd.ProcessState.ExitCode()
		t.waitErr = err
		close(t.exited)
	}()
	return t, nil
}

type replyWriter struct{ ch chan []byte }

func (w replyWriter) Write(p []byte) (int, error) {
	select {
	case w.ch <- bytes.Clone(p):
	default: // a flood of queries: drop rather than block the parser
	}
	return len(p), nil
}

func (t *Term) replyLoop() {
	for {
		select {
		case b := <-t.replies:
			_, _ = t.ptmx.Write(b)
		case <-t.eof:
			return
		}
	}
}

func (t *Term) readLoop() {
	defer close(t.eof)
	buf := make([]byte, 32<<10)
	for {
		n, err := t.ptmx.Read(buf)
		if n > 0 {
			t.mu.Lock()
			t.raw.Write(buf[:n])
			t.mu.Unlock()
			_, _ = t.vt.Write(t.filter.feed(buf[:n]))
			select {
			case t.changed <- struct{}{}:
			default:
			}
		}
		if err != nil { // EIO once the child and its tty are gone
			return
		}
	}
}

// Signal sends sig to the program (SIGINT as a shell would, SIGQUIT for a
// goroutine dump when a test is stuck).
func (t *Term) Signal(sig os.Signal) error { return t.cmd.Process.Signal(sig) }

// Started is when the process was started.
func (t *Term) Started() time.Time { return t.start }

// Type sends s as typed keys.
func (t *Term) Type(s string) error {
	if _, err := io.WriteString(t.ptmx, s); err != nil {
		return fmt.Errorf("type into the pty: %w", err)
	}
	return nil
}

// Press sends one key (Tab, Enter, Esc, CtrlC, ...).
func (t *Term) Press(key string) error { return t.Type(key) }

// Resize changes the pty's size, so the child gets SIGWINCH, and the
// emulated screen's.
func (t *Term) Resize(cols, rows int) error {
	t.vt.Resize(cols, rows)
	if err := pty.Setsize(t.ptmx, &pty.Winsize{Cols: uint16(cols), Rows: uint16(rows)}); err != nil {
		return fmt.Errorf("resize the pty: %w", err)
	}
	return nil
}

// Screen is the emulated screen, one line per row, trailing blanks trimmed.
func (t *Term) Screen() string {
	lines := strings.Split(t.vt.String(), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \x00")
	}
	return strings.TrimRight(strings.Join(lines, "\n"), "\n")
}

// AltScreen reports whether the program left the terminal on the
// alternate screen.
func (t *Term) AltScreen() bool { return t.vt.Mode()&vt10x.ModeAltScreen != 0 }

// CursorVisible reports whether the cursor is shown.
func (t *Term) CursorVisible() bool { return t.vt.CursorVisible() }

// Raw is every byte the program wrote to the terminal so far.
func (t *Term) Raw() []byte {
	t.mu.Lock()
	defer t.mu.Unlock()
	return bytes.Clone(t.raw.Bytes())
}

// ErrTimeout is wrapped by WaitFor and Wait when the deadline passes.
var ErrTimeout = errors.New("timed out")

// WaitFor returns once the screen contains text. timeout is a failure
// bound; the wait ends as soon as the text is drawn.
func (t *Term) WaitFor(text string, timeout time.Duration) error {
	_, err := t.WaitForAny([]string{text}, timeout)
	return err
}

// WaitForAny returns the first of texts the screen contains.
func (t *Term) WaitForAny(texts []string, timeout time.Duration) (string, error) {
	var found string
	err := t.WaitUntil(fmt.Sprintf("%q", texts), func(s string) bool {
		for _, x := range texts {
			if strings.Contains(s, x) {
				found = x
				return true
			}
		}
		return false
	}, timeout)
	return found, err
}

// WaitUntil returns once cond holds for the screen. cond is evaluated after
// each chunk of output and on a short ticker (for state that changes
// without output, such as the terminal's echo flag); what describes it in
// the error.
func (t *Term) WaitUntil(what string, cond func(screen string) bool, timeout time.Duration) error {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	for {
		if cond(t.Screen()) {
			return nil
		}
		select {
		case <-t.changed:
		case <-tick.C:
		case <-t.eof:
			// One last look: the final output may have just landed.
			if s := t.Screen(); !cond(s) {
				return fmt.Errorf("the program ended before %s; screen:\n%s", what, s)
			}
			return nil
		case <-deadline.C:
			return fmt.Errorf("%w after %v waiting for %s; screen:\n%s", ErrTimeout, timeout, what, t.Screen())
		}
	}
}

// LastLine is the screen's last non-blank line: where a line prompt waits.
func LastLine(screen string) string {
	lines := strings.Split(strings.TrimRight(screen, "\n "), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// Exited is closed once the process has ended.
func (t *Term) Exited() <-chan struct{} { return t.exited }

// Wait waits up to timeout for the process to end and its output to drain,
// and returns its exit code (-1 when a signal killed it).
func (t *Term) Wait(timeout time.Duration) (int, error) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	select {
	case <-t.exited:
	case <-deadline.C:
		return -1, fmt.Errorf("%w after %v waiting for the program to exit; screen:\n%s", ErrTimeout, timeout, t.Screen())
	}
	select {
	case <-t.eof:
	case <-deadline.C:
	}
	return t.code, nil
}

// Close kills the program if it still runs and releases the pty.
func (t *Term) Close() {
	t.closeOnce.Do(func() {
		select {
		case <-t.exited:
		default:
			_ = t.cmd.Process.Kill()
			<-t.exited
		}
		_ = t.ptmx.Close()
	})
}
