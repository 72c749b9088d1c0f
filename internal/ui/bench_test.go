package ui

import (
	"bytes"
	"context"
	"errors"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/setupwizard/setupwizard/internal/flow"
	"github.com/setupwizard/setupwizard/internal/flow/flowtest"
	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

// firstFrame closes seen when the output first shows the form.
type firstFrame struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	seen chan struct{}
}

func (f *firstFrame) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	had := bytes.Contains(f.buf.Bytes(), []byte("Password"))
	f.buf.Write(p)
	if !had && bytes.Contains(f.buf.Bytes(), []byte("Password")) {
		close(f.seen)
	}
	return len(p), nil
}

// BenchmarkFirstFrame is RunFlow's start-up: from the call to the form's
// first bytes on the output (the program start, strings, first render).
func BenchmarkFirstFrame(b *testing.B) {
	prov := flowtest.New()
	var total time.Duration
	for b.Loop() {
		in, typing := io.Pipe()
		out := &firstFrame{seen: make(chan struct{})}
		done := make(chan error, 1)
		start := time.Now()
		go func() {
			_, err := RunFlow(context.Background(), Options{In: in, Out: out, NoColor: true, Width: 80, Height: 24},
				[]provider.Provider{scripted{prov}}, func(p provider.Provider) (*flow.Flow, error) { return flow.NewUser(p, newMemStore()), nil })
			done <- err
		}()
		<-out.seen
		total += time.Since(start)
		_, _ = io.WriteString(typing, "\x03")
		if err := <-done; !errors.Is(err, ErrCancelled) {
			b.Fatal(err)
		}
		_ = typing.Close()
	}
	b.ReportMetric(float64(total.Microseconds())/float64(b.N)/1000, "ms/first-frame")
}
