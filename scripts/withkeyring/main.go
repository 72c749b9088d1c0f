// Command withkeyring runs a command against a real Secret Service of the
// chosen implementation, started headless in a D-Bus session bus of its
// own that activates nothing else (package keyrings):
//
//	go run ./scripts/withkeyring -keyring kwallet -- go test ./internal/store/...
//
// The command runs with a private HOME and XDG directories,
// DBUS_SESSION_BUS_ADDRESS and SETUPWIZARD_KEYRING (the implementation's
// name) set; the keyring and the bus are stopped after it. A keyring that
// died during the run fails it.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"time"

	"github.com/setupwizard/setupwizard/internal/testenv/keyrings"
)

func main() {
	name := flag.String("keyring", "gnome-keyring", "gnome-keyring, kwallet or keepassxc")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: withkeyring -keyring NAME -- command [args...]")
		os.Exit(2)
	}
	os.Exit(run(*name, flag.Args()))
}

func run(name string, argv []string) int {
	dir, err := os.MkdirTemp("", "setupwizard-keyring-")
	if err != nil {
		fmt.Fprintf(os.Stderr, "withkeyring: %v\n", err)
		return 1
	}
	defer os.RemoveAll(dir)
	k, err := keyrings.Start(name, dir, keyrings.Options{})
	if err != nil {
		fmt.Fprintf(os.Stderr, "withkeyring: %v\n", err)
		return 1
	}
	defer k.Stop()
	fmt.Fprintf(os.Stderr, "withkeyring: %s ready in %v\n", name, k.Ready.Round(time.Millisecond))

	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = k.Env
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	rc := 0
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			fmt.Fprintf(os.Stderr, "withkeyring: %v\n", err)
			return 1
		}
		rc = ee.ExitCode()
	}
	if !k.Alive() {
		fmt.Fprintf(os.Stderr, "withkeyring: %s exited during the run; it printed:\n%s\n", name, k.Log())
		if rc == 0 {
			rc = 1
		}
	}
	return rc
}
