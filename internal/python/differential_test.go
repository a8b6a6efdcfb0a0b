//go:build !race

// The differential tests parse whole standard libraries; under the race
// detector they would take many times longer, so they are left out of race
// builds and run in a separate plain `go test -run TestDifferential` step.

package python_test

import (
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/pyrace/pyrace/internal/python"
	"github.com/pyrace/pyrace/internal/python/internal/difftest"
)

// EnvDiffOut names the environment variable that makes TestDifferentialStdlib
// write the two dumps and a unified diff of every differing file to
// $PYRACE_DIFF_OUT/<version>/<path in stdlib>.{cpython,pyrace,diff}.
const EnvDiffOut = "PYRACE_DIFF_OUT"

// maxReported is how many differing files per interpreter are reported in
// full.
const maxReported = 20

// interpreters returns the CPython interpreters to compare with, skipping
// the test under -short or when there are none.
func interpreters(t *testing.T) []difftest.Interpreter {
	t.Helper()
	if testing.Short() {
		t.Skip("parses whole standard libraries; skipped under -short")
	}
	ins, notes, err := difftest.Discover(t.Context(), os.Getenv, difftest.PyodideOptions{
		Script:   "testdata/pyodide/python.mjs",
		CacheDir: pyodideCache(t),
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range notes {
		t.Log(n)
	}
	if len(ins) == 0 {
		t.Skipf("no CPython %s or newer found (looked for $HOME/.pyenv/versions/*/bin/python3 and /usr/bin/python3.N; set %s to a list of interpreters)",
			difftest.MinVersion(), difftest.EnvPythons)
	}
	return ins
}

// TestDifferentialStdlib is the acceptance test of the parser: for every
// CPython 3.8+ on the machine, over that interpreter's whole standard
// library, pyrace's dump must equal the dump of CPython's ast.parse, and
// pyrace must reject exactly the files that CPython rejects.
func TestDifferentialStdlib(t *testing.T) {
	outDir := os.Getenv(EnvDiffOut)
	for _, in := range interpreters(t) {
		t.Run(in.Name(), func(t *testing.T) {
			t.Parallel()
			rep, err := difftest.Run(t.Context(), in, difftest.Options{
				Script:  "testdata/astdump.py",
				Workers: runtime.NumCPU(),
				OutDir:  outDir,
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Mismatches) > 0 {
				msg := rep.Summary(maxReported)
				if outDir == "" {
					msg += "\n\nSet " + EnvDiffOut + "=DIR to get every differing file's dumps and diff."
				}
				t.Error(msg)
				return
			}
			t.Logf("%d files match (%d rejected by both) in %.1fs", rep.Files, rep.RejectedByCPython, rep.Elapsed.Seconds())
		})
	}
}

// TestDifferentialHarness checks the harness and Dump, independently of the
// parser, on a sample of each standard library: pyrace's side is rebuilt
// from CPython's own dumps (difftest.Replay) and dumped again, so every
// sampled file must match.
func TestDifferentialHarness(t *testing.T) {
	for _, in := range interpreters(t) {
		t.Run(in.Name(), func(t *testing.T) {
			t.Parallel()
			n := 0
			rep, err := difftest.Run(t.Context(), in, difftest.Options{
				Script: "testdata/astdump.py",
				Parse:  difftest.Replay,
				Filter: func(rel string) bool {
					n++
					// Every 40th file, and all of the Python 3.8 subscript
					// and f-string heavy ones.
					return n%40 == 0 || strings.HasSuffix(rel, "test_grammar.py") || strings.HasSuffix(rel, "test_fstring.py")
				},
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Mismatches) > 0 {
				t.Error(rep.Summary(maxReported))
			}
		})
	}
}

// TestDifferentialMutations compares accepting and rejecting on broken
// code: 3,000 deterministic mutants of snippets of the newest interpreter's
// standard library (see difftest.WriteMutants), each of which pyrace must
// reject exactly when CPython does and otherwise parse to the same tree.
// Only the newest CPython is used, since a mutant may be valid in a newer
// grammar than an older interpreter's.
func TestDifferentialMutations(t *testing.T) {
	ins := interpreters(t)
	newest := ins[len(ins)-1]
	if newest.Version != python.LatestVersion() {
		t.Logf("no CPython %s found (run make pyodide): using %s", python.LatestVersion(), newest.Release)
	}
	dir := t.TempDir()
	n, err := difftest.WriteMutants(newest.Stdlib, dir, 3000, 20261122)
	if err != nil {
		t.Fatal(err)
	}
	mut := newest
	mut.Stdlib = dir
	mut.Release += "-mutants"
	rep, err := difftest.Run(t.Context(), mut, difftest.Options{
		Script:  "testdata/astdump.py",
		Workers: runtime.NumCPU(),
		OutDir:  os.Getenv(EnvDiffOut),
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Mismatches) > 0 {
		t.Error(rep.Summary(maxReported))
		return
	}
	t.Logf("%d mutants: %d rejected by both, the rest parsed alike (%.1fs)", n, rep.RejectedByCPython, rep.Elapsed.Seconds())
}
