package python

import (
	"bufio"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestFloatRepr(t *testing.T) {
	tests := []struct {
		f    float64
		want string
	}{
		{0, "0.0"},
		{math.Copysign(0, -1), "-0.0"},
		{1, "1.0"},
		{-1.5, "-1.5"},
		{0.1, "0.1"},
		{2.5, "2.5"},
		{1e15, "1000000000000000.0"},
		{9999999999999998, "9999999999999998.0"},
		{1e16, "1e+16"},
		{1.5e16, "1.5e+16"},
		{1e22, "1e+22"},
		{123456789.123, "123456789.123"},
		{0.0001, "0.0001"},
		{0.00012345, "0.00012345"},
		{1e-5, "1e-05"},
		{1.5e-5, "1.5e-05"},
		{9.999e-5, "9.999e-05"},
		{1.5e300, "1.5e+300"},
		{5e-324, "5e-324"},
		{2.2250738585072014e-308, "2.2250738585072014e-308"},
		{1.7976931348623157e308, "1.7976931348623157e+308"},
		{math.Inf(1), "inf"},
		{math.Inf(-1), "-inf"},
		{math.NaN(), "nan"},
		{3.141592653589793, "3.141592653589793"},
		{1.0 / 3, "0.3333333333333333"},
		{100, "100.0"},
		{123e100, "1.23e+102"},
	}
	for _, tt := range tests {
		if got := string(appendFloatRepr(nil, tt.f)); got != tt.want {
			t.Errorf("repr(%v) = %q, want %q", tt.f, got, tt.want)
		}
	}
}

func TestPyString(t *testing.T) {
	tests := []struct {
		s    string
		want string
	}{
		{"", `""`},
		{"plain ASCII ~", `"plain ASCII ~"`},
		{`quote " backslash \ slash /`, `"quote \" backslash \\ slash /"`},
		{"\n\r\t\b\f", `"\n\r\t\b\f"`},
		{"\x00\x01\x1f\x7f", `"\u0000\u0001\u001f\u007f"`},
		{"é ü 中 \u2028", `"\u00e9 \u00fc \u4e2d \u2028"`},
		{"\U0001F600", `"\ud83d\ude00"`},
		{"\U0010FFFF", `"\udbff\udfff"`},
		{"\uFFFD", `"\ufffd"`},
		// Lone surrogates, WTF-8 encoded: U+DC80, U+D83D, U+DFFF.
		{"a\xed\xb2\x80b", `"a\udc80b"`},
		{"\xed\xa0\xbd", `"\ud83d"`},
		{"\xed\xbf\xbf", `"\udfff"`},
		// A surrogate pair as two WTF-8 code points prints like the pair.
		{"\xed\xa0\xbd\xed\xb8\x80", `"\ud83d\ude00"`},
		// Bytes that are no encoding of anything.
		{"\xff", `"\ufffd"`},
		{"\xed\xa0", `"\ufffd\ufffd"`},
		{"\xc3", `"\ufffd"`},
	}
	for _, tt := range tests {
		if got := string(appendPyString(nil, tt.s)); got != tt.want {
			t.Errorf("appendPyString(%q) = %s, want %s", tt.s, got, tt.want)
		}
	}
}

func TestAppendValue(t *testing.T) {
	tests := []struct {
		v    Value
		want string
	}{
		{Value{Kind: NoneValue}, "None"},
		{Value{Kind: BoolValue, Bool: true}, "True"},
		{Value{Kind: BoolValue}, "False"},
		{Value{Kind: EllipsisValue}, "Ellipsis"},
		{Value{Kind: IntValue, Str: "0"}, "int:0"},
		{Value{Kind: IntValue, Str: "123456789012345678901234567890"}, "int:123456789012345678901234567890"},
		{Value{Kind: FloatValue, Float: 1e16}, "float:1e+16"},
		{Value{Kind: FloatValue, Float: 0.5}, "float:0.5"},
		{Value{Kind: ComplexValue, Float: 1}, "complex:0.0,1.0"},
		{Value{Kind: ComplexValue, Float: 1e-5}, "complex:0.0,1e-05"},
		{Value{Kind: ComplexValue, Float: math.Inf(1)}, "complex:0.0,inf"},
		{Value{Kind: StrValue, Str: "a\"b"}, `str:"a\"b"`},
		{Value{Kind: StrValue}, `str:""`},
		{Value{Kind: BytesValue, Str: "\x00\xffAz"}, "bytes:00ff417a"},
		{Value{Kind: BytesValue}, "bytes:"},
	}
	for _, tt := range tests {
		if got := string(appendValue(nil, tt.v)); got != tt.want {
			t.Errorf("appendValue(%+v) = %s, want %s", tt.v, got, tt.want)
		}
	}
}

// dumpString dumps m for version v, failing the test on error.
func dumpString(t *testing.T, m *Module, v Version) string {
	t.Helper()
	var b strings.Builder
	if err := Dump(&b, m, DumpOptions{Version: v}); err != nil {
		t.Fatalf("Dump: %v", err)
	}
	return b.String()
}

// sp is a shorthand for a one-line span.
func sp(line, col, endCol int) Span { return Span{line, col, line, endCol} }

func name(id string, ctx ExprContext, line, col int) *Name {
	return &Name{Span: sp(line, col, col+len(id)), ID: id, Ctx: ctx}
}

func intConst(digits string, line, col int) *Constant {
	return &Constant{Span: sp(line, col, col+len(digits)), Value: Value{Kind: IntValue, Str: digits}}
}

func TestDumpEmpty(t *testing.T) {
	want := "Module\n  body: []\n  type_ignores: []\n"
	if got := dumpString(t, &Module{}, Version{}); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	if got := dumpString(t, nil, Version{}); got != want {
		t.Errorf("nil module: got:\n%s\nwant:\n%s", got, want)
	}
}

// TestDumpExample checks the example of docs/ast-dump.md.
func TestDumpExample(t *testing.T) {
	m := &Module{Body: []Stmt{&Assign{
		Span:    sp(1, 0, 23),
		Targets: []Expr{name("x", Store, 1, 0)},
		Value:   intConst("123", 1, 4),
	}}}
	m.Body[0].(*Assign).Value.(*Constant).Span = sp(1, 4, 7)
	want := `Module
  body[0]: Assign @1:0-1:23
    targets[0]: Name @1:0-1:1
      id: "x"
      ctx: Store
    value: Constant @1:4-1:7
      value: int:123
      kind: None
    type_comment: None
  type_ignores: []
`
	if got := dumpString(t, m, Version{}); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

// TestDumpVersions checks the version-dependent positions: keyword (3.9+),
// alias (3.10+), Slice (3.9+) and Python 3.8's ExtSlice.
func TestDumpVersions(t *testing.T) {
	// import a
	// f(k=1)
	// x[1:2, 3]
	// x[1:2]
	// x[a, b]
	slice := func(line int) *Slice {
		return &Slice{Span: sp(line, 2, 5), Lower: intConst("1", line, 2), Upper: intConst("2", line, 4)}
	}
	m := &Module{Body: []Stmt{
		&Import{Span: sp(1, 0, 8), Names: []*Alias{{Span: sp(1, 7, 8), Name: "a"}}},
		&ExprStmt{Span: sp(2, 0, 6), Value: &Call{
			Span: sp(2, 0, 6), Func: name("f", Load, 2, 0),
			Keywords: []*Keyword{{Span: sp(2, 2, 5), Arg: "k", Value: intConst("1", 2, 4)}},
		}},
		&ExprStmt{Span: sp(3, 0, 9), Value: &Subscript{
			Span: sp(3, 0, 9), Value: name("x", Load, 3, 0),
			Slice: &Tuple{Span: sp(3, 2, 8), Elts: []Expr{slice(3), intConst("3", 3, 7)}},
		}},
		&ExprStmt{Span: sp(4, 0, 6), Value: &Subscript{
			Span: sp(4, 0, 6), Value: name("x", Load, 4, 0), Slice: slice(4),
		}},
		&ExprStmt{Span: sp(5, 0, 7), Value: &Subscript{
			Span: sp(5, 0, 7), Value: name("x", Load, 5, 0),
			Slice: &Tuple{Span: sp(5, 2, 6), Elts: []Expr{name("a", Load, 5, 2), name("b", Load, 5, 5)}},
		}},
	}}
	// The lines that differ between versions, by version.
	type check struct {
		v    Version
		want []string
	}
	checks := []check{
		{Version{3, 8}, []string{
			"    names[0]: alias\n",
			"      keywords[0]: keyword\n",
			"      slice: Tuple\n        elts[0]: Slice\n",
			"      slice: Slice\n",
			"      slice: Tuple @5:2-5:6\n",
		}},
		{Version{3, 9}, []string{
			"    names[0]: alias\n",
			"      keywords[0]: keyword @2:2-2:5\n",
			"      slice: Tuple @3:2-3:8\n        elts[0]: Slice @3:2-3:5\n",
			"      slice: Slice @4:2-4:5\n",
			"      slice: Tuple @5:2-5:6\n",
		}},
		{Version{3, 10}, []string{
			"    names[0]: alias @1:7-1:8\n",
			"      keywords[0]: keyword @2:2-2:5\n",
		}},
		{Version{}, []string{ // latest
			"    names[0]: alias @1:7-1:8\n",
			"      keywords[0]: keyword @2:2-2:5\n",
			"      slice: Tuple @3:2-3:8\n        elts[0]: Slice @3:2-3:5\n",
		}},
	}
	for _, c := range checks {
		got := dumpString(t, m, c.v)
		for _, w := range c.want {
			if !strings.Contains(got, w) {
				t.Errorf("version %v: dump lacks %q; dump:\n%s", c.v, w, got)
			}
		}
	}
}

// TestDumpAllNodes dumps one hand-built tree holding every node type and
// checks it line by line.
func TestDumpAllNodes(t *testing.T) {
	s := Span{1, 0, 1, 1}
	n := func(id string) *Name { return &Name{Span: s, ID: id} }
	c := func(v Value) *Constant { return &Constant{Span: s, Value: v} }
	one := c(Value{Kind: IntValue, Str: "1"})
	args := &Arguments{
		PosOnlyArgs: []*Arg{{Span: s, Arg: "a"}},
		Args:        []*Arg{{Span: s, Arg: "b", Annotation: n("int")}},
		Vararg:      &Arg{Span: s, Arg: "c"},
		KwOnlyArgs:  []*Arg{{Span: s, Arg: "d"}, {Span: s, Arg: "e"}},
		KwDefaults:  []Expr{nil, one},
		Kwarg:       &Arg{Span: s, Arg: "f"},
		Defaults:    []Expr{one},
	}
	comp := []*Comprehension{{Target: n("x"), Iter: n("y"), Ifs: []Expr{n("z")}, IsAsync: true}}
	m := &Module{Body: []Stmt{
		&FunctionDef{Span: s, Name: "f", Args: args, Body: []Stmt{&Pass{Span: s}},
			DecoratorList: []Expr{n("d")}, Returns: n("r"),
			TypeParams: []TypeParam{
				&TypeVar{Span: s, Name: "T", Bound: n("int"), DefaultValue: n("str")},
				&ParamSpec{Span: s, Name: "P"},
				&TypeVarTuple{Span: s, Name: "Ts", DefaultValue: n("u")},
			}},
		&AsyncFunctionDef{Span: s, Name: "g", Args: &Arguments{}, Body: []Stmt{&Break{Span: s}, &Continue{Span: s}}},
		&ClassDef{Span: s, Name: "C", Bases: []Expr{n("B")},
			Keywords: []*Keyword{{Span: s, Arg: "k", Value: one}, {Span: s, Value: n("kw")}},
			Body:     []Stmt{&Return{Span: s}, &Return{Span: s, Value: one}}},
		&Delete{Span: s, Targets: []Expr{&Name{Span: s, ID: "x", Ctx: Del}}},
		&TypeAlias{Span: s, Name: &Name{Span: s, ID: "A", Ctx: Store}, Value: n("int")},
		&AugAssign{Span: s, Target: &Name{Span: s, ID: "x", Ctx: Store}, Op: FloorDiv, Value: one},
		&AnnAssign{Span: s, Target: n("x"), Annotation: n("int"), Simple: true},
		&For{Span: s, Target: n("i"), Iter: n("it"), Body: []Stmt{&Pass{Span: s}}, Orelse: []Stmt{&Pass{Span: s}}},
		&AsyncFor{Span: s, Target: n("i"), Iter: n("it"), Body: []Stmt{&Pass{Span: s}}},
		&While{Span: s, Test: one, Body: []Stmt{&Pass{Span: s}}},
		&If{Span: s, Test: one, Body: []Stmt{&Pass{Span: s}}, Orelse: []Stmt{&If{Span: s, Test: n("b")}}},
		&With{Span: s, Items: []*WithItem{{ContextExpr: n("a"), OptionalVars: n("b")}, {ContextExpr: n("c")}}},
		&AsyncWith{Span: s, Items: []*WithItem{{ContextExpr: n("a")}}},
		&Match{Span: s, Subject: n("x"), Cases: []*MatchCase{
			{Pattern: &MatchValue{Span: s, Value: one}, Guard: n("g")},
			{Pattern: &MatchSingleton{Span: s, Value: Value{Kind: NoneValue}}},
			{Pattern: &MatchSequence{Span: s, Patterns: []Pattern{&MatchStar{Span: s, Name: "rest"}, &MatchStar{Span: s}}}},
			{Pattern: &MatchMapping{Span: s, Keys: []Expr{one}, Patterns: []Pattern{&MatchAs{Span: s}}, Rest: "r"}},
			{Pattern: &MatchClass{Span: s, Cls: n("P"), Patterns: []Pattern{&MatchAs{Span: s, Name: "a"}},
				KwdAttrs: []string{"x"}, KwdPatterns: []Pattern{&MatchAs{Span: s, Pattern: &MatchAs{Span: s}, Name: "b"}}}},
			{Pattern: &MatchOr{Span: s, Patterns: []Pattern{&MatchSingleton{Span: s, Value: Value{Kind: BoolValue, Bool: true}}}}},
		}},
		&Raise{Span: s, Exc: n("E"), Cause: n("c")},
		&Try{Span: s, Body: []Stmt{&Pass{Span: s}},
			Handlers:  []*ExceptHandler{{Span: s, Type: n("E"), Name: "e"}, {Span: s}},
			Finalbody: []Stmt{&Pass{Span: s}}},
		&TryStar{Span: s, Handlers: []*ExceptHandler{{Span: s, Type: n("E")}}, Orelse: []Stmt{&Pass{Span: s}}},
		&Assert{Span: s, Test: one, Msg: n("m")},
		&Import{Span: s, Names: []*Alias{{Span: s, Name: "a.b", AsName: "c"}}},
		&ImportFrom{Span: s, Names: []*Alias{{Span: s, Name: "*"}}, Level: 2},
		&ImportFrom{Span: s, Module: "m", Names: []*Alias{{Span: s, Name: "x"}}},
		&Global{Span: s, Names: []string{"a", "b"}},
		&Nonlocal{Span: s, Names: []string{"c"}},
		&ExprStmt{Span: s, Value: &Tuple{Span: s, Elts: []Expr{
			&BoolOp{Span: s, Op: Or, Values: []Expr{n("a"), n("b")}},
			&NamedExpr{Span: s, Target: &Name{Span: s, ID: "x", Ctx: Store}, Value: one},
			&BinOp{Span: s, Left: one, Op: MatMult, Right: one},
			&UnaryOp{Span: s, Op: Not, Operand: one},
			&Lambda{Span: s, Args: &Arguments{}, Body: one},
			&IfExp{Span: s, Test: one, Body: one, Orelse: one},
			&Dict{Span: s, Keys: []Expr{one, nil}, Values: []Expr{one, n("d")}},
			&Set{Span: s, Elts: []Expr{one}},
			&ListComp{Span: s, Elt: n("x"), Generators: comp},
			&SetComp{Span: s, Elt: n("x"), Generators: comp},
			&DictComp{Span: s, Key: n("k"), Value: n("v"), Generators: comp},
			&GeneratorExp{Span: s, Elt: n("x"), Generators: comp},
			&Await{Span: s, Value: n("a")},
			&Yield{Span: s},
			&YieldFrom{Span: s, Value: n("a")},
			&Compare{Span: s, Left: one, Ops: []CmpOperator{NotIn, IsNot}, Comparators: []Expr{one, one}},
			&Call{Span: s, Func: n("f"), Args: []Expr{&Starred{Span: s, Value: n("a")}}},
			&JoinedStr{Span: s, Values: []Expr{
				c(Value{Kind: StrValue, Str: "x="}),
				&FormattedValue{Span: s, Value: n("x"), Conversion: 'r',
					FormatSpec: &JoinedStr{Span: s, Values: []Expr{c(Value{Kind: StrValue, Str: ".2f"})}}},
			}},
			&TemplateStr{Span: s, Values: []Expr{
				&Interpolation{Span: s, Value: n("x"), Str: "x", Conversion: -1},
			}},
			&Constant{Span: s, Value: Value{Kind: StrValue, Str: "u"}, Kind: "u"},
			&Attribute{Span: s, Value: n("a"), Attr: "b", Ctx: Store},
			&Subscript{Span: s, Value: n("a"), Slice: &Slice{Span: s, Step: one}, Ctx: Del},
			&List{Span: s, Elts: []Expr{&Starred{Span: s, Value: n("s"), Ctx: Store}}, Ctx: Store},
		}}},
	}}
	got := dumpString(t, m, Version{})
	want := allNodesWant
	gl, wl := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(gl) || i < len(wl); i++ {
		var g, w string
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		if g != w {
			t.Fatalf("line %d: got %q, want %q\nfull dump:\n%s", i+1, g, w, got)
		}
	}
}

type unknownExpr struct{ Span }

func (unknownExpr) exprNode() {}

func TestDumpUnknownNode(t *testing.T) {
	m := &Module{Body: []Stmt{&ExprStmt{Span: sp(1, 0, 1), Value: unknownExpr{}}}}
	var b strings.Builder
	err := Dump(&b, m, DumpOptions{})
	if err == nil || !strings.Contains(err.Error(), "unknownExpr") {
		t.Errorf("Dump error = %v, want one naming unknownExpr", err)
	}
	if !strings.Contains(b.String(), "value: ?python.unknownExpr") {
		t.Errorf("dump lacks the unknown node marker:\n%s", b.String())
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestDumpWriteError(t *testing.T) {
	if err := Dump(failingWriter{}, &Module{}, DumpOptions{}); err == nil || err.Error() != "disk full" {
		t.Errorf("Dump error = %v, want disk full", err)
	}
}

// python3 returns a python3 interpreter's path, or skips the test.
func python3(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"python3", "/usr/bin/python3"} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	t.Skip("no python3 found")
	return ""
}

// runPython runs a Python script with input on stdin and returns its
// output lines.
func runPython(t *testing.T, script, input string) []string {
	t.Helper()
	cmd := exec.Command(python3(t), "-I", "-c", script)
	cmd.Stdin = strings.NewReader(input)
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("python: %v\n%s", err, ee.Stderr)
		}
		t.Fatalf("python: %v", err)
	}
	return strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
}

// TestFloatReprMatchesPython compares appendFloatRepr with repr(float) on
// many floats: random bit patterns, random short decimals and powers of
// ten around the notation thresholds.
func TestFloatReprMatchesPython(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var fs []float64
	for i := 0; i < 20000; i++ {
		f := math.Float64frombits(r.Uint64())
		if !math.IsNaN(f) {
			fs = append(fs, f)
		}
	}
	for i := 0; i < 20000; i++ {
		digits := r.IntN(1_000_000)
		exp := r.IntN(60) - 30
		f, _ := strconv.ParseFloat(fmt.Sprintf("%de%d", digits, exp), 64)
		fs = append(fs, f)
	}
	for e := -330; e <= 310; e++ {
		p, _ := strconv.ParseFloat(fmt.Sprintf("1e%d", e), 64)
		fs = append(fs, p, math.Nextafter(p, 0), math.Nextafter(p, math.Inf(1)), 9.5*p, 0.5*p)
	}
	fs = append(fs, 0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.MaxFloat64, math.SmallestNonzeroFloat64)
	var in strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&in, "%d\n", math.Float64bits(f))
	}
	const script = `import struct, sys
out = [repr(struct.unpack("<d", struct.pack("<Q", int(l)))[0]) for l in sys.stdin]
sys.stdout.write("\n".join(out) + "\n")`
	want := runPython(t, script, in.String())
	if len(want) != len(fs) {
		t.Fatalf("python printed %d lines for %d floats", len(want), len(fs))
	}
	bad := 0
	for i, f := range fs {
		if got := string(appendFloatRepr(nil, f)); got != want[i] {
			t.Errorf("repr(%b) = %q, Python says %q", f, got, want[i])
			if bad++; bad == 20 {
				t.Fatal("too many differences")
			}
		}
	}
}

// TestPyStringMatchesPython compares appendPyString with json.dumps on
// random strings of code points, lone surrogates included.
func TestPyStringMatchesPython(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var strs [][]rune
	for i := 0; i < 2000; i++ {
		n := r.IntN(12)
		s := make([]rune, n)
		for j := range s {
			switch r.IntN(5) {
			case 0:
				s[j] = rune(r.IntN(0x80))
			case 1:
				s[j] = rune(0xD800 + r.IntN(0x800)) // surrogate
			case 2:
				s[j] = rune(0x10000 + r.IntN(0x100000))
			default:
				s[j] = rune(r.IntN(0x10000))
			}
		}
		strs = append(strs, s)
	}
	var in strings.Builder
	for _, s := range strs {
		for j, c := range s {
			if j > 0 {
				in.WriteByte(' ')
			}
			fmt.Fprintf(&in, "%d", c)
		}
		in.WriteByte('\n')
	}
	const script = `import json, sys
out = [json.dumps("".join(chr(int(c)) for c in l.split())) for l in sys.stdin]
sys.stdout.write("\n".join(out) + "\n")`
	want := runPython(t, script, in.String())
	if len(want) != len(strs) {
		t.Fatalf("python printed %d lines for %d strings", len(want), len(strs))
	}
	for i, s := range strs {
		var b []byte
		for _, c := range s {
			if c >= 0xD800 && c < 0xE000 {
				b = append(b, 0xED, byte(0x80|(c>>6)&0x3F), byte(0x80|c&0x3F))
			} else {
				b = utf8.AppendRune(b, c)
			}
		}
		if got := string(appendPyString(nil, string(b))); got != want[i] {
			t.Errorf("appendPyString(%U) = %s, json.dumps says %s", s, got, want[i])
		}
	}
}

// BenchmarkDump measures Dump on a synthetic module of many statements.
func BenchmarkDump(b *testing.B) {
	var body []Stmt
	for i := 0; i < 1000; i++ {
		body = append(body, &Assign{
			Span:    sp(i+1, 0, 20),
			Targets: []Expr{name("variable", Store, i+1, 0)},
			Value: &BinOp{Span: sp(i+1, 11, 20), Left: intConst("12345", i+1, 11), Op: Add,
				Right: &Constant{Span: sp(i+1, 17, 20), Value: Value{Kind: StrValue, Str: "text\n"}}},
		})
	}
	m := &Module{Body: body}
	w := bufio.NewWriter(discard{})
	b.ReportAllocs()
	for b.Loop() {
		if err := Dump(w, m, DumpOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
