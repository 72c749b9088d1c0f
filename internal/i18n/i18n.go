// Package i18n holds translations in Home Assistant's strings.json layout
// (config.step.<id>.title, config.error.<key>, config.abort.<reason>,
// issues.<id>.title, ...) and looks them up by dotted path, so provider
// authors can copy strings between this tool and their HA integration.
package i18n

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"
)

// Catalog maps a language to its flattened strings ("config.error.invalid_auth" -> text).
// The zero value is empty and usable.
type Catalog struct {
	langs map[string]map[string]string
}

// Load reads every <lang>.json in dir of fsys. Files follow the strings.json layout.
func Load(fsys fs.FS, dir string) (*Catalog, error) {
	c := &Catalog{}
	files, err := fs.Glob(fsys, path.Join(dir, "*.json"))
	if err != nil {
		return nil, fmt.Errorf("list translations in %s: %w", dir, err)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no translations in %s", dir)
	}
	for _, f := range files {
		raw, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", f, err)
		}
		lang := strings.TrimSuffix(path.Base(f), ".json")
		if err := c.Add(lang, raw); err != nil {
			return nil, fmt.Errorf("parse %s: %w", f, err)
		}
	}
	return c, nil
}

// Add merges one strings.json document for lang; later additions override
// earlier ones, so an engine's base strings can be overlaid by a provider's.
func (c *Catalog) Add(lang string, raw []byte) error {
	var tree map[string]any
	if err := json.Unmarshal(raw, &tree); err != nil {
		return err
	}
	if c.langs == nil {
		c.langs = map[string]map[string]string{}
	}
	flat := c.langs[lang]
	if flat == nil {
		flat = map[string]string{}
		c.langs[lang] = flat
	}
	return flatten("", tree, flat)
}

// Merge overlays other onto c for every language other has.
func (c *Catalog) Merge(other *Catalog) {
	if other == nil {
		return
	}
	if c.langs == nil {
		c.langs = map[string]map[string]string{}
	}
	for lang, kv := range other.langs {
		dst := c.langs[lang]
		if dst == nil {
			dst = map[string]string{}
			c.langs[lang] = dst
		}
		for k, v := range kv {
			dst[k] = v
		}
	}
}

func flatten(prefix string, node map[string]any, out map[string]string) error {
	for k, v := range node {
		key := k
		if prefix != "" {
			key = prefix + "." + k
		}
		switch v := v.(type) {
		case string:
			out[key] = v
		case map[string]any:
			if err := flatten(key, v, out); err != nil {
				return err
			}
		default:
			return fmt.Errorf("%s: want a string or an object, got %T", key, v)
		}
	}
	return nil
}

// Languages lists the languages the catalog has, sorted.
func (c *Catalog) Languages() []string {
	out := make([]string, 0, len(c.langs))
	for l := range c.langs {
		out = append(out, l)
	}
	sort.Strings(out)
	return out
}

// Has reports whether lang has a string at key (no fallback).
func (c *Catalog) Has(lang, key string) bool {
	_, ok := c.langs[lang][key]
	return ok
}

// Keys lists every key of lang, sorted.
func (c *Catalog) Keys(lang string) []string {
	out := make([]string, 0, len(c.langs[lang]))
	for k := range c.langs[lang] {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Raw returns the unformatted string for key in lang, falling back to English.
func (c *Catalog) Raw(lang, key string) (string, bool) {
	if s, ok := c.langs[lang][key]; ok {
		return s, true
	}
	s, ok := c.langs["en"][key]
	return s, ok
}

// T returns the string for key with {placeholders} filled. A missing string
// yields the key itself, so a gap shows up on screen instead of a blank.
func (c *Catalog) T(lang, key string, placeholders map[string]string) string {
	s, ok := c.Raw(lang, key)
	if !ok {
		return key
	}
	return Format(s, placeholders)
}

var placeholderRE = regexp.MustCompile(`\{([A-Za-z0-9_]+)\}`)

// Format fills {name} placeholders; unknown ones are left as written.
func Format(s string, placeholders map[string]string) string {
	if !strings.Contains(s, "{") {
		return s
	}
	return placeholderRE.ReplaceAllStringFunc(s, func(m string) string {
		if v, ok := placeholders[m[1:len(m)-1]]; ok {
			return v
		}
		return m
	})
}

// Placeholders lists the {names} a string uses, for Home Assistant's rule
// that a string may only use placeholders its step provides.
func Placeholders(s string) []string {
	var out []string
	for _, m := range placeholderRE.FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	return out
}

// Lang picks a catalog language from LC_ALL / LC_MESSAGES / LANG values
// ("pl_PL.UTF-8" -> "pl"), defaulting to English.
func Lang(getenv func(string) string, available []string) string {
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		val := getenv(v)
		if val == "" {
			continue
		}
		code := strings.ToLower(val)
		if i := strings.IndexAny(code, "_.@-"); i >= 0 {
			code = code[:i]
		}
		for _, a := range available {
			if a == code {
				return a
			}
		}
		return "en"
	}
	return "en"
}

// Only returns a copy that holds just langs (those it has).
func (c *Catalog) Only(langs []string) *Catalog {
	out := &Catalog{langs: map[string]map[string]string{}}
	for _, l := range langs {
		if kv, ok := c.langs[l]; ok {
			cp := make(map[string]string, len(kv))
			for k, v := range kv {
				cp[k] = v
			}
			out.langs[l] = cp
		}
	}
	return out
}

// Gaps compares lang with base (usually "en") key by key, for tests that
// hold a catalog complete: missing are base's keys lang lacks; stray are
// lang's keys base lacks (a renamed or misspelt key); mismatched are keys
// whose {placeholders} differ (a translation must fill the same ones).
func (c *Catalog) Gaps(lang, base string) (missing, stray, mismatched []string) {
	for _, k := range c.Keys(base) {
		s, ok := c.langs[lang][k]
		if !ok {
			missing = append(missing, k)
			continue
		}
		if !samePlaceholders(s, c.langs[base][k]) {
			mismatched = append(mismatched, k)
		}
	}
	for _, k := range c.Keys(lang) {
		if _, ok := c.langs[base][k]; !ok {
			stray = append(stray, k)
		}
	}
	return missing, stray, mismatched
}

func samePlaceholders(a, b string) bool {
	pa, pb := Placeholders(a), Placeholders(b)
	sort.Strings(pa)
	sort.Strings(pb)
	return strings.Join(pa, ",") == strings.Join(pb, ",")
}
