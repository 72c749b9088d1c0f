package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/setupwizard/setupwizard/internal/ui/frontend"
)

// The one punctuation rule for every message, in every language of every
// catalog (the command line's, the engine's, each service's) and of the
// front ends' own wording: a sentence shown on its own starts with a
// capital and ends with ".", "?", "!" or ":", or with the name or command
// that follows its colon (a placeholder); a fragment that completes
// "setupwizard: " starts in lower case and has no full stop. Titles,
// labels, column heads, menu items, notes and key hints are names, not
// messages, and are exempt.

// exemptKey matches the catalog keys that name something rather than say
// something.
var exemptKey = regexp.MustCompile(`(^|\.)(title|flow_title|data\.[^.]+|head_\w+|step_\w+|progress\.\w+|label|brief\w*|credential|memory_keyring|os_keyring|expired_mark|expired_note|describe|help\.\w+)$`)

// exemptChrome lists the front ends' fields that are names or hints.
var exemptChrome = regexp.MustCompile(`^(Step|Working|PickProvider|PickEntry|Hint\w+|Cancelling|Expired|YesNo|Yes|No)$`)

// placeholderEnd matches a message ending with what follows its colon.
var placeholderEnd = regexp.MustCompile(`(\{\w+\}|%[sd])$`)

func punctuationProblem(s string) string {
	s = strings.TrimRight(s, " ")
	first, _ := utf8.DecodeRuneInString(s)
	last, _ := utf8.DecodeLastRuneInString(s)
	switch {
	case unicode.IsUpper(first) && !strings.ContainsRune(".?!:", last) && !placeholderEnd.MatchString(s):
		return "a sentence without its full stop"
	case unicode.IsLower(first) && last == '.':
		return "a fragment with a full stop"
	}
	return ""
}

func TestEveryMessageFollowsThePunctuationRule(t *testing.T) {
	var files []string
	for _, pat := range []string{"translations/*.json", "../flow/translations/*.json", "../flow/flowtest/translations/*.json", "../providers/*/translations/*.json"} {
		m, err := filepath.Glob(pat)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) < 8 {
		t.Fatalf("found only %d catalogs: %v", len(files), files)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		walkStrings(doc, "", func(key, s string) {
			if exemptKey.MatchString(key) {
				return
			}
			if p := punctuationProblem(s); p != "" {
				t.Errorf("%s %s: %s: %q", f, key, p, s)
			}
		})
	}
	for _, lang := range textLangs {
		c := reflect.ValueOf(frontend.ChromeFor(lang))
		for i := 0; i < c.NumField(); i++ {
			name := c.Type().Field(i).Name
			if exemptChrome.MatchString(name) || c.Field(i).Kind() != reflect.String {
				continue
			}
			if p := punctuationProblem(c.Field(i).String()); p != "" {
				t.Errorf("front ends %s %s: %s: %q", lang, name, p, c.Field(i).String())
			}
		}
	}
}

func walkStrings(v any, key string, fn func(key, s string)) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			walkStrings(x, strings.TrimPrefix(key+"."+k, "."), fn)
		}
	case string:
		fn(key, v)
	}
}

// TestPunctuationRuleCatchesItsCases: the rule itself, on the cases the
// catalogs once mixed.
func TestPunctuationRuleCatchesItsCases(t *testing.T) {
	for s, bad := range map[string]bool{
		"Invalid login or password":             true,
		"Invalid email or password.":            false,
		"Fix: {command}":                        false,
		"Step %d of %d: %s":                     false,
		"Choose [1-%d]: ":                       false,
		"unknown flag: {flag}":                  false,
		"no accounts configured.":               true,
		"Which account do you want to sign in?": false,
		"Nieprawidłowy login lub hasło":         true,
		"Ponownie zalogowano. Konto: {title}":   false,
	} {
		if got := punctuationProblem(s) != ""; got != bad {
			t.Errorf("%q: problem %v, want %v", s, got, bad)
		}
	}
}
