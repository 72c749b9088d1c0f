package e2e

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/godbus/dbus/v5"
)

// keyringShield stands between every process of the suite and the suite's
// bus, and keeps a process's bus connection open after the process is gone
// until each of its method calls has been answered.
//
// Why: gnome-keyring 42 aborts when a client's connection closes while
// the client's OpenSession is still being dispatched (docs/storage.md,
// "Leaving the keyring"). The binary leaves the keyring cleanly on every
// exit of its own, but the suite ends binaries on purpose at every point
// (SIGKILL at each keyring write, SIGQUIT, ctrl+c, timeouts), and on a
// loaded machine the daemon's main loop is slow enough for a process that
// just started to vanish with its first OpenSession on the wire. One such
// abort takes the keyring away from every later test. The shield changes
// nothing a process sees: it relays every byte both ways and only delays
// closing the connection on the daemon's side.
type keyringShield struct {
	addr string // DBUS_SESSION_BUS_ADDRESS for the suite's processes
	up   string // the real bus
	lis  net.Listener

	mu sync.Mutex
	// left lists, per client that left with calls on the wire, the
	// methods it was waiting for: what the shield kept from the keyring.
	left []string
}

// shieldDrain bounds how long a gone client's connection is kept for its
// answers; a call the keyring never answers (a stall test's) is given up.
const shieldDrain = 30 * time.Second

// startShield listens on a socket in dir and relays to the bus up.
func startShield(dir, up string) (*keyringShield, error) {
	sock := filepath.Join(dir, "shield")
	lis, err := net.Listen("unix", sock)
	if err != nil {
		return nil, err
	}
	s := &keyringShield{addr: "unix:path=" + sock, up: up, lis: lis}
	go s.accept()
	return s, nil
}

// close stops accepting and reports the clients that left with calls on
// the wire (each one a process ended mid-call, on purpose or not).
func (s *keyringShield) close() {
	_ = s.lis.Close()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.left) > 0 {
		fmt.Fprintf(os.Stderr, "e2e: %d processes left the keyring with calls on the wire (the shield kept their connections until answered):\n  %s\n",
			len(s.left), strings.Join(s.left, "\n  "))
	}
}

func (s *keyringShield) accept() {
	for {
		c, err := s.lis.Accept()
		if err != nil {
			return
		}
		go s.serve(c)
	}
}

// shieldConn is one client connection through the shield.
type shieldConn struct {
	down, up net.Conn
	mu       sync.Mutex
	// pending are the serials of the client's method calls that expect
	// an answer and have none yet; drained is closed when pending empties
	// after the client left.
	pending map[uint32]string
	gone    bool
	drained chan struct{}
}

func (s *keyringShield) serve(down net.Conn) {
	up, err := upstreamDial(s.up)
	if err != nil {
		_ = down.Close()
		return
	}
	c := &shieldConn{down: down, up: up, pending: map[uint32]string{}, drained: make(chan struct{})}
	go c.fromBus()
	c.fromClient()
	// The client is gone: keep the bus connection until its calls are
	// answered, so the keyring never meets a call of a vanished client.
	c.mu.Lock()
	c.gone = true
	if len(c.pending) > 0 {
		var calls []string
		for _, m := range c.pending {
			calls = append(calls, m)
		}
		sort.Strings(calls)
		s.mu.Lock()
		s.left = append(s.left, strings.Join(calls, ", "))
		s.mu.Unlock()
	}
	c.checkDrained()
	c.mu.Unlock()
	select {
	case <-c.drained:
	case <-time.After(shieldDrain):
	}
	_ = c.up.Close()
	_ = c.down.Close()
}

// checkDrained closes drained once the client is gone and nothing is
// pending. c.mu is held.
func (c *shieldConn) checkDrained() {
	if c.gone && len(c.pending) == 0 {
		select {
		case <-c.drained:
		default:
			close(c.drained)
		}
	}
}

// fromClient relays the authentication lines, then whole messages,
// noting each method call that expects an answer.
func (c *shieldConn) fromClient() {
	r := bufio.NewReader(c.down)
	if !relayClientAuth(r, c.up) {
		return
	}
	for {
		raw, msg, err := readMessage(r)
		if err != nil {
			return
		}
		if msg.Type == dbus.TypeMethodCall && msg.Flags&dbus.FlagNoReplyExpected == 0 {
			c.mu.Lock()
			member, _ := msg.Headers[dbus.FieldMember].Value().(string)
			c.pending[msg.Serial()] = member
			c.mu.Unlock()
		}
		if _, err := c.up.Write(raw); err != nil {
			return
		}
	}
}

// fromBus relays the bus's lines and messages to the client, and keeps
// reading (for the answers) after the client is gone.
func (c *shieldConn) fromBus() {
	r := bufio.NewReader(c.up)
	if !relayBusAuth(r, c.down) {
		c.upGone()
		return
	}
	for {
		raw, msg, err := readMessage(r)
		if err != nil {
			c.upGone()
			return
		}
		if msg.Type == dbus.TypeMethodReply || msg.Type == dbus.TypeError {
			serial, _ := msg.Headers[dbus.FieldReplySerial].Value().(uint32)
			c.mu.Lock()
			delete(c.pending, serial)
			c.checkDrained()
			c.mu.Unlock()
		}
		// A client that left cannot read it; the answer only had to
		// reach the end of the wire.
		_, _ = c.down.Write(raw)
	}
}

// upGone ends the wait for answers that can no longer come, and the
// client's side, as the bus closing would.
func (c *shieldConn) upGone() {
	c.mu.Lock()
	c.pending = map[uint32]string{}
	c.gone = true
	c.checkDrained()
	c.mu.Unlock()
	_ = c.down.Close()
}
