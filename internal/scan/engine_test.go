package scan_test

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/pyrace/pyrace/internal/scan"
	"github.com/pyrace/pyrace/internal/scan/rules"
)

func TestModuleName(t *testing.T) {
	for file, want := range map[string]string{
		"testdata/engine/pkg/sub/mod.py":      "pkg.sub.mod",
		"testdata/engine/pkg/sub/__init__.py": "pkg.sub",
		"testdata/engine/broken.py":           "broken",
	} {
		if got := scan.ModuleName(file); got != want {
			t.Errorf("ModuleName(%s) = %q, want %q", file, got, want)
		}
	}
}

func runEngine(t *testing.T, opts scan.Options) *scan.Result {
	t.Helper()
	if opts.Rules == nil {
		opts.Rules = rules.All()
	}
	opts.KnownRule = rules.Known
	if opts.MinConfidence == "" {
		opts.MinConfidence = scan.Low
	}
	res, err := scan.Run(t.Context(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestSuppressionsAndDiagnostics(t *testing.T) {
	res := runEngine(t, scan.Options{Paths: []string{"testdata/engine"}, WarnUnusedIgnores: true})
	var lines []int
	for _, f := range res.Findings {
		if f.File == "testdata/engine/pkg/sub/mod.py" {
			lines = append(lines, f.Line)
		}
	}
	// bump (9) and bump_unknown (31, its suppression names no rule) are
	// reported; the others are suppressed or locked.
	if !slices.Equal(lines, []int{9, 31}) {
		t.Errorf("finding lines %v, want [9 31]", lines)
	}
	if res.Suppressed != 3 {
		t.Errorf("suppressed %d, want 3", res.Suppressed)
	}
	var kinds []string
	for _, d := range res.Diagnostics {
		kinds = append(kinds, string(d.Kind)+"@"+filepath.Base(d.File)+":"+strconv.Itoa(d.Line))
	}
	want := []string{"parse-error@broken.py:1", "unknown-rule@mod.py:31", "unused-ignore@mod.py:31", "unused-ignore@mod.py:35"}
	if !slices.Equal(kinds, want) {
		t.Errorf("diagnostics %v, want %v", kinds, want)
	}
	if res.Files != 4 {
		t.Errorf("files %d, want 4", res.Files)
	}
}

func TestDeterministicAcrossJobs(t *testing.T) {
	a := runEngine(t, scan.Options{Paths: []string{"testdata"}, Jobs: 1})
	b := runEngine(t, scan.Options{Paths: []string{"testdata"}, Jobs: 8})
	if len(a.Findings) == 0 || !slices.EqualFunc(a.Findings, b.Findings, func(x, y scan.Finding) bool {
		return x.File == y.File && x.Line == y.Line && x.RuleID == y.RuleID && x.Fingerprint == y.Fingerprint
	}) {
		t.Errorf("results differ between 1 and 8 jobs (%d vs %d findings)", len(a.Findings), len(b.Findings))
	}
}

func TestVanishedFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "gone.py")
	os.WriteFile(path, []byte("x = 1\n"), 0o644)
	os.Remove(path)
	res := runEngine(t, scan.Options{Paths: []string{path}})
	if len(res.Diagnostics) != 1 || res.Diagnostics[0].Kind != scan.IOError {
		t.Fatalf("diagnostics %+v", res.Diagnostics)
	}
}

func TestBaseline(t *testing.T) {
	res := runEngine(t, scan.Options{Paths: []string{"testdata/engine"}})
	if len(res.Findings) < 2 {
		t.Fatalf("need findings, got %d", len(res.Findings))
	}
	path := filepath.Join(t.TempDir(), "baseline.json")
	if err := scan.NewBaseline(res.Findings[:1]).Write(path); err != nil {
		t.Fatal(err)
	}
	b, err := scan.ReadBaseline(path)
	if err != nil {
		t.Fatal(err)
	}
	kept, covered := b.Filter(res.Findings)
	if covered != 1 || len(kept) != len(res.Findings)-1 {
		t.Errorf("covered %d kept %d of %d", covered, len(kept), len(res.Findings))
	}
	// A finding moved to another line keeps its fingerprint.
	moved := res.Findings[0]
	moved.Line += 40
	if kept, _ := b.Filter([]scan.Finding{moved}); len(kept) != 0 {
		t.Error("a moved finding is not matched by the baseline")
	}
	os.WriteFile(path, []byte(`{"version": 9}`), 0o644)
	if _, err := scan.ReadBaseline(path); err == nil || !strings.Contains(err.Error(), "version 9") {
		t.Errorf("bad version: %v", err)
	}
}

// FuzzScanSource checks that no source text makes the model or a rule
// panic, and that every finding points inside the file.
func FuzzScanSource(f *testing.F) {
	for _, p := range []string{"testdata/engine/pkg/sub/mod.py", "testdata/rmw-counter/counters.py"} {
		if src, err := os.ReadFile(p); err == nil {
			f.Add(src)
		}
	}
	f.Add([]byte("class C:\n  def m(self):\n    with self._lock:\n      self.x += 1\n    self.x -= 1\n"))
	f.Add([]byte("def f(a=[]):\n  global g\n  if g is None:\n    g = {}\n  for k in g: a.append(k)\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		opts := scan.Options{Rules: rules.All(), MinConfidence: scan.Low, AssumeThreaded: []string{"*"}, KnownRule: rules.Known}
		findings, _, _, _ := scan.ScanSource("fuzz.py", src, opts)
		lines := strings.Count(string(src), "\n") + 1
		for _, f := range findings {
			if f.Line < 1 || f.Line > lines+1 || f.Col < 1 {
				t.Errorf("finding outside the file: %+v", f)
			}
		}
	})
}

func TestIsTestFile(t *testing.T) {
	for file, want := range map[string]bool{
		"pkg/tests/test_x.py": true, "pkg/test/helpers.py": true, "test_a.py": true, "a_test.py": true,
		"conftest.py": true, "idlelib/idle_test/mock.py": true, "pkg/testdata/x.py": false,
		"pkg/contest.py": false, "pkg/latest.py": false, "testing/x.py": true,
	} {
		if got := scan.IsTestFile(file); got != want {
			t.Errorf("IsTestFile(%q) = %v, want %v", file, got, want)
		}
	}
}
