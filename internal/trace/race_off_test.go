//go:build !race

package trace

// raceOn: see race_on_test.go.
const raceOn = false
