package emulator

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// maxRecorded bounds the request log so a long --demo session cannot grow it
// without end; tests make far fewer requests.
const maxRecorded = 2000

// maxBody caps request bodies the emulator reads.
const maxBody = 1 << 20

// Recorded is one request the emulator received, kept in memory for tests.
type Recorded struct {
	Method   string
	Host     string // the Host the client addressed, host:port
	Path     string
	RawQuery string
	Header   http.Header
	Body     string
}

// Contains reports whether s appears anywhere the client put data: the
// path, the query, a header value or the body, raw or URL-decoded.
func (r Recorded) Contains(s string) bool {
	if s == "" {
		return false
	}
	hay := []string{r.Path, r.RawQuery, r.Body}
	if q, err := url.QueryUnescape(r.RawQuery); err == nil {
		hay = append(hay, q)
	}
	if b, err := url.QueryUnescape(r.Body); err == nil {
		hay = append(hay, b)
	}
	for _, vs := range r.Header {
		hay = append(hay, vs...)
	}
	for _, h := range hay {
		if strings.Contains(h, s) {
			return true
		}
	}
	return false
}

// Log returns a copy of every request received so far, in order (the
// first maxRecorded after ResetRequests).
func (e *Emulator) Log() []Recorded {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]Recorded(nil), e.requests...)
}

// ResetRequests forgets the recorded requests and zeroes the count
// (Requests: every request on either host, the API's included).
func (e *Emulator) ResetRequests() {
	e.mu.Lock()
	e.requests = nil
	e.mu.Unlock()
	e.Controls.ResetRequests()
}

// record reads the body (capped) and logs the request; the body is put
// back so handlers can parse it.
func (e *Emulator) record(r *http.Request) {
	var body []byte
	if r.Body != nil {
		body, _ = io.ReadAll(io.LimitReader(r.Body, maxBody))
		_ = r.Body.Close()
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	rec := Recorded{
		Method:   r.Method,
		Host:     r.Host,
		Path:     r.URL.Path,
		RawQuery: r.URL.RawQuery,
		Header:   r.Header.Clone(),
		Body:     string(body),
	}
	e.Count()
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.requests) < maxRecorded {
		e.requests = append(e.requests, rec)
	}
}
