package format

import (
	"io"
	"maps"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/pyrace/pyrace/internal/scan"
)

// jsonFlushSize is how many bytes jsonWriter buffers before it writes
// them out.
const jsonFlushSize = 64 << 10

// jsonWriter streams an indented JSON document into an append buffer that
// it writes to w in chunks. It lays out values exactly as encoding/json's
// Encoder with SetIndent("", "  ") and SetEscapeHTML(false) does: one key
// or element per line, two spaces per level, empty objects and lists as
// {} and []. It remembers the first write error and writes nothing after
// it.
type jsonWriter struct {
	w     io.Writer
	buf   []byte
	err   error
	depth int  // nesting level of the open object or list
	empty bool // the innermost open object or list has no member yet
}

// newJSONWriter returns a jsonWriter that writes to w.
func newJSONWriter(w io.Writer) *jsonWriter {
	return &jsonWriter{w: w, buf: make([]byte, 0, jsonFlushSize+4<<10)}
}

// newline starts a line indented to the current depth.
func (j *jsonWriter) newline() {
	const indent = "\n            " // deep enough for the report
	if n := 1 + 2*j.depth; n <= len(indent) {
		j.buf = append(j.buf, indent[:n]...)
		return
	}
	j.buf = append(j.buf, '\n')
	for range j.depth {
		j.buf = append(j.buf, ' ', ' ')
	}
}

// open starts an object ('{') or a list ('[').
func (j *jsonWriter) open(c byte) {
	j.buf = append(j.buf, c)
	j.depth++
	j.empty = true
}

// close ends the innermost object ('}') or list (']'), on its own line
// unless the object or list is empty.
func (j *jsonWriter) close(c byte) {
	j.depth--
	if !j.empty {
		j.newline()
	}
	j.buf = append(j.buf, c)
	j.empty = false
}

// elem starts the next element of a list; the value follows.
func (j *jsonWriter) elem() {
	if !j.empty {
		j.buf = append(j.buf, ',')
	}
	j.empty = false
	j.newline()
}

// key starts the member name of an object; the value follows. The name
// is written as it is: it must be printable ASCII other than " and \, as
// the report's own keys are (see keyString for others).
func (j *jsonWriter) key(name string) {
	j.elem()
	j.buf = append(j.buf, '"')
	j.buf = append(j.buf, name...)
	j.buf = append(j.buf, '"', ':', ' ')
}

// keyString starts a member whose name is any string, escaped as a value
// is; the value follows.
func (j *jsonWriter) keyString(name string) {
	j.elem()
	j.str(name)
	j.buf = append(j.buf, ':', ' ')
}

// str writes a string value.
func (j *jsonWriter) str(s string) {
	j.buf = appendJSONString(j.buf, s)
}

// int writes an integer value in decimal.
func (j *jsonWriter) int(n int) {
	j.buf = strconv.AppendInt(j.buf, int64(n), 10)
}

// strField writes the member name: s.
func (j *jsonWriter) strField(name, s string) {
	j.key(name)
	j.str(s)
}

// intField writes the member name: n.
func (j *jsonWriter) intField(name string, n int) {
	j.key(name)
	j.int(n)
}

// position writes the four members of a position into the enclosing
// object: line, column, end_line, end_column.
func (j *jsonWriter) position(p scan.Position) {
	j.intField("line", p.Line)
	j.intField("column", p.Col)
	j.intField("end_line", p.EndLine)
	j.intField("end_column", p.EndCol)
}

// counts writes m as an object with its keys in increasing byte order, as
// encoding/json sorts map keys.
func (j *jsonWriter) counts(m map[string]int) {
	j.open('{')
	for _, k := range slices.Sorted(maps.Keys(m)) {
		j.keyString(k)
		j.int(m[k])
		j.flushFull()
	}
	j.close('}')
}

// finding writes one finding as an object.
func (j *jsonWriter) finding(f *scan.Finding) {
	j.open('{')
	j.strField("rule_id", f.RuleID)
	j.strField("rule_name", f.RuleName)
	j.strField("file", f.File)
	j.position(f.Position)
	j.strField("symbol", f.Symbol)
	j.strField("message", f.Message)
	j.strField("confidence", string(f.Confidence))
	j.strField("fix", f.Fix)
	j.key("related")
	j.open('[')
	for i := range f.Related {
		rel := &f.Related[i]
		j.elem()
		j.open('{')
		j.strField("file", rel.File)
		j.position(rel.Position)
		j.strField("message", rel.Message)
		j.close('}')
	}
	j.close(']')
	j.strField("fingerprint", f.Fingerprint)
	j.close('}')
}

// diagnostic writes one diagnostic as an object.
func (j *jsonWriter) diagnostic(d *scan.Diagnostic) {
	j.open('{')
	j.strField("kind", string(d.Kind))
	j.strField("file", d.File)
	j.position(d.Position)
	j.strField("message", d.Message)
	j.close('}')
}

// flushFull writes the buffer out once it holds jsonFlushSize bytes.
func (j *jsonWriter) flushFull() {
	if len(j.buf) >= jsonFlushSize {
		j.flush()
	}
}

// flush writes the buffer out and empties it; a short write without an
// error counts as [io.ErrShortWrite]. After an error nothing more is
// written.
func (j *jsonWriter) flush() {
	if j.err == nil && len(j.buf) > 0 {
		n, err := j.w.Write(j.buf)
		if err == nil && n < len(j.buf) {
			err = io.ErrShortWrite
		}
		j.err = err
	}
	j.buf = j.buf[:0]
}

// appendJSONString appends s as a quoted JSON string, escaped exactly as
// encoding/json does without HTML escaping: " and \ are escaped, control
// characters become \b, \f, \n, \r, \t or \u00XX, invalid UTF-8 bytes
// become \ufffd, U+2028 and U+2029 become \u2028 and \u2029, and all else
// (DEL and non-ASCII included) is copied as is.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0 // s[start:i] is still to be copied
	for i := 0; ; {
		i += jsonPlainPrefix(s[i:])
		if i == len(s) {
			break
		}
		if c := s[i]; c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			start = i + size
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			start = i + size
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// jsonPlainPrefix returns the length of the longest prefix of s made of
// printable ASCII other than " and \, which appendJSONString copies as it
// is. It tests 8 bytes at a time as a little-endian word x: in the terms
// below, the lowest byte of x that is below 0x20, equal to '"' or '\\', or
// 0x80 and above sets the top bit of its byte (a borrow between bytes can
// only start at such a byte), and plain bytes set none.
func jsonPlainPrefix(s string) int {
	const ones, tops = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(s); i += 8 {
		w := s[i : i+8]
		x := uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
			uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56
		q, bs := x^(ones*'"'), x^(ones*'\\')
		if ((x-ones*0x20)|(q-ones)|(bs-ones)|x)&tops != 0 {
			break
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= utf8.RuneSelf || c == '"' || c == '\\' {
			break
		}
	}
	return i
}
