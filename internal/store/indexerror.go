package store

import (
	"bytes"
	"errors"
	"fmt"
	"unicode/utf8"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// IndexProblem says why an entries index cannot be read, so the command
// line can word it in the user's language.
type IndexProblem string

// Why an entries index is unreadable.
const (
	// IndexNewer: written by a newer setupwizard (Version is set): upgrade.
	IndexNewer IndexProblem = "newer"
	// IndexSyntax: not valid JSON (Line and Column are set).
	IndexSyntax IndexProblem = "syntax"
	// IndexType: a value of the wrong type (Field, Line, Column are set).
	IndexType IndexProblem = "type"
	// IndexUnknownField: a field this version does not know, a key in
	// another letter case among them (Field, Line, Column are set).
	IndexUnknownField IndexProblem = "unknown_field"
	// IndexDuplicate: a key that appears twice in one object (Field,
	// Line, Column are set).
	IndexDuplicate IndexProblem = "duplicate"
	// IndexNoVersion: no "version" field.
	IndexNoVersion IndexProblem = "no_version"
	// IndexBadVersion: a version below 1 (Version is set).
	IndexBadVersion IndexProblem = "bad_version"
	// IndexRules: valid JSON breaking a rule of the format, in Detail.
	IndexRules IndexProblem = "rules"
	// IndexTooLarge: larger than any index setupwizard writes.
	IndexTooLarge IndexProblem = "too_large"
	// IndexLink: entries.json is a symbolic link that leads nowhere
	// (Detail says where it points).
	IndexLink IndexProblem = "link"
	// IndexRead: the file cannot be read (Detail has the system's words).
	IndexRead IndexProblem = "read"
)

// IndexError is an entries index this version cannot read safely. It
// matches ErrIndex; the file is never rewritten while it stands, so
// nothing in it is lost.
type IndexError struct {
	Path    string
	Problem IndexProblem
	// Field is the JSON pointer (RFC 6901) of the value at fault, e.g.
	// /entries/0/created_at; it comes from the file: clean it before
	// showing it.
	Field string
	// Name is the key at fault for IndexUnknownField and IndexDuplicate
	// (Field's last token); from the file too.
	Name string
	// Line and Column (1-based, Column counts characters) locate it.
	Line, Column int
	// Version is the file's "version" for IndexNewer and IndexBadVersion.
	Version int
	// Detail is more about the problem, in English.
	Detail string
}

// Error names the file, the problem and what to do.
func (e *IndexError) Error() string {
	var why string
	at := ""
	if e.Line > 0 {
		at = fmt.Sprintf(" at line %d, column %d", e.Line, e.Column)
	}
	switch e.Problem {
	case IndexNewer:
		why = fmt.Sprintf("written by a newer setupwizard (version %d; this one reads version %d): upgrade setupwizard", e.Version, IndexVersion)
	case IndexSyntax:
		why = "not valid JSON" + at
	case IndexType:
		why = fmt.Sprintf("%s has the wrong type%s", e.Field, at)
	case IndexUnknownField:
		why = fmt.Sprintf("unknown field %q%s%s", e.Name, e.in(), at)
	case IndexDuplicate:
		why = fmt.Sprintf("field %q appears twice%s%s", e.Name, e.in(), at)
	case IndexNoVersion:
		why = `no "version" field`
	case IndexBadVersion:
		why = fmt.Sprintf("unknown version %d", e.Version)
	case IndexTooLarge:
		why = fmt.Sprintf("larger than %d bytes", maxIndexSize)
	default:
		why = string(e.Problem)
	}
	if e.Detail != "" {
		why += " (" + e.Detail + ")"
	}
	return fmt.Sprintf("%s: %s; fix or move the file away (setupwizard will not overwrite it)", e.Path, why)
}

// in is where a named key sits, when not at the top level.
func (e *IndexError) in() string {
	if p := jsontext.Pointer(e.Field).Parent(); p != "" {
		return " in " + string(p)
	}
	return ""
}

// Is makes errors.Is(err, ErrIndex) true.
func (e *IndexError) Is(target error) bool { return target == ErrIndex }

// jsonProblem turns a decoding error of b into an IndexError.
func jsonProblem(path string, b []byte, err error) *IndexError {
	ie := &IndexError{Path: path, Problem: IndexSyntax}
	var off int64 = -1
	var syn *jsontext.SyntacticError
	var sem *jsonv2.SemanticError
	switch {
	case errors.As(err, &syn):
		off = syn.ByteOffset
		ie.Field = string(syn.JSONPointer)
		if errors.Is(err, jsontext.ErrDuplicateName) {
			ie.Problem = IndexDuplicate
		}
	case errors.As(err, &sem):
		off = sem.ByteOffset
		ie.Field = string(sem.JSONPointer)
		ie.Problem = IndexType
		if errors.Is(err, jsonv2.ErrUnknownName) {
			ie.Problem = IndexUnknownField
		}
	default:
		ie.Detail = err.Error()
	}
	ie.Name = jsontext.Pointer(ie.Field).LastToken()
	if off >= 0 {
		ie.Line, ie.Column = position(b, int(min(off, int64(len(b)))))
	}
	return ie
}

// position is the 1-based line and column (in characters) of byte off.
func position(b []byte, off int) (line, col int) {
	before := b[:off]
	line = bytes.Count(before, []byte{'\n'}) + 1
	start := bytes.LastIndexByte(before, '\n') + 1
	return line, utf8.RuneCount(before[start:]) + 1
}
