//go:build linux

package prompt

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/setupwizard/setupwizard/internal/flow/flowtest"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
	"golang.org/x/sys/unix"
)

// terminal is a real pseudo-terminal: In is its tty side; typing writes to
// the master, whose reads return what the line discipline echoed.
type terminal struct {
	master, tty *os.File
	mu          sync.Mutex
	echoed      bytes.Buffer
	readDone    chan struct{}
}

func openTerminal(t *testing.T) *terminal {
	t.Helper()
	master, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	term := &terminal{master: master, tty: tty, readDone: make(chan struct{})}
	go func() {
		defer close(term.readDone)
		buf := make([]byte, 256)
		for {
			n, err := master.Read(buf)
			term.mu.Lock()
			term.echoed.Write(buf[:n])
			term.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		_ = tty.Close()
		_ = master.Close()
		<-term.readDone
	})
	return term
}

func (term *terminal) echoOn(t *testing.T) bool {
	t.Helper()
	tio, err := unix.IoctlGetTermios(int(term.tty.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	return tio.Lflag&unix.ECHO != 0
}

// waitEcho waits until the tty's ECHO flag is on (or off). termios changes
// send no event to wait on, so this re-checks, yielding, until the guard.
func (term *terminal) waitEcho(t *testing.T, on bool) {
	t.Helper()
	deadline := time.Now().Add(guard)
	for term.echoOn(t) != on {
		if time.Now().After(deadline) {
			t.Fatalf("tty echo never turned %v", on)
		}
		runtime.Gosched()
	}
}

func (term *terminal) typeLine(t *testing.T, s string) {
	t.Helper()
	if _, err := io.WriteString(term.master, s+"\n"); err != nil {
		t.Fatal(err)
	}
}

func TestTerminalPasswordNotEchoed(t *testing.T) {
	term := openTerminal(t)
	prov, st := flowtest.New(), memStore(t)
	out := &lockedBuffer{}
	done := make(chan error, 1)
	go func() {
		_, err := RunFlow(context.Background(), Options{In: term.tty, Out: out}, []provider.Provider{scripted{prov}}, addFlow(st))
		done <- err
	}()
	term.typeLine(t, "user@example.com") // echoed: ECHO is on for plain fields
	term.waitEcho(t, false)              // the password prompt turned echo off
	term.typeLine(t, "s3cret-pass")
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(guard):
		t.Fatal("RunFlow never returned")
	}
	if !term.echoOn(t) {
		t.Fatal("echo left off after the password")
	}
	_ = term.tty.Close()
	_ = term.master.Close()
	<-term.readDone
	term.mu.Lock()
	echoed := term.echoed.String()
	term.mu.Unlock()
	if !strings.Contains(echoed, "user@example.com") {
		t.Fatalf("login not echoed (is this a terminal?): %q", echoed)
	}
	if strings.Contains(echoed, "s3cret") || strings.Contains(out.String(), "s3cret") {
		t.Fatalf("password echoed: tty %q, out %q", echoed, out.String())
	}
	if !strings.Contains(out.String(), "Password: \n") {
		t.Fatalf("no newline after the unechoed password:\n%s", out.String())
	}
	if in := prov.Inputs(); len(in) != 1 || in[0]["email"] != "user@example.com" {
		t.Fatalf("validator saw %v", in)
	}
}

func TestTerminalCancelRestoresEcho(t *testing.T) {
	term := openTerminal(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := RunFlow(ctx, Options{In: term.tty, Out: io.Discard}, []provider.Provider{scripted{flowtest.New()}}, addFlow(memStore(t)))
		done <- err
	}()
	term.typeLine(t, "user@example.com")
	term.waitEcho(t, false)
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, ErrCancelled) {
			t.Fatalf("err = %v", err)
		}
	case <-time.After(guard):
		t.Fatal("RunFlow never returned")
	}
	echo := term.echoOn(t)
	// The abandoned read still holds the tty; a line lets it finish so the
	// terminal can close.
	term.typeLine(t, "")
	if !echo {
		t.Fatal("echo left off after a cancelled password prompt")
	}
}
