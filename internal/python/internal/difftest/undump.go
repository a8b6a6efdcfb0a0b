package difftest

import (
	"encoding/hex"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/pyrace/pyrace/internal/python"
)

// Undump rebuilds a syntax tree from its canonical dump: the inverse of
// python.Dump, up to what the dump leaves out (positions of nodes printed
// without one are zero). It exists to check python.Dump and the harness
// against CPython's dumps without relying on pyrace's parser.
func Undump(dump string) (*python.Module, error) {
	lines := splitLines(dump)
	if len(lines) == 0 || lines[0] != "Module" {
		return nil, fmt.Errorf("undump: dump does not start with Module")
	}
	u := &undumper{lines: lines, pos: 1, types: nodeTypes()}
	m := &python.Module{}
	if err := u.fields(reflect.ValueOf(m).Elem(), 1); err != nil {
		return nil, err
	}
	if u.pos != len(lines) {
		return nil, u.errorf("unexpected line")
	}
	return m, nil
}

// undumper reads dump lines in order.
type undumper struct {
	lines []string
	pos   int
	types map[string]reflect.Type // nodeTypes()
}

func (u *undumper) errorf(format string, args ...any) error {
	line := "<end>"
	if u.pos < len(u.lines) {
		line = u.lines[u.pos]
	}
	return fmt.Errorf("undump: line %d %q: %s", u.pos+1, line, fmt.Sprintf(format, args...))
}

// entry is one parsed dump line.
type entry struct {
	name  string // field name
	idx   int    // list index, or -1
	value string // text after ": "
}

// peek parses the current line if it is at the given depth.
func (u *undumper) peek(depth int) (entry, bool) {
	if u.pos >= len(u.lines) {
		return entry{}, false
	}
	line := u.lines[u.pos]
	ind := strings.Repeat("  ", depth)
	if !strings.HasPrefix(line, ind) || strings.HasPrefix(line[len(ind):], " ") {
		return entry{}, false
	}
	key, value, ok := strings.Cut(line[len(ind):], ": ")
	if !ok {
		return entry{}, false
	}
	e := entry{name: key, idx: -1, value: value}
	if name, rest, ok := strings.Cut(key, "["); ok {
		n, err := strconv.Atoi(strings.TrimSuffix(rest, "]"))
		if err != nil {
			return entry{}, false
		}
		e.name, e.idx = name, n
	}
	return e, true
}

// nodeTypes maps CPython's node type names to pyrace's types.
func nodeTypes() map[string]reflect.Type {
	nodes := []any{
		python.FunctionDef{}, python.AsyncFunctionDef{}, python.ClassDef{},
		python.Return{}, python.Delete{}, python.Assign{}, python.TypeAlias{},
		python.AugAssign{}, python.AnnAssign{}, python.For{}, python.AsyncFor{},
		python.While{}, python.If{}, python.With{}, python.AsyncWith{},
		python.Match{}, python.Raise{}, python.Try{}, python.TryStar{},
		python.Assert{}, python.Import{}, python.ImportFrom{}, python.Global{},
		python.Nonlocal{}, python.Pass{}, python.Break{}, python.Continue{},
		python.BoolOp{}, python.NamedExpr{}, python.BinOp{}, python.UnaryOp{},
		python.Lambda{}, python.IfExp{}, python.Dict{}, python.Set{},
		python.ListComp{}, python.SetComp{}, python.DictComp{},
		python.GeneratorExp{}, python.Await{}, python.Yield{},
		python.YieldFrom{}, python.Compare{}, python.Call{},
		python.FormattedValue{}, python.Interpolation{}, python.JoinedStr{},
		python.TemplateStr{}, python.Constant{}, python.Attribute{},
		python.Subscript{}, python.Starred{}, python.Name{}, python.List{},
		python.Tuple{}, python.Slice{}, python.ExceptHandler{},
		python.MatchValue{}, python.MatchSingleton{}, python.MatchSequence{},
		python.MatchMapping{}, python.MatchClass{}, python.MatchStar{},
		python.MatchAs{}, python.MatchOr{}, python.TypeVar{},
		python.ParamSpec{}, python.TypeVarTuple{},
	}
	m := map[string]reflect.Type{
		"Expr":          reflect.TypeFor[python.ExprStmt](),
		"comprehension": reflect.TypeFor[python.Comprehension](),
		"arguments":     reflect.TypeFor[python.Arguments](),
		"arg":           reflect.TypeFor[python.Arg](),
		"keyword":       reflect.TypeFor[python.Keyword](),
		"alias":         reflect.TypeFor[python.Alias](),
		"withitem":      reflect.TypeFor[python.WithItem](),
		"match_case":    reflect.TypeFor[python.MatchCase](),
	}
	for _, n := range nodes {
		t := reflect.TypeOf(n)
		m[t.Name()] = t
	}
	return m
}

// goField returns the Go struct field of a CPython field name: the name
// title-cased at underscores, except for a few.
func goField(v reflect.Value, name string) (reflect.Value, bool) {
	var goName string
	switch name {
	case "id":
		goName = "ID"
	case "posonlyargs":
		goName = "PosOnlyArgs"
	case "kwonlyargs":
		goName = "KwOnlyArgs"
	case "asname":
		goName = "AsName"
	default:
		var b strings.Builder
		for _, part := range strings.Split(name, "_") {
			if part != "" {
				b.WriteString(strings.ToUpper(part[:1]) + part[1:])
			}
		}
		goName = b.String()
	}
	f := v.FieldByName(goName)
	return f, f.IsValid()
}

// fields reads the field lines of a node at depth into the struct v.
func (u *undumper) fields(v reflect.Value, depth int) error {
	for {
		e, ok := u.peek(depth)
		if !ok {
			return nil
		}
		f, ok := goField(v, e.name)
		if !ok {
			switch e.name {
			case "type_comment", "type_ignores":
				// Not in pyrace's tree; always None and [] in dumps.
				if e.value != "None" && e.value != "[]" {
					return u.errorf("unsupported value")
				}
				u.pos++
				continue
			}
			return u.errorf("no field %s in %s", e.name, v.Type())
		}
		if e.idx >= 0 {
			if f.Kind() != reflect.Slice || e.idx != f.Len() {
				return u.errorf("unexpected list element")
			}
			elem := reflect.New(f.Type().Elem()).Elem()
			if err := u.value(elem, e, depth); err != nil {
				return err
			}
			f.Set(reflect.Append(f, elem))
			continue
		}
		if f.Kind() == reflect.Slice {
			if e.value != "[]" {
				return u.errorf("want [] for list field")
			}
			u.pos++
			continue
		}
		if err := u.value(f, e, depth); err != nil {
			return err
		}
	}
}

// value reads the value of entry e (at the current line) into f.
func (u *undumper) value(f reflect.Value, e entry, depth int) error {
	t := f.Type()
	switch {
	case t.Kind() == reflect.Interface || t.Kind() == reflect.Pointer:
		if e.value == "None" {
			u.pos++
			return nil
		}
		return u.node(f, e.value, depth)
	case t == reflect.TypeFor[python.Value]():
		val, err := parseValue(e.value)
		if err != nil {
			return u.errorf("%v", err)
		}
		f.Set(reflect.ValueOf(val))
	case t.Kind() == reflect.String:
		if e.value != "None" {
			s, err := parsePyString(e.value)
			if err != nil {
				return u.errorf("%v", err)
			}
			f.SetString(s)
		}
	case t.Kind() == reflect.Bool:
		switch e.value {
		case "0", "False":
		case "1", "True":
			f.SetBool(true)
		default:
			return u.errorf("bad bool")
		}
	case t.Kind() == reflect.Int:
		n, err := strconv.Atoi(e.value)
		if err != nil {
			return u.errorf("%v", err)
		}
		f.SetInt(int64(n))
	case t.Kind() == reflect.Uint8:
		// An enumeration: find the value whose String() is the name.
		for i := 0; i < 256; i++ {
			cand := reflect.New(t).Elem()
			cand.SetUint(uint64(i))
			if fmt.Sprint(cand.Interface()) == e.value {
				f.Set(cand)
				u.pos++
				return nil
			}
		}
		return u.errorf("unknown %s", t)
	default:
		return u.errorf("cannot set %s", t)
	}
	u.pos++
	return nil
}

// node reads a node line "Type[ @L:C-EL:EC]" and its fields into f, an
// interface or pointer field.
func (u *undumper) node(f reflect.Value, head string, depth int) error {
	typ, pos, hasPos := strings.Cut(head, " @")
	t, ok := u.types[typ]
	if !ok {
		return u.errorf("unknown node type %s", typ)
	}
	p := reflect.New(t)
	if !p.Type().AssignableTo(f.Type()) {
		return u.errorf("%s cannot be a %s", typ, f.Type())
	}
	if hasPos {
		var s python.Span
		if _, err := fmt.Sscanf(pos, "%d:%d-%d:%d", &s.Line, &s.Col, &s.EndLine, &s.EndCol); err != nil {
			return u.errorf("bad position: %v", err)
		}
		sf := p.Elem().FieldByName("Span")
		if !sf.IsValid() {
			return u.errorf("%s has no position", typ)
		}
		sf.Set(reflect.ValueOf(s))
	}
	u.pos++
	if err := u.fields(p.Elem(), depth+1); err != nil {
		return err
	}
	f.Set(p)
	return nil
}

// parseValue parses a type-tagged constant.
func parseValue(s string) (python.Value, error) {
	switch s {
	case "None":
		return python.Value{Kind: python.NoneValue}, nil
	case "True", "False":
		return python.Value{Kind: python.BoolValue, Bool: s == "True"}, nil
	case "Ellipsis":
		return python.Value{Kind: python.EllipsisValue}, nil
	}
	tag, text, ok := strings.Cut(s, ":")
	if !ok {
		return python.Value{}, fmt.Errorf("bad constant %q", s)
	}
	switch tag {
	case "int":
		return python.Value{Kind: python.IntValue, Str: text}, nil
	case "float":
		f, err := parseFloat(text)
		return python.Value{Kind: python.FloatValue, Float: f}, err
	case "complex":
		re, im, ok := strings.Cut(text, ",")
		if !ok || re != "0.0" {
			return python.Value{}, fmt.Errorf("bad complex %q", s)
		}
		f, err := parseFloat(im)
		return python.Value{Kind: python.ComplexValue, Float: f}, err
	case "str":
		str, err := parsePyString(text)
		return python.Value{Kind: python.StrValue, Str: str}, err
	case "bytes":
		b, err := hex.DecodeString(text)
		return python.Value{Kind: python.BytesValue, Str: string(b)}, err
	}
	return python.Value{}, fmt.Errorf("bad constant %q", s)
}

func parseFloat(s string) (float64, error) {
	switch s {
	case "inf":
		return math.Inf(1), nil
	case "-inf":
		return math.Inf(-1), nil
	case "nan":
		return math.NaN(), nil
	}
	return strconv.ParseFloat(s, 64)
}

// parsePyString decodes a JSON string as Python's json module writes it,
// keeping lone surrogates as WTF-8 (which encoding/json would replace).
func parsePyString(s string) (string, error) {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return "", fmt.Errorf("bad string %q", s)
	}
	s = s[1 : len(s)-1]
	var b []byte
	var pending rune = -1 // a high surrogate waiting for its low half
	flush := func() {
		if pending >= 0 {
			b = appendWTF8(b, pending)
			pending = -1
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c != '\\' {
			flush()
			b = append(b, c)
			i++
			continue
		}
		if i+1 >= len(s) {
			return "", fmt.Errorf("bad escape in %q", s)
		}
		esc := s[i+1]
		i += 2
		var r rune
		switch esc {
		case '"', '\\', '/':
			r = rune(esc)
		case 'b':
			r = '\b'
		case 'f':
			r = '\f'
		case 'n':
			r = '\n'
		case 'r':
			r = '\r'
		case 't':
			r = '\t'
		case 'u':
			if i+4 > len(s) {
				return "", fmt.Errorf("bad escape in %q", s)
			}
			n, err := strconv.ParseUint(s[i:i+4], 16, 16)
			if err != nil {
				return "", fmt.Errorf("bad escape in %q", s)
			}
			i += 4
			r = rune(n)
		default:
			return "", fmt.Errorf("bad escape in %q", s)
		}
		switch {
		case utf16.IsSurrogate(r) && r < 0xDC00:
			flush()
			pending = r
			continue
		case utf16.IsSurrogate(r) && pending >= 0:
			r = utf16.DecodeRune(pending, r)
			pending = -1
		}
		flush()
		b = appendWTF8(b, r)
	}
	flush()
	return string(b), nil
}

// appendWTF8 appends r as UTF-8, encoding surrogates the WTF-8 way.
func appendWTF8(b []byte, r rune) []byte {
	if utf16.IsSurrogate(r) {
		return append(b, 0xED, byte(0x80|(r>>6)&0x3F), byte(0x80|r&0x3F))
	}
	return utf8.AppendRune(b, r)
}
