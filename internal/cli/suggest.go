package cli

import (
	"strings"

	"github.com/spf13/pflag"
)

// Typos get a suggestion, as git and gh give them: the nearest registered
// flag by Damerau-Levenshtein distance (a swapped pair of letters is one
// edit: --reuath -> --reauth), or the one flag the typed name begins.
// The flag set is small and fixed, so a short function serves better than
// a dependency.

// suggestFlag is the registered flag ("--reauth") nearest to name (typed
// without its dashes), or "" when none is near enough to be what was meant.
func (a *app) suggestFlag(name string) string {
	name = strings.ToLower(strings.TrimLeft(name, "-"))
	if name == "" {
		return ""
	}
	best, bestDist, prefixed, prefixes := "", 0, "", 0
	a.flagSet().VisitAll(func(f *pflag.Flag) {
		if strings.HasPrefix(f.Name, name) {
			prefixed, prefixes = f.Name, prefixes+1
		}
		d := editDistance(name, f.Name)
		if best == "" || d < bestDist {
			best, bestDist = f.Name, d
		}
	})
	// One edit in a short name, two in a longer one: further than that
	// it is another word, not a typo.
	limit := 1
	if len(name) >= 5 {
		limit = 2
	}
	switch {
	case bestDist <= limit:
		return "--" + best
	case prefixes == 1 && len(name) >= 3:
		return "--" + prefixed
	}
	return ""
}

// editDistance is the optimal-string-alignment Damerau-Levenshtein
// distance between a and b: insertions, deletions, substitutions and
// swaps of two neighbouring letters each cost one.
func editDistance(a, b string) int {
	s, t := []rune(a), []rune(b)
	d := make([][]int, len(s)+1)
	for i := range d {
		d[i] = make([]int, len(t)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(s); i++ {
		for j := 1; j <= len(t); j++ {
			cost := 1
			if s[i-1] == t[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && s[i-1] == t[j-2] && s[i-2] == t[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(s)][len(t)]
}

// unknownFlag is the usage error for a flag that does not exist, spelled
// as typed, with the nearest one when there is one; name is the long
// flag's name ("" for shorthands, which get no suggestion).
func (a *app) unknownFlag(spelled, name string) error {
	if s := a.suggestFlag(name); s != "" && len(name) > 1 {
		return a.usagef("cli.usage.unknown_flag_suggest", "flag", spelled, "suggestion", s)
	}
	return a.usagef("cli.usage.unknown_flag", "flag", spelled)
}

// positional answers an argument where none is taken: "help" shows the
// help, as --help does (people type it, as with git and gh); a word that
// is a flag's name without its dashes ("list"), or near one, gets that
// flag as a suggestion.
func (a *app) positional(arg string) int {
	if strings.EqualFold(arg, "help") {
		a.usage(a.io.Out)
		return ExitOK
	}
	if s := a.suggestFlag(arg); s != "" {
		return a.report(a.usagef("cli.usage.unexpected_argument_suggest", "arg", clean(arg), "suggestion", s))
	}
	return a.report(a.usagef("cli.usage.unexpected_argument", "arg", clean(arg)))
}
