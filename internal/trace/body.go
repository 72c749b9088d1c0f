package trace

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"strings"
)

// RedactBody returns a redacted copy of a request or response body, chosen
// by its content type: form bodies by field name, JSON by key (recursively;
// every scalar under a sensitive key, as in MSAL's cache shapes), anything
// else (HTML, JavaScript, text, JSON that does not parse) by RedactText.
// String values inside JSON also go through RedactText. body is not changed.
func RedactBody(contentType string, body []byte) []byte {
	return (*learner)(nil).body(contentType, body)
}

func (l *learner) body(contentType string, body []byte) []byte {
	if len(body) == 0 {
		return []byte{}
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt = strings.ToLower(strings.TrimSpace(contentType))
	}
	switch {
	case mt == "application/x-www-form-urlencoded":
		return []byte(l.text(l.pairs(string(body), 0)))
	case strings.Contains(mt, "json") || looksJSON(body):
		if out, ok := l.json(body); ok {
			return out
		}
	}
	return []byte(l.text(string(body)))
}

func looksJSON(b []byte) bool {
	b = bytes.TrimSpace(b)
	return len(b) > 0 && (b[0] == '{' || b[0] == '[')
}

// jsonFrame is one open object or array while re-writing JSON.
type jsonFrame struct {
	obj       bool
	n         int  // values written so far
	wantKey   bool // an object's next token is a key
	sensitive bool // every scalar below is secret
}

// redactJSON re-writes a stream of JSON values token by token, keeping key
// order, so the trace reads like the wire. ok is false when the input is not
// JSON; the caller then falls back to RedactText.
func (l *learner) json(b []byte) (out []byte, ok bool) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var buf bytes.Buffer
	var stack []*jsonFrame
	keySensitive, key := false, ""
	values := 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, false
		}
		var top *jsonFrame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.obj && top.wantKey {
			if d, isDelim := tok.(json.Delim); isDelim && d == '}' {
				buf.WriteByte('}')
				stack = stack[:len(stack)-1]
				finishValue(stack)
				continue
			}
			k, isKey := tok.(string)
			if !isKey {
				return nil, false
			}
			if top.n > 0 {
				buf.WriteByte(',')
			}
			key = k
			writeJSONString(&buf, key)
			buf.WriteByte(':')
			keySensitive = IsSensitiveName(key)
			top.wantKey = false
			continue
		}
		if top == nil {
			if values > 0 {
				buf.WriteByte('\n')
			}
			values++
		} else if !top.obj {
			if d, isDelim := tok.(json.Delim); !isDelim || d != ']' {
				if top.n > 0 {
					buf.WriteByte(',')
				}
			}
		}
		direct := top != nil && top.obj && keySensitive
		sens := direct || top != nil && top.sensitive
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{', '[':
				buf.WriteByte(byte(v))
				stack = append(stack, &jsonFrame{obj: v == '{', wantKey: v == '{', sensitive: sens})
			case ']':
				buf.WriteByte(']')
				stack = stack[:len(stack)-1]
				finishValue(stack)
			default:
				return nil, false
			}
			continue
		case string:
			if sens {
				if direct {
					// Only values named secret are remembered: a cache's
					// "credential_type":"AccessToken" is not one.
					l.add(key, v)
				}
				writeJSONString(&buf, Redacted)
			} else {
				writeJSONString(&buf, l.text(v))
			}
		case json.Number:
			if sens {
				writeJSONString(&buf, Redacted)
			} else {
				buf.WriteString(v.String())
			}
		case bool, nil:
			enc, _ := json.Marshal(v)
			buf.Write(enc)
		}
		finishValue(stack)
	}
	if len(stack) != 0 {
		return nil, false
	}
	return buf.Bytes(), true
}

// finishValue records that the innermost container got one more value.
func finishValue(stack []*jsonFrame) {
	if len(stack) == 0 {
		return
	}
	top := stack[len(stack)-1]
	top.n++
	if top.obj {
		top.wantKey = true
	}
}

func writeJSONString(buf *bytes.Buffer, s string) {
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	buf.Truncate(buf.Len() - 1)
}
