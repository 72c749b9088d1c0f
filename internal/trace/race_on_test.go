//go:build race

package trace

// raceOn says the race detector is on: it makes the redactor's regular
// expressions some thirty times slower, so the property test draws fewer
// passwords (the plain run draws the full count).
const raceOn = true
