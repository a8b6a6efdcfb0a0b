package difftest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/pyrace/pyrace/internal/python"
)

func TestReadRecords(t *testing.T) {
	const out = "=== a.py\nModule\n  body: []\n  type_ignores: []\n=== end\n" +
		"=== b.py\n!!! SyntaxError: invalid syntax (line 3)\n=== end\n" +
		"=== c.py\nModule\n=== end\n"
	var got []Record
	err := ReadRecords(strings.NewReader(out), []string{"a.py", "b.py", "c.py"}, func(r Record) error {
		got = append(got, r)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []Record{
		{Path: "a.py", Dump: "Module\n  body: []\n  type_ignores: []\n"},
		{Path: "b.py", Rejected: "SyntaxError: invalid syntax (line 3)"},
		{Path: "c.py", Dump: "Module\n"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}

	bad := []struct {
		name, out string
		paths     []string
	}{
		{"truncated dump", "=== a.py\nModule\n", []string{"a.py"}},
		{"no final newline", "=== a.py\nModule\n=== end", []string{"a.py"}},
		{"missing record", "=== a.py\nModule\n=== end\n", []string{"a.py", "b.py"}},
		{"wrong path", "=== b.py\nModule\n=== end\n", []string{"a.py"}},
		{"extra output", "=== a.py\nModule\n=== end\njunk\n", []string{"a.py"}},
		{"dump after rejection", "=== a.py\n!!! E: m\nModule\n=== end\n", []string{"a.py"}},
	}
	for _, tt := range bad {
		err := ReadRecords(strings.NewReader(tt.out), tt.paths, func(Record) error { return nil })
		if err == nil {
			t.Errorf("%s: no error", tt.name)
		}
	}
}

func TestReadRecordsLongLine(t *testing.T) {
	long := "      value: str:\"" + strings.Repeat("x", 3<<20) + "\""
	out := "=== a.py\nModule\n" + long + "\n=== end\n"
	err := ReadRecords(strings.NewReader(out), []string{"a.py"}, func(r Record) error {
		if r.Dump != "Module\n"+long+"\n" {
			t.Errorf("long line mangled (%d bytes)", len(r.Dump))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// dumpLines makes a dump of n numbered statements.
func dumpLines(n int) []string {
	lines := []string{"Module"}
	for i := 1; i <= n; i++ {
		lines = append(lines,
			"  body["+strconv.Itoa(i-1)+"]: Expr @"+strconv.Itoa(i)+":0-"+strconv.Itoa(i)+":1",
			"    value: Name @"+strconv.Itoa(i)+":0-"+strconv.Itoa(i)+":1",
			`      id: "x"`,
			"      ctx: Load")
	}
	return append(lines, "  type_ignores: []")
}

func joinLines(lines []string) string { return strings.Join(lines, "\n") + "\n" }

func TestCompare(t *testing.T) {
	src := []byte("x\nx\nx\nx\nx\nx\nx\nx\nx\nx\n")
	lines := dumpLines(10)
	dump := joinLines(lines)
	accepted := Record{Path: "/lib/m.py", Dump: dump}
	rejected := Record{Path: "/lib/m.py", Rejected: "SyntaxError: invalid syntax (line 4)"}

	if m := Compare(accepted, Outcome{Dump: dump}, "m.py", src); m != nil {
		t.Errorf("identical dumps: %s", m.Report)
	}
	if m := Compare(rejected, Outcome{Rejected: "m.py:2:1: bad", RejectedLine: 2}, "m.py", src); m != nil {
		t.Errorf("both rejected: %s", m.Report)
	}

	// Inject a difference in the column of the 7th statement's Name.
	changed := slices.Clone(lines)
	at := slices.Index(changed, "    value: Name @7:0-7:1")
	changed[at] = "    value: Name @7:0-7:2"
	m := Compare(accepted, Outcome{Dump: joinLines(changed)}, "m.py", src)
	if m == nil {
		t.Fatal("injected difference not found")
	}
	for _, want := range []string{
		"m.py: dumps differ at line " + strconv.Itoa(at+1),
		`source line 7: "x"`,
		fmt.Sprintf("  > %6d      value: Name @7:0-7:1", at+1),
		fmt.Sprintf("  > %6d      value: Name @7:0-7:2", at+1),
		"  CPython:", "  pyrace:",
	} {
		if !strings.Contains(m.Report, want) {
			t.Errorf("report lacks %q:\n%s", want, m.Report)
		}
	}
	// 5 lines of context on each side of the differing line, both sides.
	if n := strings.Count(m.Report, "\n  "); n < 2*11 {
		t.Errorf("report has %d context lines, want at least 22:\n%s", n, m.Report)
	}

	// One dump a prefix of the other.
	m = Compare(accepted, Outcome{Dump: joinLines(lines[:5])}, "m.py", src)
	if m == nil || !strings.Contains(m.Report, "dumps differ at line 6") || !strings.Contains(m.Report, "<end of dump>") {
		t.Errorf("truncated dump: %v", m)
	}

	m = Compare(rejected, Outcome{Dump: dump}, "m.py", src)
	if m == nil || !strings.Contains(m.Report, "CPython rejects the file but pyrace accepts it") ||
		!strings.Contains(m.Report, "SyntaxError: invalid syntax (line 4)") || !strings.Contains(m.Report, "source line 4") {
		t.Errorf("accepted by pyrace only: %v", m)
	}
	m = Compare(accepted, Outcome{Rejected: "m.py:2:1: bad", RejectedLine: 2}, "m.py", src)
	if m == nil || !strings.Contains(m.Report, "pyrace rejects the file but CPython accepts it") ||
		!strings.Contains(m.Report, "m.py:2:1: bad") || !strings.Contains(m.Report, "source line 2") {
		t.Errorf("rejected by pyrace only: %v", m)
	}
	m = Compare(rejected, Outcome{Rejected: "x", Failure: "panic: boom"}, "m.py", src)
	if m == nil || !strings.Contains(m.Report, "pyrace failed: panic: boom") {
		t.Errorf("failure: %v", m)
	}
}

// applyDiff applies a unified diff made by UnifiedDiff to a.
func applyDiff(t *testing.T, a []string, diff string) []string {
	t.Helper()
	if diff == "" {
		return a
	}
	lines := splitLines(diff)[2:]
	var out []string
	ai := 0
	for _, l := range lines {
		if strings.HasPrefix(l, "@@") {
			var as, an, bs, bn int
			f := strings.Fields(l)
			parse := func(s string, start, n *int) {
				st, cnt, ok := strings.Cut(s[1:], ",")
				*start, _ = strconv.Atoi(st)
				*n = 1
				if ok {
					*n, _ = strconv.Atoi(cnt)
				}
			}
			parse(f[1], &as, &an)
			parse(f[2], &bs, &bn)
			if an > 0 {
				as--
			}
			out = append(out, a[ai:as]...)
			ai = as
			continue
		}
		switch l[0] {
		case ' ':
			if a[ai] != l[1:] {
				t.Fatalf("context line %q does not match %q", l, a[ai])
			}
			out = append(out, a[ai])
			ai++
		case '-':
			if a[ai] != l[1:] {
				t.Fatalf("deleted line %q does not match %q", l, a[ai])
			}
			ai++
		case '+':
			out = append(out, l[1:])
		}
	}
	return append(out, a[ai:]...)
}

func TestUnifiedDiff(t *testing.T) {
	a := "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n"
	b := "1\n2\n3\n4\nfive\n6\n7\n8\n9\n10\n11\n12\n13\n"
	want := "--- a\n+++ b\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n@@ -10,3 +10,4 @@\n 10\n 11\n 12\n+13\n"
	if got := UnifiedDiff("a", "b", a, b); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	if got := UnifiedDiff("a", "b", a, a); got != "" {
		t.Errorf("equal texts: got %q", got)
	}
	if got, want := UnifiedDiff("a", "b", "", "x\n"), "--- a\n+++ b\n@@ -0,0 +1 @@\n+x\n"; got != want {
		t.Errorf("insertion into empty: got %q, want %q", got, want)
	}

	// Random edits: applying the diff must give back b, and diff -u, when
	// present, must agree on the number of changed lines.
	r := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 300; i++ {
		var al []string
		for j := r.IntN(60); j > 0; j-- {
			al = append(al, strconv.Itoa(r.IntN(8)))
		}
		bl := slices.Clone(al)
		for e := r.IntN(8); e > 0; e-- {
			switch p := r.IntN(len(bl) + 1); r.IntN(3) {
			case 0:
				bl = slices.Insert(bl, p, "new"+strconv.Itoa(e))
			case 1:
				if p < len(bl) {
					bl = slices.Delete(bl, p, p+1)
				}
			case 2:
				if p < len(bl) {
					bl[p] = "changed"
				}
			}
		}
		as, bs := "", ""
		if len(al) > 0 {
			as = joinLines(al)
		}
		if len(bl) > 0 {
			bs = joinLines(bl)
		}
		d := UnifiedDiff("a", "b", as, bs)
		if got := applyDiff(t, al, d); !slices.Equal(got, bl) {
			t.Fatalf("diff of %q -> %q does not apply: got %q\n%s", al, bl, got, d)
		}
	}
}

func TestUnifiedDiffLarge(t *testing.T) {
	// Beyond maxEdits the middle is one block; the result must still apply.
	a := dumpLines(3000)
	b := slices.Clone(a)
	for i := 1; i < len(b); i += 3 {
		b[i] += " changed"
	}
	d := UnifiedDiff("a", "b", joinLines(a), joinLines(b))
	if got := applyDiff(t, a, d); !slices.Equal(got, b) {
		t.Fatal("large diff does not apply")
	}
	// A few edits in a long text stay small hunks.
	c := slices.Clone(a)
	c[100] = "x"
	c = slices.Insert(c, 5000, "y")
	d = UnifiedDiff("a", "c", joinLines(a), joinLines(c))
	if n := strings.Count(d, "\n"); n > 20 {
		t.Errorf("diff of two edits has %d lines:\n%s", n, d)
	}
}

func TestUndump(t *testing.T) {
	const dump = `Module
  body[0]: ImportFrom @1:0-1:20
    module: None
    names[0]: alias @1:14-1:20
      name: "a"
      asname: "b\ud83d\ude00\udc80"
    level: 1
  body[1]: Expr @2:0-2:5
    value: Compare @2:0-2:5
      left: Constant @2:0-2:1
        value: float:1e+16
        kind: None
      ops[0]: NotIn
      comparators[0]: Constant @2:4-2:5
        value: bytes:00ff
        kind: None
  type_ignores: []
`
	m, err := Undump(dump)
	if err != nil {
		t.Fatal(err)
	}
	imp := m.Body[0].(*python.ImportFrom)
	if imp.Level != 1 || imp.Module != "" || imp.Names[0].AsName != "b\U0001F600\xed\xb2\x80" || imp.Names[0].Span != (python.Span{Line: 1, Col: 14, EndLine: 1, EndCol: 20}) {
		t.Errorf("ImportFrom = %+v, alias %+v", imp, imp.Names[0])
	}
	cmp := m.Body[1].(*python.ExprStmt).Value.(*python.Compare)
	if cmp.Ops[0] != python.NotIn || cmp.Left.(*python.Constant).Value.Float != 1e16 ||
		cmp.Comparators[0].(*python.Constant).Value.Str != "\x00\xff" {
		t.Errorf("Compare = %+v", cmp)
	}
	var b strings.Builder
	if err := python.Dump(&b, m, python.DumpOptions{}); err != nil || b.String() != dump {
		t.Errorf("round trip (err %v):\n%s", err, b.String())
	}

	for _, bad := range []string{
		"",
		"Mod\n",
		"Module\n  body[0]: Bogus @1:0-1:1\n",
		"Module\n  body[1]: Pass @1:0-1:4\n",
		"Module\n  body[0]: Pass @1:0-1:4\n      deeper: 1\n",
		"Module\n  body[0]: Name @1:0-1:4\n",
		"Module\n  body[0]: Expr @1:0-1:4\n    value: Name @x\n",
		"Module\n  body[0]: Expr @1:0-1:4\n    value: Constant @1:0-1:1\n      value: weird\n",
	} {
		if _, err := Undump(bad); err == nil {
			t.Errorf("Undump(%q): no error", bad)
		}
	}
}

func TestStdlibFiles(t *testing.T) {
	root := t.TempDir()
	for _, f := range []string{"a.py", "b.txt", "pkg/c.py", "site-packages/d.py", "pkg/dist-packages/e.py", "pkg/sub/f.py"} {
		p := filepath.Join(root, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("a.py", filepath.Join(root, "link.py")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("missing.py", filepath.Join(root, "dangling.py")); err != nil {
		t.Fatal(err)
	}
	got, err := StdlibFiles(root)
	if err != nil {
		t.Fatal(err)
	}
	for i := range got {
		got[i], _ = filepath.Rel(root, got[i])
	}
	want := []string{"a.py", "link.py", "pkg/c.py", "pkg/sub/f.py"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// findPython returns some CPython >= 3.8, or skips the test.
func findPython(t *testing.T) Interpreter {
	t.Helper()
	ins, _, err := Discover(context.Background(), os.Getenv, PyodideOptions{})
	if err == nil && len(ins) > 0 {
		return ins[len(ins)-1]
	}
	if p, err := exec.LookPath("python3"); err == nil {
		if in, err := Probe(context.Background(), p); err == nil && !in.Version.Less(MinVersion()) {
			return in
		}
	}
	t.Skip("no CPython >= 3.8 found")
	return Interpreter{}
}

// TestRun runs the whole pipeline over a small fake standard library with
// a real interpreter and fake parsers.
func TestRun(t *testing.T) {
	in := findPython(t)
	root := t.TempDir()
	files := map[string]string{
		"ok.py":          "import os\nx = [1, 2.5, 'é']\n",
		"pkg/bad.py":     "def f(:\n    pass\n",
		"pkg/nul.py":     "x = 1\x00\n",
		"pkg/latin1.py":  "# -*- coding: latin-1 -*-\ns = '\xe9'\n",
		"pkg/other.py":   "def g(a, /, *b, c=1, **d):\n    return a[1:2, ...]\n",
		"site-packages/": "",
	}
	for name, text := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(name, "/") {
			continue
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	in.Stdlib = root
	script, err := filepath.Abs("../../testdata/astdump.py")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	// Replaying CPython's dumps must match everywhere.
	rep, err := Run(ctx, in, Options{Script: script, Parse: Replay, Workers: 3})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Files != 5 || rep.RejectedByCPython != 2 || len(rep.Mismatches) != 0 {
		t.Fatalf("replay: %s", rep.Summary(5))
	}

	// A parser that gets ok.py's dump wrong and accepts everything.
	broken := func(path string, src []byte, v python.Version, rec *Record) Outcome {
		out := Replay(path, src, v, rec)
		if strings.HasSuffix(path, "ok.py") {
			out.Dump = strings.Replace(out.Dump, "float:2.5", "float:2.25", 1)
		}
		if out.Rejected != "" {
			out = Outcome{Dump: "Module\n  body: []\n  type_ignores: []\n"}
		}
		return out
	}
	outDir := t.TempDir()
	rep, err = Run(ctx, in, Options{Script: script, Parse: broken, OutDir: outDir,
		Filter: func(rel string) bool { return rel != "pkg/other.py" }})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Files != 4 || len(rep.Mismatches) != 3 {
		t.Fatalf("broken parser: %s", rep.Summary(5))
	}
	var rels []string
	for _, m := range rep.Mismatches {
		rels = append(rels, m.Rel)
	}
	if want := []string{"ok.py", "pkg/bad.py", "pkg/nul.py"}; !slices.Equal(rels, want) {
		t.Errorf("mismatches %q, want %q", rels, want)
	}
	sum := rep.Summary(1)
	for _, want := range []string{"3 of 4 files differ", "ok.py: dumps differ", "float:2.25", "... and 2 more"} {
		if !strings.Contains(sum, want) {
			t.Errorf("summary lacks %q:\n%s", want, sum)
		}
	}
	dir := filepath.Join(outDir, in.Name())
	diff, err := os.ReadFile(filepath.Join(dir, "ok.py.diff"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(diff), "-        value: float:2.5\n+        value: float:2.25\n") {
		t.Errorf("ok.py.diff:\n%s", diff)
	}
	for _, f := range []string{"ok.py.cpython", "ok.py.pyrace", "pkg/bad.py.cpython", "pkg/bad.py.pyrace", "pkg/bad.py.diff"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "pkg/bad.py.cpython")); !strings.HasPrefix(string(b), "!!! SyntaxError") {
		t.Errorf("bad.py.cpython = %q", b)
	}
}

func TestRunBatchFailure(t *testing.T) {
	in := findPython(t)
	err := RunBatch(context.Background(), in, filepath.Join(t.TempDir(), "missing.py"), []string{"x.py"}, func(Record) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "missing.py") {
		t.Errorf("RunBatch with a missing script: %v", err)
	}
}

func TestWriteMutantsIsDeterministic(t *testing.T) {
	src := t.TempDir()
	for i := range 3 {
		body := strings.Repeat(fmt.Sprintf("def f%d(a, b=1):\n    return a + b\n", i), 5)
		if err := os.WriteFile(filepath.Join(src, fmt.Sprintf("m%d.py", i)), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	read := func(seed uint64) []string {
		dir := t.TempDir()
		n, err := WriteMutants(src, dir, 50, seed)
		if err != nil || n != 50 {
			t.Fatalf("WriteMutants = %d, %v; want 50", n, err)
		}
		var out []string
		for i := range n {
			b, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("mutant-%04d.py", i)))
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, string(b))
		}
		return out
	}
	a, b, c := read(1), read(1), read(2)
	if !slices.Equal(a, b) {
		t.Error("the same seed gave different mutants")
	}
	if slices.Equal(a, c) {
		t.Error("different seeds gave the same mutants")
	}
	changed := 0
	for _, m := range a {
		if !strings.Contains(strings.Repeat("def f0(a, b=1):\n    return a + b\n", 5)+strings.Repeat("def f1(a, b=1):\n    return a + b\n", 5)+strings.Repeat("def f2(a, b=1):\n    return a + b\n", 5), m) {
			changed++
		}
	}
	if changed < 40 {
		t.Errorf("only %d of 50 mutants differ from their source", changed)
	}
}
