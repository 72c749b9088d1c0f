package benchkit

import (
	"testing"
	"time"
)

func TestMedian(t *testing.T) {
	ms := time.Millisecond
	for _, tc := range []struct {
		name string
		in   []time.Duration
		want time.Duration
	}{
		{"empty", nil, 0},
		{"one", []time.Duration{3 * ms}, 3 * ms},
		{"odd unsorted", []time.Duration{9 * ms, 1 * ms, 5 * ms}, 5 * ms},
		{"even takes the middle mean", []time.Duration{4 * ms, 1 * ms, 2 * ms, 100 * ms}, 3 * ms},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Median(tc.in); got != tc.want {
				t.Errorf("Median(%v) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}

func TestChildEnvDropsOverrides(t *testing.T) {
	t.Setenv("SETUPWIZARD_LIBRUS_API_URL", "https://elsewhere.example")
	t.Setenv("SSL_CERT_FILE", "/nowhere.pem")
	t.Setenv("NO_COLOR", "1")
	env := ChildEnv("EXTRA=1")
	for _, kv := range env {
		switch kv {
		case "SETUPWIZARD_LIBRUS_API_URL=https://elsewhere.example", "SSL_CERT_FILE=/nowhere.pem", "NO_COLOR=1":
			t.Errorf("ChildEnv kept %q", kv)
		}
	}
	if env[len(env)-1] != "EXTRA=1" {
		t.Errorf("ChildEnv did not append the extra variable last: %q", env[len(env)-1])
	}
}
