package loopback

import (
	"net/http"
	"sync"
	"time"
)

// Controls are the knobs every emulator offers its tests and the demo
// (provider.Emulator's SetHang, SetLatency, Requests and ResetRequests) and
// the waiting they cause, written once for all emulators. An emulator
// embeds it, counts each request with Count and lets Wait hold a request
// before answering it. The zero value is ready to use.
type Controls struct {
	mu      sync.Mutex
	hang    bool
	latency time.Duration
	count   int

	once    sync.Once
	hanging chan string
	closed  chan struct{}
	release sync.Once
}

func (c *Controls) init() {
	c.once.Do(func() {
		c.hanging = make(chan string, 64)
		c.closed = make(chan struct{})
	})
}

// SetHang makes every request hang until the client gives up (true), or
// answer again (false).
func (c *Controls) SetHang(on bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.hang = on
}

// SetLatency delays every answer by d (0 or less: none); a client that
// gives up first is let go at once.
func (c *Controls) SetLatency(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.latency = max(d, 0)
}

// Count counts one request.
func (c *Controls) Count() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.count++
}

// Requests is how many requests were counted since ResetRequests.
func (c *Controls) Requests() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.count
}

// ResetRequests sets the count back to zero.
func (c *Controls) ResetRequests() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.count = 0
}

// Hanging receives the path of every request a hang holds, so a test can
// act exactly while a request is in flight instead of sleeping.
func (c *Controls) Hanging() <-chan string {
	c.init()
	return c.hanging
}

// Wait applies SetHang and SetLatency to r before it is answered. It
// reports false when r must not be answered: a hang held it until the
// client gave up, or the client gave up (or the emulator closed) during
// the latency. The emulator must then send nothing and abort the
// connection (panic(http.ErrAbortHandler)): the client closing its
// connection is what ends the hold, and an answer written at that moment
// can still reach a client whose read raced its own close (net/http's
// transport prefers a response that arrived with the close), so a "hang"
// would sometimes answer.
func (c *Controls) Wait(r *http.Request) bool {
	c.init()
	c.mu.Lock()
	hang, latency := c.hang, c.latency
	c.mu.Unlock()
	if hang {
		c.Hold(r)
		return false
	}
	if latency > 0 {
		t := time.NewTimer(latency)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return false
		case <-c.closed:
			return false
		}
	}
	return true
}

// Hold holds r until the client gives up or the emulator closes,
// announcing its path on Hanging first.
func (c *Controls) Hold(r *http.Request) {
	c.init()
	select {
	case c.hanging <- r.URL.Path:
	default:
	}
	select {
	case <-r.Context().Done():
	case <-c.closed:
	}
}

// Release lets every held request go, for good: an emulator calls it when
// it closes.
func (c *Controls) Release() {
	c.init()
	c.release.Do(func() { close(c.closed) })
}
