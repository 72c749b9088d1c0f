package trace

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// transport is the RoundTripper Wrap returns.
type transport struct {
	t    *Tracer
	next http.RoundTripper
}

// capture is up to MaxBody bytes of a body, read ahead of the caller.
type capture struct {
	data []byte // at most MaxBody
	cut  bool   // more followed
	err  error  // reading stopped on this error
}

// readBody reads up to MaxBody+1 bytes of body and returns the capture and
// a body that replays them and then continues with the rest (or the read
// error), closing the original: the caller sees exactly the original bytes.
func readBody(body io.ReadCloser) (capture, io.ReadCloser) {
	buf, err := io.ReadAll(io.LimitReader(body, MaxBody+1))
	c := capture{data: buf, err: err}
	if len(buf) > MaxBody {
		c.data, c.cut = buf[:MaxBody], true
	}
	var rest io.Reader = body
	if err != nil {
		rest = errReader{err}
	}
	return c, &replayBody{Reader: io.MultiReader(bytes.NewReader(buf), rest), Closer: body}
}

type replayBody struct {
	io.Reader
	io.Closer
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// RoundTrip traces one exchange. The request is not modified: when it has a
// body, a clone carries the replaying body. The record is written before
// RoundTrip returns, so a secret forgotten after the validation was still
// registered while its exchanges were rendered.
func (tr *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	started := time.Now()
	rec := record{at: tr.t.offset(), req: req}
	out := req
	if req.Body != nil && req.Body != http.NoBody {
		var body io.ReadCloser
		rec.reqBody, body = readBody(req.Body)
		out = req.Clone(req.Context())
		out.Body = body
	}
	resp, err := tr.next.RoundTrip(out)
	rec.took = time.Since(started)
	rec.resp, rec.err = resp, err
	if err == nil && resp != nil && resp.Body != nil && resp.Body != http.NoBody &&
		resp.StatusCode != http.StatusSwitchingProtocols {
		rec.respBody, resp.Body = readBody(resp.Body)
		rec.took = time.Since(started)
	}
	tr.t.writeRecord(rec)
	return resp, err
}

// record is one exchange as seen by the transport.
type record struct {
	at       string
	took     time.Duration
	req      *http.Request
	reqBody  capture
	resp     *http.Response
	respBody capture
	err      error
}

// writeRecord renders rec with the secrets registered now and writes it.
func (t *Tracer) writeRecord(rec record) {
	r := t.redactor()
	var b strings.Builder
	req := rec.req
	fmt.Fprintf(&b, "=== #%d %s %s %s\n", t.nextSeq(), rec.at, req.Method, r.url(req.URL.String()))
	if req.Host != "" && req.Host != req.URL.Host {
		fmt.Fprintf(&b, "> Host: %s\n", r.text(req.Host))
	}
	writeHeader(&b, "> ", r.header(req.Header))
	writeBody(&b, "> ", r, req.Header, rec.reqBody)
	if rec.err != nil {
		fmt.Fprintf(&b, "! error after %s: %s\n", rec.took.Round(time.Microsecond), r.text(rec.err.Error()))
	}
	if resp := rec.resp; resp != nil {
		fmt.Fprintf(&b, "< %s %s (%s)\n", resp.Proto, r.text(resp.Status), rec.took.Round(time.Microsecond))
		writeHeader(&b, "< ", r.header(resp.Header))
		writeBody(&b, "< ", r, resp.Header, rec.respBody)
	}
	b.WriteString("\n")
	t.write(r.final(b.String()))
}

func writeHeader(b *strings.Builder, prefix string, h http.Header) {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range h[k] {
			b.WriteString(lines(prefix, k+": "+v))
		}
	}
}

// writeBody shows a captured body: compressed or binary bodies only by
// size, since they cannot be redacted.
func writeBody(b *strings.Builder, prefix string, r redactor, h http.Header, c capture) {
	if len(c.data) == 0 && c.err == nil {
		return
	}
	b.WriteString(prefix + "\n")
	data := c.data
	if c.cut {
		data = trimRune(data)
	}
	switch {
	case len(data) == 0:
	case h.Get("Content-Encoding") != "" && !strings.EqualFold(h.Get("Content-Encoding"), "identity"):
		fmt.Fprintf(b, "%s[%d bytes, Content-Encoding %s, not shown]\n", prefix, len(c.data), r.text(h.Get("Content-Encoding")))
	case !utf8.Valid(data) || bytes.IndexByte(data, 0) >= 0:
		fmt.Fprintf(b, "%s[%d bytes of binary data, not shown]\n", prefix, len(c.data))
	default:
		b.WriteString(lines(prefix, r.body(h.Get("Content-Type"), data, c.cut)))
	}
	if c.cut {
		fmt.Fprintf(b, "%s[body cut: first %d bytes shown]\n", prefix, MaxBody)
	}
	if c.err != nil {
		fmt.Fprintf(b, "%s[body read error: %s]\n", prefix, r.text(c.err.Error()))
	}
}
