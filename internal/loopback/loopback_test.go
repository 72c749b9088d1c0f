package loopback

import (
	"crypto/tls"
	"io"
	"net/http"
	"testing"
)

func TestServeTrustsOnlyItsCA(t *testing.T) {
	ca, err := NewCA()
	if err != nil {
		t.Fatal(err)
	}
	for _, host := range []string{"127.0.0.1", "127.0.0.2"} {
		srv, err := ca.Serve(host, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, "hello "+r.Host)
		}))
		if err != nil {
			t.Fatal(err)
		}
		defer srv.Close()
		c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ca.Pool}}}
		resp, err := c.Get(srv.URL + "/")
		if err != nil {
			t.Fatalf("%s: %v", host, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(b) != "hello "+srv.URL[len("https://"):] {
			t.Errorf("%s: body %q", host, b)
		}
		// The system roots must not trust the throwaway CA.
		if _, err := http.Get(srv.URL + "/"); err == nil {
			t.Errorf("%s: system roots trusted the emulator CA", host)
		}
	}
}
