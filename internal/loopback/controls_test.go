package loopback

import (
	"context"
	"net/http"
	"testing"
	"time"
)

func request(t *testing.T, ctx context.Context) *http.Request {
	t.Helper()
	r, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://127.0.0.1/held", nil)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestControls: a hang holds a request (announced on Hanging) until the
// client gives up, and Wait then says not to answer; latency lets a
// request through, or not when the client gives up first; Release lets
// held requests go; the count is the emulators' Requests.
func TestControls(t *testing.T) {
	var c Controls
	if !c.Wait(request(t, context.Background())) {
		t.Fatal("Wait refused a request with no hang and no latency")
	}

	c.SetHang(true)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan bool)
	go func() { done <- c.Wait(request(t, ctx)) }()
	if path := <-c.Hanging(); path != "/held" {
		t.Fatalf("Hanging reported %q", path)
	}
	cancel()
	if <-done {
		t.Fatal("a held request may be answered after its client gave up")
	}

	go func() { done <- c.Wait(request(t, context.Background())) }()
	<-c.Hanging()
	c.Release()
	if <-done {
		t.Fatal("a request let go by Release may be answered")
	}

	var l Controls
	l.SetLatency(time.Millisecond)
	if !l.Wait(request(t, context.Background())) {
		t.Fatal("latency refused a patient client")
	}
	l.SetLatency(time.Hour)
	gone, stop := context.WithCancel(context.Background())
	stop()
	if l.Wait(request(t, gone)) {
		t.Fatal("latency answered a client that gave up")
	}

	l.Count()
	l.Count()
	if n := l.Requests(); n != 2 {
		t.Fatalf("Requests = %d, want 2", n)
	}
	l.ResetRequests()
	if n := l.Requests(); n != 0 {
		t.Fatalf("Requests after ResetRequests = %d", n)
	}
}
