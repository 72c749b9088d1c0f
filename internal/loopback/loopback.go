// Package loopback serves the service emulators over real TLS on loopback
// addresses, signed by a throwaway CA, so the product's HTTPS clients run
// unchanged (MSAL Go refuses non-https authorities) and only trust the CA
// for the one run or test that made it.
package loopback

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"
)

// Hosts are the loopback addresses the leaf certificate is valid for. Two
// IPv4 addresses let an emulator play two hosts with separate cookie scopes
// (Linux routes all of 127.0.0.0/8 to lo).
var Hosts = []string{"127.0.0.1", "127.0.0.2", "::1", "localhost"}

// CA is a throwaway certificate authority and one leaf certificate it signed.
type CA struct {
	// Pool trusts only this CA.
	Pool *x509.CertPool
	// PEM is the CA certificate, for SSL_CERT_FILE in child processes.
	PEM  []byte
	leaf tls.Certificate
}

// NewCA makes a CA and a leaf for Hosts, valid for a day. ECDSA P-256 keeps
// it to a millisecond or two, so --demo starts at once.
func NewCA() (*CA, error) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("ca key: %w", err)
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "setupwizard emulator CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, fmt.Errorf("ca cert: %w", err)
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, fmt.Errorf("parse ca cert: %w", err)
	}
	leafKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("leaf key: %w", err)
	}
	leafTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "setupwizard emulator"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, h := range Hosts {
		if ip := net.ParseIP(h); ip != nil {
			leafTmpl.IPAddresses = append(leafTmpl.IPAddresses, ip)
		} else {
			leafTmpl.DNSNames = append(leafTmpl.DNSNames, h)
		}
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, caCert, &leafKey.PublicKey, caKey)
	if err != nil {
		return nil, fmt.Errorf("leaf cert: %w", err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(caCert)
	return &CA{
		Pool: pool,
		PEM:  pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		leaf: tls.Certificate{Certificate: [][]byte{leafDER}, PrivateKey: leafKey},
	}, nil
}

// WriteCertFile writes the CA certificate to dir/ca.pem and returns its path.
func (ca *CA) WriteCertFile(dir string) (string, error) {
	p := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(p, ca.PEM, 0o600); err != nil {
		return "", fmt.Errorf("write CA certificate: %w", err)
	}
	return p, nil
}

// Server is one HTTPS listener on a loopback address.
type Server struct {
	// URL is https://host:port with no trailing slash.
	URL string
	srv *http.Server
}

// Serve starts h on host (one of Hosts) at a free port.
func (ca *CA) Serve(host string, h http.Handler) (*Server, error) {
	ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", host, err)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{ca.leaf}, MinVersion: tls.VersionTLS12},
		// Handshake failures are what TLS-failure tests provoke on purpose.
		ErrorLog: log.New(io.Discard, "", 0),
	}
	tlsLn := tls.NewListener(ln, srv.TLSConfig)
	go func() {
		if err := srv.Serve(tlsLn); err != nil && !errors.Is(err, http.ErrServerClosed) {
			_ = err // the listener is gone; tests see connection errors
		}
	}()
	return &Server{URL: "https://" + ln.Addr().String(), srv: srv}, nil
}

// Close stops the server and its connections at once.
func (s *Server) Close() error { return s.srv.Close() }
