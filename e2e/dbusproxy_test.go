package e2e

import (
	"bufio"
	"bytes"
	byteorder "encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// busProxy sits between the binary and the D-Bus session bus (the real
// gnome-keyring behind it) and sees every message. It counts the keyring
// writes the binary makes (Secret Service CreateItem and Item.Delete) and,
// at the write a test chose, acts on it: kills the binary once the keyring
// has answered (the write landed and the binary never learned), or holds
// the write forever (a keyring that accepts a call and never answers).
// Counting writes on the wire needs no hook in the product: the binary
// under test is the release build.
type busProxy struct {
	t    *testing.T
	addr string // DBUS_SESSION_BUS_ADDRESS for the child
	up   string // the real bus's address

	mu sync.Mutex
	// writes are the keyring writes seen so far, in order: "set USER"
	// (CreateItem, with the item's username attribute) or "delete".
	writes []string
	// at is the 1-based write acted on (0: none), or match picks it by
	// its description (describeWrite); act is what to do.
	at    int
	match func(desc string) bool
	act   proxyAct
	// kill ends the child; set once it has started.
	kill func()
	// killed is closed once the child was killed at write at.
	killed chan struct{}
	// held is closed when the write at is held; release, when closed,
	// forwards it late (a stalled keyring that finally answers); landed
	// is closed once the keyring answered that late write.
	held, release, landed chan struct{}
	// acted: the action was taken.
	acted bool
	lis   net.Listener
}

// proxyAct is what busProxy does at the chosen write.
type proxyAct int

const (
	// killAfterReply forwards the write and kills the child when the
	// keyring's answer arrives, before the child reads it.
	killAfterReply proxyAct = iota + 1
	// killBefore kills the child instead of forwarding the write.
	killBefore
	// hold keeps the write (and everything after it on that connection)
	// until release is closed, then forwards it.
	hold
)

// newBusProxy listens on a unix socket of its own and forwards to the
// bus up ("" for the session bus this process uses).
func newBusProxy(t *testing.T, up string) *busProxy {
	t.Helper()
	if up == "" {
		up = os.Getenv("DBUS_SESSION_BUS_ADDRESS")
	}
	if up == "" {
		t.Skip("no D-Bus session bus")
	}
	dir, err := os.MkdirTemp("", "swproxy")
	if err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "bus")
	lis, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	p := &busProxy{t: t, addr: "unix:path=" + sock, up: up, lis: lis,
		killed: make(chan struct{}), held: make(chan struct{}), release: make(chan struct{}), landed: make(chan struct{})}
	t.Cleanup(func() {
		_ = lis.Close()
		p.mu.Lock()
		if !p.isReleased() {
			close(p.release)
		}
		p.mu.Unlock()
		_ = os.RemoveAll(dir)
	})
	go p.accept()
	return p
}

func (p *busProxy) isReleased() bool {
	select {
	case <-p.release:
		return true
	default:
		return false
	}
}

// env points the child at the proxy.
func (p *busProxy) env() []string { return []string{"DBUS_SESSION_BUS_ADDRESS=" + p.addr} }

// arm makes the proxy act at the n-th keyring write.
func (p *busProxy) arm(n int, act proxyAct) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.at, p.act = n, act
}

// armWhen makes the proxy act at the first keyring write match accepts.
func (p *busProxy) armWhen(match func(desc string) bool, act proxyAct) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.match, p.act = match, act
}

// setKill tells the proxy how to kill the child.
func (p *busProxy) setKill(kill func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.kill = kill
}

// count is how many keyring writes the proxy saw.
func (p *busProxy) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.writes)
}

// didAct reports whether the armed action happened.
func (p *busProxy) didAct() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.acted
}

func (p *busProxy) accept() {
	for {
		c, err := p.lis.Accept()
		if err != nil {
			return
		}
		go p.serve(c)
	}
}

// upstreamDial connects to the socket of a unix:path= or unix:abstract= address.
func upstreamDial(addr string) (net.Conn, error) {
	for _, part := range strings.Split(addr, ";") {
		kind, rest, _ := strings.Cut(part, ":")
		if kind != "unix" {
			continue
		}
		for _, kv := range strings.Split(rest, ",") {
			k, v, _ := strings.Cut(kv, "=")
			switch k {
			case "path":
				return net.Dial("unix", v)
			case "abstract":
				return net.Dial("unix", "@"+v)
			}
		}
	}
	return nil, fmt.Errorf("no unix socket in bus address %q", addr)
}

// proxyConn is one client connection through the proxy.
type proxyConn struct {
	p        *busProxy
	down, up net.Conn
	mu       sync.Mutex
	// killOnReply is the serial whose reply kills the child (0: none);
	// landOnReply the serial of a held write let through late.
	killOnReply, landOnReply uint32
	// searched is the username of the client's last SearchItems: an
	// Item.SetSecret (a replace) names only an object path, and the client
	// searches for the item just before it writes. Used by fromClient only.
	searched string
}

func (p *busProxy) serve(down net.Conn) {
	up, err := upstreamDial(p.up)
	if err != nil {
		_ = down.Close()
		return
	}
	c := &proxyConn{p: p, down: down, up: up}
	go c.fromBus()
	c.fromClient()
}

func (c *proxyConn) close() {
	_ = c.down.Close()
	_ = c.up.Close()
}

// fromClient relays the authentication lines as they are, then one
// message at a time, acting on the chosen write.
func (c *proxyConn) fromClient() {
	defer func() {
		// A held write let through after its client left must still
		// reach the keyring: keep the bus connection until it answered.
		c.mu.Lock()
		late := c.landOnReply != 0
		c.mu.Unlock()
		if late {
			select {
			case <-c.p.landed:
			case <-time.After(exitWait):
			}
		}
		c.close()
	}()
	r := bufio.NewReader(c.down)
	if !relayClientAuth(r, c.up) {
		return
	}
	for {
		raw, msg, err := readMessage(r)
		if err != nil {
			return
		}
		if !c.onCall(msg) {
			return
		}
		if _, err := c.up.Write(raw); err != nil {
			return
		}
	}
}

// onCall counts a keyring write and acts when it is the chosen one. It
// returns false when the message must not be forwarded (the child is
// being killed).
func (c *proxyConn) onCall(msg *dbus.Message) bool {
	if msg.Type != dbus.TypeMethodCall {
		return true
	}
	member, _ := msg.Headers[dbus.FieldMember].Value().(string)
	iface, _ := msg.Headers[dbus.FieldInterface].Value().(string)
	if member == "SearchItems" && len(msg.Body) > 0 {
		attrs, _ := msg.Body[0].(map[string]string)
		c.searched = attrs["username"]
	}
	write := (iface == "org.freedesktop.Secret.Collection" && member == "CreateItem") ||
		(iface == "org.freedesktop.Secret.Item" && (member == "Delete" || member == "SetSecret"))
	if !write {
		return true
	}
	p := c.p
	p.mu.Lock()
	desc := describeWrite(msg)
	if member == "SetSecret" {
		desc = "set " + c.searched
	}
	p.writes = append(p.writes, desc)
	n := len(p.writes)
	chosen := n == p.at || (p.match != nil && p.match(desc))
	if !chosen || p.acted {
		p.mu.Unlock()
		return true
	}
	p.acted = true
	act, kill := p.act, p.kill
	p.mu.Unlock()
	switch act {
	case killBefore:
		kill()
		close(p.killed)
		return false
	case killAfterReply:
		c.mu.Lock()
		c.killOnReply = msg.Serial()
		c.mu.Unlock()
	case hold:
		close(p.held)
		<-p.release
		c.mu.Lock()
		c.landOnReply = msg.Serial()
		c.mu.Unlock()
	}
	return true
}

// describeWrite is "set USER" for a CreateItem (its username attribute),
// "delete" for an Item.Delete (which names only an object path); onCall
// names an Item.SetSecret by the last search.
func describeWrite(msg *dbus.Message) string {
	member, _ := msg.Headers[dbus.FieldMember].Value().(string)
	if member != "CreateItem" || len(msg.Body) == 0 {
		return "delete"
	}
	props, _ := msg.Body[0].(map[string]dbus.Variant)
	attrs, _ := props["org.freedesktop.Secret.Item.Attributes"].Value().(map[string]string)
	return "set " + attrs["username"]
}

// log is the keyring writes seen so far.
func (p *busProxy) log() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.writes...)
}

// fromBus relays the bus's answers; the reply to a write chosen for
// killAfterReply kills the child instead of reaching it.
func (c *proxyConn) fromBus() {
	defer c.close()
	r := bufio.NewReader(c.up)
	if !relayBusAuth(r, c.down) {
		return
	}
	for {
		raw, msg, err := readMessage(r)
		if err != nil {
			return
		}
		if msg.Type == dbus.TypeMethodReply || msg.Type == dbus.TypeError {
			serial, _ := msg.Headers[dbus.FieldReplySerial].Value().(uint32)
			c.mu.Lock()
			match := c.killOnReply != 0 && serial == c.killOnReply
			if c.landOnReply != 0 && serial == c.landOnReply {
				close(c.p.landed)
			}
			c.mu.Unlock()
			if match {
				c.p.mu.Lock()
				kill := c.p.kill
				c.p.mu.Unlock()
				kill()
				close(c.p.killed)
				return
			}
		}
		if _, err := c.down.Write(raw); err != nil {
			return
		}
	}
}

// relayClientAuth copies the client's side of the SASL exchange (a NUL
// byte, then lines up to BEGIN) from r to up; false when either side
// failed.
func relayClientAuth(r *bufio.Reader, up io.Writer) bool {
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return false
		}
		if _, err := up.Write([]byte(line)); err != nil {
			return false
		}
		if strings.TrimLeft(line, "\x00") == "BEGIN\r\n" {
			return true
		}
	}
}

// relayBusAuth copies the bus's SASL answers (text lines) from r to down
// until the first message, which starts with its byte-order mark as no
// answer does; false when the bus side failed. A client that left before
// the answers is not an error here: the caller sees it on its own side.
func relayBusAuth(r *bufio.Reader, down io.Writer) bool {
	for {
		b, err := r.Peek(1)
		if err != nil {
			return false
		}
		if b[0] == 'l' || b[0] == 'B' {
			return true
		}
		line, err := r.ReadString('\n')
		if err != nil {
			return false
		}
		_, _ = down.Write([]byte(line))
	}
}

// readMessage reads one whole D-Bus message: the fixed header says how
// long the header fields and the body are (D-Bus specification, "Message
// Format").
func readMessage(r *bufio.Reader) ([]byte, *dbus.Message, error) {
	fixed := make([]byte, 16)
	if _, err := io.ReadFull(r, fixed); err != nil {
		return nil, nil, err
	}
	var order byteorder.ByteOrder
	switch fixed[0] {
	case 'l':
		order = byteorder.LittleEndian
	case 'B':
		order = byteorder.BigEndian
	default:
		return nil, nil, errors.New("bad byte order mark")
	}
	body := order.Uint32(fixed[4:8])
	fields := order.Uint32(fixed[12:16])
	hdr := 16 + int(fields)
	hdr += (8 - hdr%8) % 8
	total := hdr + int(body)
	if total > 128<<20 {
		return nil, nil, errors.New("message too large")
	}
	raw := make([]byte, total)
	copy(raw, fixed)
	if _, err := io.ReadFull(r, raw[16:]); err != nil {
		return nil, nil, err
	}
	msg, err := dbus.DecodeMessage(bytes.NewReader(raw))
	if err != nil {
		return nil, nil, fmt.Errorf("decode a D-Bus message: %w", err)
	}
	return raw, msg, nil
}
