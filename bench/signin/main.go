// Command signin measures a full successful sign-in against the emulators,
// end to end, for both providers: in-process (provider.New(opts).Validate
// with the emulator CA as RootCAs) at 0 ms and at an injected per-request
// latency, and one scripted run of the real compiled binary per provider
// (process start, sign-in, keyring write, entries index). It prints
// figures; it is not a test and asserts nothing beyond "the sign-in
// succeeded".
//
//	go run ./bench/signin [-runs 20] [-slow-runs 5] [-latency 50ms] [-binary-runs 5] [-bin PATH]
//
// Latency is injected client-side: a RoundTripper passed as
// provider.Options.Wrap waits -latency before forwarding each request.
// Requests, new connections and TLS handshakes are counted in the same
// wrapper. The binary runs write to the keyring, so they only run when
// SETUPWIZARD_REAL_KEYRING=1, which ./bench/run sets inside a private
// D-Bus session with an unlocked gnome-keyring (as ./scripts/test does).
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/setupwizard/setupwizard/bench/internal/benchkit"
)

func main() {
	runs := flag.Int("runs", 20, "sign-ins per provider at 0 ms latency (median reported)")
	slowRuns := flag.Int("slow-runs", 5, "sign-ins per provider at -latency (median reported)")
	latency := flag.Duration("latency", 50*time.Millisecond, "latency injected before each HTTP request")
	binRuns := flag.Int("binary-runs", 5, "scripted runs of the binary per provider (needs SETUPWIZARD_REAL_KEYRING=1)")
	bin := flag.String("bin", "", "setupwizard binary (default: go build ./cmd/setupwizard)")
	flag.Parse()
	if *runs < 1 || *slowRuns < 1 || *binRuns < 1 || *latency <= 0 {
		fmt.Fprintln(os.Stderr, "signin: -runs, -slow-runs, -binary-runs and -latency must be positive")
		os.Exit(2)
	}
	if err := run(*bin, *runs, *slowRuns, *binRuns, *latency); err != nil {
		fmt.Fprintln(os.Stderr, "signin:", err)
		os.Exit(1)
	}
}

func run(bin string, runs, slowRuns, binRuns int, latency time.Duration) error {
	emus, err := benchkit.StartEmulators()
	if err != nil {
		return err
	}
	defer emus.Close()

	fmt.Printf("in-process sign-in: provider.Validate against the emulators, client-side latency, median after 1 warm-up\n")
	fmt.Printf("  %-13s %8s %5s %10s %19s %5s %6s %5s %8s\n", "provider", "latency", "runs", "median ms", "min..max ms", "reqs", "conns", "TLS", "cache B")
	fast := map[string]series{}
	slow := map[string]series{}
	for _, d := range benchkit.Providers {
		for _, c := range []struct {
			lat  time.Duration
			n    int
			into map[string]series
		}{{0, runs, fast}, {latency, slowRuns, slow}} {
			s, err := measureValidate(d, emus, c.lat, c.n)
			if err != nil {
				return err
			}
			c.into[d] = s
			fmt.Printf("  %-13s %8v %5d %10.1f %8.1f..%-9.1f %5d %6d %5d %8d\n", d, c.lat, s.runs, benchkit.MS(s.median),
				benchkit.MS(s.min), benchkit.MS(s.max), s.requests, s.conns, s.handshakes, s.cacheBytes)
			if s.server != s.requests {
				fmt.Printf("    note: the emulator recorded %d requests, the transport %d\n", s.server, s.requests)
			}
		}
	}

	fmt.Printf("\nsequential-latency ratio at %v: median wall / (requests x latency); 1.0 is ideal\n", latency)
	for _, d := range benchkit.Providers {
		s, f := slow[d], fast[d]
		floor := time.Duration(s.requests) * latency
		fmt.Printf("  %-13s %7.1f ms / (%d x %v = %v) = %.2f   excess %+.1f ms (0 ms median %.1f ms)\n", d,
			benchkit.MS(s.median), s.requests, latency, floor, float64(s.median)/float64(floor),
			benchkit.MS(s.median-floor), benchkit.MS(f.median))
	}

	for _, d := range benchkit.Providers {
		fmt.Printf("\nrequests of one %s sign-in (path only):\n", d)
		for i, r := range fast[d].log {
			fmt.Printf("  %2d %s\n", i+1, r)
		}
	}

	var bins map[string]binaryResult
	var version time.Duration
	if !benchkit.RealKeyring() {
		fmt.Printf("\nscripted binary runs skipped: they write to the keyring; run ./bench/run (private D-Bus + gnome-keyring, sets %s=1)\n", benchkit.RealKeyringEnv)
	} else {
		tmp, err := os.MkdirTemp("", "setupwizard-bench-signin-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		if bin, err = benchkit.BinaryOrBuild(bin, tmp); err != nil {
			return err
		}
		if version, err = measureVersion(bin, runs); err != nil {
			return err
		}
		fmt.Printf("\nscripted binary: setupwizard --provider P -u LOGIN --password-stdin, start to exit, median of %d\n", binRuns)
		fmt.Printf("  %-13s %10.1f ms   (setupwizard --version, median of %d: the process floor)\n", "--version", benchkit.MS(version), runs)
		bins = map[string]binaryResult{}
		for _, d := range benchkit.Providers {
			r, err := measureBinary(bin, tmp, d, emus, binRuns)
			if err != nil {
				return err
			}
			bins[d] = r
			fmt.Printf("  %-13s %10.1f ms   (%.1f..%.1f; %d requests; in-process sign-in %.1f ms)\n", d, benchkit.MS(r.median),
				benchkit.MS(r.min), benchkit.MS(r.max), r.requests, benchkit.MS(fast[d].median))
			if r.keyring != nil {
				fmt.Printf("  %-13s Secret Service calls of one add: %s\n", "", formatCounts(r.keyring))
			}
			if r.note != "" {
				fmt.Printf("  %-13s %s\n", "", r.note)
			}
		}
	}

	fmt.Println()
	for _, d := range benchkit.Providers {
		s, f := slow[d], fast[d]
		fmt.Printf("summary: signin %-12s 0ms median %.1f ms (n=%d), %v median %.1f ms (n=%d), %d HTTP requests, %d TLS handshakes, ratio %.2f\n",
			d, benchkit.MS(f.median), f.runs, latency, benchkit.MS(s.median), s.runs, s.requests, s.handshakes,
			float64(s.median)/float64(time.Duration(s.requests)*latency))
	}
	for _, d := range benchkit.Providers {
		if r, ok := bins[d]; ok {
			kr := "n/a"
			if r.keyring != nil {
				kr = formatCounts(r.keyring)
			}
			fmt.Printf("summary: binary %-12s scripted add median %.1f ms (n=%d, --version floor %.1f ms), Secret Service calls %s\n",
				d, benchkit.MS(r.median), r.runs, benchkit.MS(version), kr)
		}
	}
	return nil
}
