package python_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/pyrace/pyrace/internal/python"
	"github.com/pyrace/pyrace/internal/python/internal/difftest"
)

// The fixtures of testdata/dump are Python files NAME.py with the expected
// dumps NAME.X.Y.dump that CPython X.Y's ast.parse gives through
// testdata/astdump.py (see testdata/dump/README.md).

// dumpFixture is one expected dump file.
type dumpFixture struct {
	source   string // testdata/dump/NAME.py
	expected string // testdata/dump/NAME.X.Y.dump
	version  python.Version
}

func dumpFixtures(t *testing.T) []dumpFixture {
	t.Helper()
	files, err := filepath.Glob("testdata/dump/*.dump")
	if err != nil {
		t.Fatal(err)
	}
	var fs []dumpFixture
	for _, f := range files {
		base := strings.TrimSuffix(filepath.Base(f), ".dump")
		parts := strings.Split(base, ".")
		if len(parts) != 3 {
			t.Fatalf("%s: want NAME.X.Y.dump", f)
		}
		v, err := parseVersion(parts[1] + "." + parts[2])
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		fs = append(fs, dumpFixture{
			source:   filepath.Join("testdata", "dump", parts[0]+".py"),
			expected: f,
			version:  v,
		})
	}
	if len(fs) == 0 {
		t.Fatal("no fixtures in testdata/dump")
	}
	return fs
}

// parseVersion parses "X.Y".
func parseVersion(s string) (python.Version, error) {
	major, minor, _ := strings.Cut(s, ".")
	x, err1 := strconv.Atoi(major)
	y, err2 := strconv.Atoi(minor)
	if err1 != nil || err2 != nil {
		return python.Version{}, errors.New("bad version " + s)
	}
	return python.Version{Major: x, Minor: y}, nil
}

// pyodideCache is where Pyodide's standard library is extracted:
// $HOME/.cache/pyrace, or a temporary directory.
func pyodideCache(t *testing.T) string {
	if dir, err := os.UserCacheDir(); err == nil {
		return filepath.Join(dir, "pyrace")
	}
	return t.TempDir()
}

// TestDumpScriptSelfConsistency pins the Python side: astdump.py run by
// CPython X.Y on each fixture must print the committed NAME.X.Y.dump.
// Fixtures whose version has no interpreter on the machine are skipped.
func TestDumpScriptSelfConsistency(t *testing.T) {
	ins, _, err := difftest.Discover(t.Context(), os.Getenv, difftest.PyodideOptions{
		Script:   "testdata/pyodide/python.mjs",
		CacheDir: pyodideCache(t),
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, fx := range dumpFixtures(t) {
		t.Run(filepath.Base(fx.expected), func(t *testing.T) {
			var in *difftest.Interpreter
			for i := range ins {
				if ins[i].Version == fx.version {
					in = &ins[i]
					break
				}
			}
			if in == nil {
				t.Skipf("no CPython %s found", fx.version)
			}
			want, err := os.ReadFile(fx.expected)
			if err != nil {
				t.Fatal(err)
			}
			got, err := runDumpScript(t.Context(), *in, fx.source)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != string(want) {
				t.Errorf("%s %s differs from %s:\n%s", in.Path, fx.source, fx.expected,
					difftest.UnifiedDiff(fx.expected, "astdump.py", string(want), string(got)))
			}
		})
	}
}

// runDumpScript runs astdump.py on one file. Exit status 1 with a "!!!"
// line is a rejection, which is a valid result.
func runDumpScript(ctx context.Context, in difftest.Interpreter, file string) ([]byte, error) {
	abs, err := filepath.Abs(file)
	if err != nil {
		return nil, err
	}
	argv := in.Command("testdata/astdump.py", abs)
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), in.Env...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() == 1 && strings.HasPrefix(string(out), "!!! ") {
		err = nil
	}
	if err != nil {
		return nil, errors.New(err.Error() + ": " + stderr.String())
	}
	return out, nil
}

// TestDumpFixtures pins the Go side against the same fixtures: rebuilding
// each expected dump into a syntax tree (difftest.Undump) and dumping it
// with Dump for the fixture's version must give the dump back. This needs
// no interpreter and not the parser either.
func TestDumpFixtures(t *testing.T) {
	seen := map[string]bool{}
	for _, fx := range dumpFixtures(t) {
		want, err := os.ReadFile(fx.expected)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(string(want), "!!! ") {
			continue // a rejection: nothing to dump
		}
		m, err := difftest.Undump(string(want))
		if err != nil {
			t.Errorf("%s: %v", fx.expected, err)
			continue
		}
		var b strings.Builder
		if err := python.Dump(&b, m, python.DumpOptions{Version: fx.version}); err != nil {
			t.Errorf("%s: Dump: %v", fx.expected, err)
		}
		if b.String() != string(want) {
			t.Errorf("Dump differs from %s:\n%s", fx.expected,
				difftest.UnifiedDiff(fx.expected, "Dump", string(want), b.String()))
		}
		for _, line := range strings.Split(string(want), "\n") {
			if _, typ, ok := strings.Cut(line, ": "); ok {
				typ, _, _ = strings.Cut(typ, " @")
				seen[typ] = true
			}
		}
	}
	// The fixtures must exercise every node type that CPython 3.13 has.
	for _, typ := range strings.Fields(`FunctionDef AsyncFunctionDef ClassDef
		Return Delete Assign TypeAlias AugAssign AnnAssign For AsyncFor While
		If With AsyncWith Match Raise Try TryStar Assert Import ImportFrom
		Global Nonlocal Expr Pass Break Continue BoolOp NamedExpr BinOp
		UnaryOp Lambda IfExp Dict Set ListComp SetComp DictComp GeneratorExp
		Await Yield YieldFrom Compare Call FormattedValue JoinedStr Constant
		Attribute Subscript Starred Name List Tuple Slice comprehension
		ExceptHandler arguments arg keyword alias withitem match_case
		MatchValue MatchSingleton MatchSequence MatchMapping MatchClass
		MatchStar MatchAs MatchOr TypeVar ParamSpec TypeVarTuple`) {
		if !seen[typ] {
			t.Errorf("no fixture has a %s node", typ)
		}
	}
}

// TestParseFixtures checks the parser on the fixtures: for each
// NAME.X.Y.dump, ParseFileOptions for version X.Y followed by Dump must
// print exactly that dump, or reject the file when CPython X.Y does.
func TestParseFixtures(t *testing.T) {
	for _, fx := range dumpFixtures(t) {
		t.Run(filepath.Base(fx.expected), func(t *testing.T) {
			want, err := os.ReadFile(fx.expected)
			if err != nil {
				t.Fatal(err)
			}
			src, err := os.ReadFile(fx.source)
			if err != nil {
				t.Fatal(err)
			}
			f := python.ParseFileOptions(fx.source, src, python.Options{Version: fx.version})
			if strings.HasPrefix(string(want), "!!! ") {
				if len(f.Errors) == 0 {
					t.Errorf("CPython %s rejects %s (%s) but ParseFileOptions accepts it",
						fx.version, fx.source, strings.TrimSpace(string(want)))
				}
				return
			}
			for _, e := range f.Errors {
				t.Errorf("CPython %s accepts %s but ParseFileOptions says: %v", fx.version, fx.source, e)
			}
			var b strings.Builder
			if err := python.Dump(&b, f.Module, python.DumpOptions{Version: fx.version}); err != nil {
				t.Fatalf("Dump: %v", err)
			}
			if b.String() != string(want) {
				t.Errorf("dump of %s differs from %s:\n%s", fx.source, fx.expected,
					difftest.UnifiedDiff(fx.expected, "pyrace", string(want), b.String()))
			}
		})
	}
}
