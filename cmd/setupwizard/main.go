// Command setupwizard signs a person into a cloud service the way a Home
// Assistant config flow does and keeps only the token cache in the OS
// keyring. All logic lives in internal/cli; this only wires the process.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/setupwizard/setupwizard/internal/cli"
	"github.com/setupwizard/setupwizard/internal/store"
)

// keyringLeaveWait bounds how long an exit waits for a keyring call still
// in flight (the interactive probe, a call abandoned at a timeout).
const keyringLeaveWait = time.Second

func main() {
	// Before any secret is read: a core dump must never hold one.
	if err := cli.Harden(); err != nil {
		fmt.Fprintf(os.Stderr, "setupwizard: cannot disable core dumps: %v\n", err)
		os.Exit(cli.ExitFlow)
	}
	// SIGINT/SIGTERM cancel whatever is in flight (scripted mode; the TUI
	// reads ctrl+c as a key in raw mode) so nothing half-done is saved.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// After the first signal the default action comes back, so a second
	// ctrl+c ends a run stuck where cancelling cannot reach (a keyring
	// call that never returns).
	go func() {
		<-ctx.Done()
		stop()
	}()
	code := cli.Main(ctx, os.Args[1:], cli.System(), os.Getenv)
	stop()
	// Leave the keyring the way a well-behaved client does: with no call
	// on the wire (CloseSystemKeyring), but never hang the exit on it.
	store.CloseSystemKeyring(keyringLeaveWait)
	os.Exit(code)
}
