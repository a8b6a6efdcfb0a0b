package python

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// names returns the names bound by the module's top-level statements, in
// order, so tests can tell which statements survived error recovery.
func topLevelNames(m *Module) []string {
	var out []string
	for _, s := range m.Body {
		switch s := s.(type) {
		case *FunctionDef:
			out = append(out, s.Name)
		case *ClassDef:
			out = append(out, s.Name)
		case *Assign:
			for _, t := range s.Targets {
				if n, ok := t.(*Name); ok {
					out = append(out, n.ID)
				}
			}
		}
	}
	return out
}

func TestRecoveryResumesAtNextStatement(t *testing.T) {
	tests := []struct {
		name      string
		src       string
		errLines  []int
		wantNames []string
	}{
		{
			name:      "bad simple statement",
			src:       "a = 1\nb = = 2\nc = 3\n",
			errLines:  []int{2},
			wantNames: []string{"a", "c"},
		},
		{
			name:      "several errors",
			src:       "a = 1\nb = )\nc = 3\nd = (]\ne = 5\nf g\nh = 8\n",
			errLines:  []int{2, 4, 6},
			wantNames: []string{"a", "c", "e", "h"},
		},
		{
			name:      "error in a function header skips its body",
			src:       "def f(:\n    x = 1\n    y = 2\ndef g():\n    pass\nz = 3\n",
			errLines:  []int{1},
			wantNames: []string{"g", "z"},
		},
		{
			name:      "error inside a body keeps the function",
			src:       "def f():\n    x = = 1\n    return 2\nz = 3\n",
			errLines:  []int{2},
			wantNames: []string{"f", "z"},
		},
		{
			name:      "missing block",
			src:       "if x:\ny = 2\n",
			errLines:  []int{2},
			wantNames: []string{"y"},
		},
		{
			name:      "unexpected indent",
			src:       "a = 1\n    b = 2\n    c = 3\nd = 4\n",
			errLines:  []int{2},
			wantNames: []string{"a", "d"},
		},
		{
			name:      "bad token then good code",
			src:       "a = 1\nb = 0777\nc = $\nd = 4\n",
			errLines:  []int{2, 3},
			wantNames: []string{"a", "d"},
		},
		{
			name:      "error in a case clause keeps the match",
			src:       "match x:\n    case 1 +: pass\n    case 2: pass\ny = 1\n",
			errLines:  []int{2},
			wantNames: []string{"y"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := ParseFile("t.py", []byte(tt.src))
			var lines []int
			for _, e := range f.Errors {
				lines = append(lines, e.Line)
				if e.Filename != "t.py" || e.Col < 0 || e.Msg == "" {
					t.Errorf("malformed diagnostic %+v", e)
				}
			}
			if fmt.Sprint(lines) != fmt.Sprint(tt.errLines) {
				t.Errorf("error lines = %v, want %v (%v)", lines, tt.errLines, f.Errors)
			}
			if got := topLevelNames(f.Module); fmt.Sprint(got) != fmt.Sprint(tt.wantNames) {
				t.Errorf("parsed names = %v, want %v", got, tt.wantNames)
			}
		})
	}
}

func TestErrorFormat(t *testing.T) {
	f := ParseFile("pkg/mod.py", []byte("x = 1\ny = (1,\n"))
	if len(f.Errors) != 1 {
		t.Fatalf("errors = %v", f.Errors)
	}
	if got, want := f.Errors[0].Error(), "pkg/mod.py:2:5: '(' was never closed"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

// TestPathologicalInput feeds inputs that break naive recursive parsers:
// each must finish quickly with either a tree or a diagnostic.
func TestPathologicalInput(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		wantErr string // substring of the first error, "" for no error
	}{
		{"deep parentheses", strings.Repeat("(", 250) + "1" + strings.Repeat(")", 250), "too many nested parentheses"},
		{"parentheses at the limit", strings.Repeat("(", 199) + "1" + strings.Repeat(")", 199), ""},
		{"100k unary minus", "x = " + strings.Repeat("-", 100000) + "1", "too many nested"},
		{"100k not", "x = " + strings.Repeat("not ", 100000) + "1", "too many nested"},
		{"long power chain", "x = " + strings.Repeat("2**", 100000) + "2", "too many nested"},
		{"long conditional chain", "x = " + strings.Repeat("a if b else ", 100000) + "c", "too many nested"},
		{"long lambda chain", "x = " + strings.Repeat("lambda: ", 100000) + "1", "too many nested"},
		{"deep indentation", deepBlocks(120), "too many levels of indentation"},
		{"long flat sum", "x = " + strings.Repeat("1 + ", 200000) + "1", ""},
		{"long list", "x = [" + strings.Repeat("1, ", 200000) + "]", ""},
		{"many statements on one line", strings.Repeat("x = 1; ", 100000), ""},
		{"nested f-strings", strings.Repeat(`f"{`, 60) + "1" + strings.Repeat(`}"`, 60), ""},
		{"unterminated everything", `x = (["{f'{` + "\n", "unterminated string literal"},
		{"unterminated brackets", "x = ([{\n", "'{' was never closed"},
		{"lone backslash", "x = 1 \\", "unexpected EOF"},
		{"NUL bytes", "x = 1\x00\n", "null bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			done := make(chan *File, 1)
			go func() { done <- ParseFile("p.py", []byte(tt.src)) }()
			var f *File
			select {
			case f = <-done:
			case <-time.After(20 * time.Second):
				t.Fatal("parser did not finish within 20s")
			}
			switch {
			case tt.wantErr == "" && len(f.Errors) > 0:
				t.Errorf("unexpected error %v", f.Errors[0])
			case tt.wantErr != "" && len(f.Errors) == 0:
				t.Errorf("no error, want %q", tt.wantErr)
			case tt.wantErr != "" && !strings.Contains(f.Errors[0].Msg, tt.wantErr):
				t.Errorf("first error %q, want it to contain %q", f.Errors[0].Msg, tt.wantErr)
			}
		})
	}
}

func deepBlocks(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteString(strings.Repeat(" ", i))
		b.WriteString("if x:\n")
	}
	b.WriteString(strings.Repeat(" ", n))
	b.WriteString("pass\n")
	return b.String()
}

// TestVersionOptionOnlyMovesPositions checks that parsing for an older
// CPython changes positions only: the same nodes and values either way.
func TestVersionOptionOnlyMovesPositions(t *testing.T) {
	src := []byte("x = f'a{b!r:>{w}}c' 'd'\ndef f(*, k: int): return g(*(a))\n")
	strip := func(v Version) string {
		var b strings.Builder
		f := ParseFileOptions("v.py", src, Options{Version: v})
		if len(f.Errors) > 0 {
			t.Fatalf("%v: %v", v, f.Errors)
		}
		if err := Dump(&b, f.Module, DumpOptions{}); err != nil {
			t.Fatal(err)
		}
		var out []string
		lines := strings.Split(b.String(), "\n")
		for i := 0; i < len(lines); i++ {
			l := lines[i]
			if i+1 < len(lines) && strings.Contains(l, ": Constant") && strings.HasSuffix(lines[i+1], `value: str:""`) {
				i += 2 // 3.12's empty literal: node, value and kind lines
				continue
			}
			if i := strings.Index(l, " @"); i >= 0 {
				l = l[:i]
			}
			out = append(out, l)
		}
		return strings.Join(out, "\n")
	}
	latest := strip(Version{})
	for _, v := range []Version{{3, 8}, {3, 9}, {3, 10}, {3, 11}, {3, 12}} {
		if got := strip(v); got != latest {
			t.Errorf("parsing for %v changed more than positions:\n%s\n---\n%s", v, strip(v), latest)
		}
	}
}

// stdlibSeeds returns up to n small files of the largest CPython standard
// library on the machine, to seed the fuzzer with real code.
func stdlibSeeds(n int) [][]byte {
	home, _ := os.UserHomeDir()
	roots, _ := filepath.Glob(filepath.Join(home, ".pyenv/versions/*/lib/python3.*"))
	more, _ := filepath.Glob("/usr/lib/python3.*")
	roots = append(roots, more...)
	sort.Strings(roots)
	var out [][]byte
	for i := len(roots) - 1; i >= 0 && len(out) < n; i-- {
		filepath.WalkDir(roots[i], func(path string, d fs.DirEntry, err error) error {
			if err != nil || len(out) >= n {
				return filepath.SkipDir
			}
			if d.IsDir() && (d.Name() == "site-packages" || d.Name() == "dist-packages") {
				return filepath.SkipDir
			}
			if info, err := d.Info(); err == nil && !d.IsDir() && strings.HasSuffix(path, ".py") && info.Size() < 6000 {
				if src, err := os.ReadFile(path); err == nil {
					out = append(out, src)
				}
			}
			return nil
		})
	}
	return out
}

// FuzzParse checks that tokenizing and parsing never panic or hang, are
// deterministic, and yield sane positions, on any input. Seeds: the small
// committed corpus in testdata/fuzz/FuzzParse, a few snippets, and up to
// 200 small files of the CPython standard library found on the machine.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"x = 1\n", "def f(a, /, b=1, *c, d, **e) -> int:\n    return a\n",
		"match x:\n    case [1, *r] | {'k': v, **kw} if v: pass\n",
		"f'{a!r:>{w}}' t'{b=}' rb'\\x00' 0x_ff 1_0.5e-3j\n",
		"try:\n    pass\nexcept* (A, B) as e:\n    pass\n",
		"type X[T: int = str, *Ts, **P] = list[T]\n",
		"with (a as b, c):\n\tasync for x in y: await z\n",
		"# coding: latin-1\nx = '\xe9'\n", "\xef\xbb\xbfx = 1\r\ny = 2\r",
	} {
		f.Add([]byte(s))
	}
	for _, src := range stdlibSeeds(200) {
		f.Add(src)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		done := make(chan [2]*File, 1)
		go func() {
			done <- [2]*File{ParseFile("fuzz.py", src), ParseFile("fuzz.py", src)}
		}()
		var files [2]*File
		select {
		case files = <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("parse did not finish within 10s on %q", src)
		}
		var dumps [2]string
		for i, f := range files {
			if f.Module == nil {
				t.Fatal("nil Module")
			}
			var b strings.Builder
			if err := Dump(&b, f.Module, DumpOptions{}); err != nil {
				t.Fatalf("Dump: %v", err)
			}
			dumps[i] = b.String() + fmt.Sprint(f.Errors)
		}
		if dumps[0] != dumps[1] {
			t.Fatalf("non-deterministic parse of %q", src)
		}
		lines := files[0].Lines
		InspectModule(files[0].Module, func(n Node) bool {
			s := n.Pos()
			if s.Line < 1 || s.EndLine < s.Line || s.Col < 0 || s.EndCol < 0 || s.EndLine > lines+1 {
				t.Fatalf("bad position %+v of %T (file has %d lines)", s, n, lines)
			}
			return true
		})
		for _, e := range files[0].Errors {
			if e.Line < 0 || e.Col < 0 || e.Msg == "" {
				t.Fatalf("bad diagnostic %+v", e)
			}
			if strings.HasPrefix(e.Msg, internalErrorPrefix) {
				t.Fatalf("parser panicked on %q: %s", src, e.Msg)
			}
		}
	})
}
