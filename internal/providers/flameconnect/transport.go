package flameconnect

import (
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/setupwizard/setupwizard/internal/providers/provider"
)

// maxBody caps every response body read, MSAL's included: B2C pages are
// some tens of KiB, token answers a few KiB.
const maxBody = 2 << 20

var (
	// errForeignHost marks a request refused because it left the authority.
	errForeignHost = errors.New("refused to send a request outside the authority's https host")
	// errBodyTooLarge marks a response larger than maxBody.
	errBodyTooLarge = fmt.Errorf("response body larger than %d bytes", maxBody)
)

// guard is the last line of defence under both MSAL and the B2C submission:
// nothing leaves for another host or over plain http, whatever a page, a
// redirect or the OIDC metadata says, and no body is read without a cap.
type guard struct {
	auth authority
	next http.RoundTripper
}

func (g guard) RoundTrip(req *http.Request) (*http.Response, error) {
	if !g.auth.allows(req.URL) {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, fmt.Errorf("%w (%s://%s)", errForeignHost, req.URL.Scheme, req.URL.Host)
	}
	resp, err := g.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	resp.Body = &cappedBody{rc: resp.Body, left: maxBody}
	return resp, nil
}

// cappedBody fails the read once more than maxBody bytes arrive, instead of
// silently truncating (a cut JSON or page would mislead the parser).
type cappedBody struct {
	rc   io.ReadCloser
	left int64
}

func (c *cappedBody) Read(p []byte) (int, error) {
	if c.left <= 0 {
		// Probe one byte: exactly maxBody bytes is fine, more is not.
		var one [1]byte
		n, err := c.rc.Read(one[:])
		if n > 0 {
			return 0, errBodyTooLarge
		}
		return 0, err
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.rc.Read(p)
	c.left -= int64(n)
	return n, err
}

func (c *cappedBody) Close() error { return c.rc.Close() }

// newHTTPClient is one attempt's client: the options' timeout, TLS roots and
// debug wrapper, no automatic redirects, behind the guard.
func newHTTPClient(opts provider.Options, auth authority) *http.Client {
	c := opts.Client(nil)
	c.Transport = guard{auth: auth, next: c.Transport}
	return c
}
