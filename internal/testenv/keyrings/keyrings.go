// Package keyrings starts a real Secret Service of a chosen
// implementation (gnome-keyring, KWallet, KeePassXC) headless, in a D-Bus
// session bus of its own that activates nothing else, so an installed
// gnome-keyring cannot take the name from the keyring under test. It is
// for tests and for ./scripts/test-keyrings (cmd withkeyring);
// docs/storage.md ("Keyrings CI runs") describes each one's settings.
package keyrings

import (
	"bufio"
	"bytes"
	"context"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"time"

	"github.com/godbus/dbus/v5"
)

// password unlocks every test keyring; it protects nothing of value.
const password = "pw"

// BusConfig is the configuration of a session bus listening at listen
// (a D-Bus address such as "unix:tmpdir=/tmp") that activates services
// only from serviceDirs: with none, nothing.
func BusConfig(listen string, serviceDirs ...string) string {
	var dirs strings.Builder
	for _, d := range serviceDirs {
		dirs.WriteString("  <servicedir>" + d + "</servicedir>\n")
	}
	return `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>` + listen + `</listen>
` + dirs.String() + `  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`
}

// env is the private environment of one run.
type env struct {
	dir, home, config, data, run, bus string
	log                               *os.File
	opts                              Options
}

func (e *env) vars() []string {
	return append(os.Environ(),
		"HOME="+e.home,
		"XDG_CONFIG_HOME="+e.config,
		"XDG_DATA_HOME="+e.data,
		"XDG_RUNTIME_DIR="+e.run,
		"DBUS_SESSION_BUS_ADDRESS="+e.bus,
		"QT_QPA_PLATFORM=offscreen",
	)
}

// Options change a keyring's settings from those CI runs with.
type Options struct {
	// ConfirmAccess turns KeePassXC's access confirmation on (its
	// default): a client's first use of each item opens a dialog.
	ConfirmAccess bool
}

// Keyring is a running headless Secret Service on a bus of its own.
type Keyring struct {
	Name string // gnome-keyring, kwallet or keepassxc
	Addr string // the bus address
	// Env is the environment a child needs to use it: HOME, XDG
	// directories, DBUS_SESSION_BUS_ADDRESS and SETUPWIZARD_KEYRING.
	Env []string
	// Ready is how long the keyring took to start and unlock.
	Ready time.Duration

	e      *env
	bus    *exec.Cmd
	daemon *exec.Cmd
}

// Names are the implementations Start knows.
var Names = []string{"gnome-keyring", "kwallet", "keepassxc"}

// Start starts the named implementation in a new bus, under dir (which
// the caller removes), and waits until its default collection is
// unlocked.
func Start(name, dir string, opts Options) (*Keyring, error) {
	start, ok := starters[name]
	if !ok {
		return nil, fmt.Errorf("unknown keyring %q (gnome-keyring, kwallet, keepassxc)", name)
	}
	e := &env{dir: dir, home: filepath.Join(dir, "home"), run: filepath.Join(dir, "run"), opts: opts}
	e.config = filepath.Join(e.home, ".config")
	e.data = filepath.Join(e.home, ".local", "share")
	for _, d := range []string{e.config, e.data} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, err
		}
	}
	if err := os.Mkdir(e.run, 0o700); err != nil {
		return nil, err
	}
	var err error
	if e.log, err = os.Create(filepath.Join(dir, name+".log")); err != nil {
		return nil, err
	}
	k := &Keyring{Name: name, e: e}
	if k.bus, e.bus, err = StartBus(dir, BusConfig("unix:tmpdir=/tmp")); err != nil {
		return nil, err
	}
	k.Addr = e.bus
	t0 := time.Now()
	k.daemon, err = start(e)
	if err == nil {
		err = waitUnlocked(e.bus, 30*time.Second, name == "kwallet")
	}
	if err != nil {
		k.Stop()
		return nil, fmt.Errorf("start %s: %w\n%s", name, err, k.Log())
	}
	k.Ready = time.Since(t0)
	k.Env = append(e.vars(), "SETUPWIZARD_KEYRING="+name)
	return k, nil
}

// Alive reports whether the keyring daemon still runs.
func (k *Keyring) Alive() bool {
	return k.daemon != nil && k.daemon.ProcessState == nil && k.daemon.Process.Signal(syscall.Signal(0)) == nil
}

// Log is the end of what the keyring daemon printed.
func (k *Keyring) Log() string {
	b, _ := os.ReadFile(k.e.log.Name())
	if len(b) > 8192 {
		b = b[len(b)-8192:]
	}
	return string(b)
}

// Stop stops the keyring and the bus.
func (k *Keyring) Stop() {
	stop(k.daemon)
	stop(k.bus)
	_ = k.e.log.Close()
}

// stop ends a process: SIGTERM, then SIGKILL if it has not gone within two
// seconds (KeePassXC does not always end on SIGTERM).
func stop(c *exec.Cmd) {
	if c == nil || c.Process == nil {
		return
	}
	done := make(chan struct{})
	go func() { _ = c.Wait(); close(done) }()
	_ = c.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		_ = c.Process.Kill()
		<-done
	}
}

// StartBus writes config (see BusConfig) to dir/bus.conf, starts a
// dbus-daemon with it and returns the daemon and its address once it
// listens; the caller stops the daemon.
func StartBus(dir, config string) (*exec.Cmd, string, error) {
	conf := filepath.Join(dir, "bus.conf")
	if err := os.WriteFile(conf, []byte(config), 0o600); err != nil {
		return nil, "", err
	}
	bus := exec.Command("dbus-daemon", "--config-file="+conf, "--nofork", "--print-address=1")
	out, err := bus.StdoutPipe()
	if err != nil {
		return nil, "", err
	}
	if err := bus.Start(); err != nil {
		return nil, "", fmt.Errorf("start dbus-daemon: %w", err)
	}
	addr, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		stop(bus)
		return nil, "", fmt.Errorf("read the bus address: %w", err)
	}
	return bus, strings.TrimSpace(addr), nil
}

// starters start each implementation; the keyring must end up unlocked.
var starters = map[string]func(*env) (*exec.Cmd, error){
	"gnome-keyring": startGnomeKeyring,
	"kwallet":       startKWallet,
	"keepassxc":     startKeePassXC,
}

func startGnomeKeyring(e *env) (*exec.Cmd, error) {
	c := exec.Command("gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets")
	c.Env = e.vars()
	c.Stdin = strings.NewReader(password)
	c.Stdout, c.Stderr = e.log, e.log
	return c, c.Start()
}

// startKWallet starts kwalletd5 the way pam_kwallet5 does at a login: it
// reads the wallet key (PBKDF2-SHA512 of the password with the salt in
// kdewallet.salt, 50000 rounds, 56 bytes) on one descriptor, waits for a
// connection on a listening socket (the session environment), and then
// creates and opens the wallet "kdewallet" with no dialog. Its Secret
// Service lists only wallets that existed when it started, so it is
// started a second time once the wallet exists.
func startKWallet(e *env) (*exec.Cmd, error) {
	rc := "[Wallet]\nEnabled=true\nFirst Use=false\nPrompt on Open=false\nClose When Idle=false\nLeave Open=true\n\n" +
		"[org.freedesktop.secrets]\napiEnabled=true\n"
	if err := os.WriteFile(filepath.Join(e.config, "kwalletrc"), []byte(rc), 0o600); err != nil {
		return nil, err
	}
	wd := filepath.Join(e.data, "kwalletd")
	if err := os.MkdirAll(wd, 0o700); err != nil {
		return nil, err
	}
	salt := make([]byte, 56)
	_, _ = rand.Read(salt)
	if err := os.WriteFile(filepath.Join(wd, "kdewallet.salt"), salt, 0o600); err != nil {
		return nil, err
	}
	key, err := pbkdf2.Key(sha512.New, password, salt, 50000, 56)
	if err != nil {
		return nil, err
	}
	first, err := pamStart(e, key)
	if err != nil {
		return nil, err
	}
	// Stopped before it has opened (and so written) the new wallet, the
	// second start finds a wallet it cannot open.
	if err := waitWalletOpen(e.bus, 20*time.Second); err != nil {
		stop(first)
		return nil, err
	}
	stop(first)
	return pamStart(e, key)
}

// waitWalletOpen waits until kwalletd5 says the wallet kdewallet is open.
func waitWalletOpen(addr string, timeout time.Duration) error {
	conn, err := dbus.Connect(addr)
	if err != nil {
		return fmt.Errorf("connect to the private bus: %w", err)
	}
	defer conn.Close()
	var last error
	err = waitFor(timeout, func() bool {
		var open bool
		last = conn.Object("org.kde.kwalletd5", "/modules/kwalletd5").Call("org.kde.KWallet.isOpen", 0, "kdewallet").Store(&open)
		return last == nil && open
	})
	if err != nil {
		return fmt.Errorf("kwalletd5 did not open the new wallet: %w (%v)", err, last)
	}
	return nil
}

// pamStart starts kwalletd5 --pam-login and hands it the key and an empty
// environment.
func pamStart(e *env, key []byte) (*exec.Cmd, error) {
	pr, pw, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	sock := filepath.Join(e.dir, "kwallet.socket")
	_ = os.Remove(sock)
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: sock, Net: "unix"})
	if err != nil {
		return nil, err
	}
	defer l.Close()
	lf, err := l.File()
	if err != nil {
		return nil, err
	}
	defer lf.Close()
	c := exec.Command("kwalletd5", "--pam-login", "3", "4")
	// kwalletd5 looks for --pam-login only when this is set, as
	// pam_kwallet5 sets it; otherwise it refuses the option.
	c.Env = append(e.vars(), "PAM_KWALLET5_LOGIN="+sock)
	c.ExtraFiles = []*os.File{pr, lf}
	c.Stdout, c.Stderr = e.log, e.log
	if err := c.Start(); err != nil {
		return nil, fmt.Errorf("start kwalletd5: %w", err)
	}
	pr.Close()
	_, err = pw.Write(key)
	pw.Close()
	if err == nil {
		var conn net.Conn
		conn, err = net.Dial("unix", sock)
		if err == nil {
			err = conn.Close()
		}
	}
	if err != nil {
		stop(c)
		return nil, fmt.Errorf("hand kwalletd5 its key: %w", err)
	}
	return c, nil
}

// startKeePassXC creates a database whose root group is exposed to the
// Secret Service, writes the settings CI runs with, and opens it with the
// password on stdin. AutoSaveAfterEveryChange is off: KeePassXC 2.7.4
// crashes after about 45 quick writes with it on (its default).
func startKeePassXC(e *env) (*exec.Cmd, error) {
	db := filepath.Join(e.dir, "keyring.kdbx")
	xmlPath := filepath.Join(e.dir, "keyring.xml")
	if err := kpcli(e, strings.Repeat(password+"\n", 2), "db-create", "-p", db); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	c := exec.Command("keepassxc-cli", "export", "-q", "-f", "xml", db)
	c.Env, c.Stdin, c.Stdout, c.Stderr = e.vars(), strings.NewReader(password+"\n"), &out, e.log
	if err := c.Run(); err != nil {
		return nil, fmt.Errorf("keepassxc-cli export: %w", err)
	}
	x, err := exposeRoot(out.String())
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(xmlPath, []byte(x), 0o600); err != nil {
		return nil, err
	}
	_ = os.Remove(db)
	if err := kpcli(e, strings.Repeat(password+"\n", 2), "import", "-p", xmlPath, db); err != nil {
		return nil, err
	}
	_ = os.Remove(xmlPath)
	ini := "[General]\nAutoSaveAfterEveryChange=false\nSingleInstance=false\nRememberLastDatabases=false\n\n" +
		"[FdoSecrets]\nEnabled=true\nShowNotification=false\n" +
		fmt.Sprintf("ConfirmAccessItem=%v\nConfirmDeleteItem=false\n", e.opts.ConfirmAccess)
	cd := filepath.Join(e.config, "keepassxc")
	if err := os.MkdirAll(cd, 0o700); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(cd, "keepassxc.ini"), []byte(ini), 0o600); err != nil {
		return nil, err
	}
	k := exec.Command("keepassxc", "--pw-stdin", db)
	k.Env = e.vars()
	k.Stdin = strings.NewReader(password + "\n")
	k.Stdout, k.Stderr = e.log, e.log
	return k, k.Start()
}

func kpcli(e *env, stdin string, args ...string) error {
	c := exec.Command("keepassxc-cli", args...)
	c.Env, c.Stdin, c.Stdout, c.Stderr = e.vars(), strings.NewReader(stdin), e.log, e.log
	if err := c.Run(); err != nil {
		return fmt.Errorf("keepassxc-cli %s: %w", args[0], err)
	}
	return nil
}

var rootUUID = regexp.MustCompile(`(?s)<Root>\s*<Group>\s*<UUID>([^<]+)</UUID>`)

// exposeRoot adds the custom data that exposes the root group to the
// Secret Service (KeePassXC's FDO_SECRETS_EXPOSED_GROUP, the group's UUID
// in braces) to an exported database.
func exposeRoot(x string) (string, error) {
	m := rootUUID.FindStringSubmatch(x)
	if m == nil {
		return "", errors.New("no root group in the exported database")
	}
	raw, err := base64.StdEncoding.DecodeString(m[1])
	if err != nil || len(raw) != 16 {
		return "", fmt.Errorf("root group UUID %q: %v", m[1], err)
	}
	h := hex.EncodeToString(raw)
	uuid := fmt.Sprintf("{%s-%s-%s-%s-%s}", h[0:8], h[8:12], h[12:16], h[16:20], h[20:])
	item := "<CustomData><Item><Key>FDO_SECRETS_EXPOSED_GROUP</Key><Value>" + uuid + "</Value></Item></CustomData>"
	if strings.Contains(x, "<CustomData/>") {
		return strings.Replace(x, "<CustomData/>", item, 1), nil
	}
	return strings.Replace(x, "</Meta>", item+"</Meta>", 1), nil
}

// waitUnlocked waits until org.freedesktop.secrets is owned and its
// default collection reports Locked false: KeePassXC puts the collection
// on the bus before --pw-stdin has unlocked it, and a client's Unlock in
// that moment opens a dialog nobody answers. kwalletd5 reports the wallet
// it opened at login as Locked to every client until the client has
// called Unlock (which then needs no prompt): with unlock set, an Unlock
// that returns the collection without a prompt counts as ready too.
func waitUnlocked(addr string, timeout time.Duration, unlock bool) error {
	conn, err := dbus.Connect(addr)
	if err != nil {
		return fmt.Errorf("connect to the private bus: %w", err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var last error
	err = waitFor(timeout, func() bool {
		obj := conn.Object("org.freedesktop.secrets", "/org/freedesktop/secrets/aliases/default")
		var v dbus.Variant
		err := obj.CallWithContext(ctx, "org.freedesktop.DBus.Properties.Get", 0,
			"org.freedesktop.Secret.Collection", "Locked").Store(&v)
		if err != nil {
			last = err
			return false
		}
		if locked, _ := v.Value().(bool); !locked {
			return true
		}
		last = errors.New("the default collection is locked")
		if !unlock {
			return false
		}
		var done []dbus.ObjectPath
		var prompt dbus.ObjectPath
		err = conn.Object("org.freedesktop.secrets", "/org/freedesktop/secrets").CallWithContext(ctx,
			"org.freedesktop.Secret.Service.Unlock", 0, []dbus.ObjectPath{"/org/freedesktop/secrets/aliases/default"}).
			Store(&done, &prompt)
		if err != nil {
			last = err
			return false
		}
		if prompt != "/" {
			ok, err := answerPrompt(ctx, conn, prompt)
			if err != nil || !ok {
				last = fmt.Errorf("the unlock prompt did not complete: %v", err)
				return false
			}
			return true
		}
		return len(done) == 1
	})
	if err != nil {
		return fmt.Errorf("%w: %v", err, last)
	}
	return nil
}

// answerPrompt shows a prompt and waits (at most two seconds) for it to
// complete; kwalletd5 completes the unlock prompt of a wallet opened at
// login at once, with no dialog.
func answerPrompt(ctx context.Context, conn *dbus.Conn, prompt dbus.ObjectPath) (bool, error) {
	match := []dbus.MatchOption{dbus.WithMatchObjectPath(prompt), dbus.WithMatchInterface("org.freedesktop.Secret.Prompt")}
	if err := conn.AddMatchSignal(match...); err != nil {
		return false, err
	}
	defer func() { _ = conn.RemoveMatchSignal(match...) }()
	ch := make(chan *dbus.Signal, 4)
	conn.Signal(ch)
	defer conn.RemoveSignal(ch)
	if err := conn.Object("org.freedesktop.secrets", prompt).CallWithContext(ctx, "org.freedesktop.Secret.Prompt.Prompt", 0, "").Err; err != nil {
		return false, err
	}
	timer := time.NewTimer(2 * time.Second)
	defer timer.Stop()
	for {
		select {
		case sig := <-ch:
			if sig.Path == prompt && len(sig.Body) > 0 {
				dismissed, _ := sig.Body[0].(bool)
				return !dismissed, nil
			}
		case <-timer.C:
			_ = conn.Object("org.freedesktop.secrets", prompt).Call("org.freedesktop.Secret.Prompt.Dismiss", 0).Err
			return false, errors.New("no answer within 2s")
		}
	}
}

// waitFor polls cond every 50 ms until it holds or timeout passes: the
// keyrings announce readiness by no signal a client could wait for.
func waitFor(timeout time.Duration, cond func() bool) error {
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			return fmt.Errorf("not ready within %v", timeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return nil
}
