//go:build unix

package cli

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pyrace/pyrace/internal/results"
	"github.com/pyrace/pyrace/internal/testenv"
)

// examplesDir is the repository's examples/ directory.
func examplesDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("../../examples")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// runExample runs the pyrace binary on an example project and returns the
// verdict record printed by --format json.
func runExample(t *testing.T, python, project string, iterations int, command ...string) results.Record {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	args := []string{"run", "--python", python, "-C", filepath.Join(examplesDir(t), project),
		"-n", strconv.Itoa(iterations), "--results-dir", t.TempDir(), "--format", "json"}
	if len(command) > 0 {
		args = append(append(args, "--"), command...)
	}
	res := runBin(t, ctx, t.TempDir(), nil, args...)
	if res.code != 0 {
		t.Fatalf("pyrace %s: exit %d\n%s", strings.Join(args, " "), res.code, tail(res.stderr))
	}
	var out struct {
		Records []results.Record `json:"records"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &out); err != nil || len(out.Records) != 1 {
		t.Fatalf("--format json: %v\n%s", err, res.stdout)
	}
	return out.Records[0]
}

// TestExamplesWithRealInterpreters runs the bundled examples under the
// free-threaded build, Debian's python3 (whose tests use a tiny switch
// interval, so races show under the GIL too) and pypy3: the racy project
// must come out intermittent or crash, the clean one compatible.
func TestExamplesWithRealInterpreters(t *testing.T) {
	t.Parallel()
	interpreters := []struct {
		name    string
		python  func(testing.TB) string
		command []string // empty: the default, python -m pytest
	}{
		{"free-threaded", testenv.FTPython, nil},
		{"python3", testenv.Python3, nil},
		{"pypy3", testenv.PyPy3, []string{"python", "-m", "unittest", "discover", "-s", "tests", "-t", "."}},
	}
	for _, in := range interpreters {
		t.Run(in.name, func(t *testing.T) {
			t.Parallel()
			py := in.python(t)
			racy := runExample(t, py, "counters", 30, in.command...)
			if racy.Category != results.Intermittent && racy.Category != results.Crash {
				t.Errorf("counters: %s; want intermittent or crash\n%s", racy.Verdict, strings.Join(racy.Evidence, "\n"))
			}
			if racy.Rate.Failures == 0 || len(racy.Tests) == 0 || racy.Tests[0].Failures == 0 {
				t.Errorf("counters: no failing test recorded: %+v", racy.Tests)
			}
			clean := runExample(t, py, "clean", 10, in.command...)
			if clean.Category != results.Compatible {
				t.Errorf("clean: %s; want compatible\n%s", clean.Verdict, strings.Join(clean.Evidence, "\n"))
			}
			if in.name == "free-threaded" {
				if !clean.Interpreter.FreeThreaded || clean.GIL == nil || !clean.GIL.Probed || clean.GIL.Fallback() {
					t.Errorf("clean: interpreter %+v, GIL probe %+v", clean.Interpreter, clean.GIL)
				}
			}
			for _, it := range clean.Iterations {
				if it.Tests.Passed == 0 || it.Tests.Failed+it.Tests.Errors > 0 {
					t.Errorf("clean iteration %d: tests %+v", it.Index, it.Tests)
				}
			}
		})
	}
}

// speedupsC is an extension module with single-phase init and no Py_mod_gil
// declaration: importing it re-enables the GIL on a free-threaded build.
const speedupsC = `#include <Python.h>
static PyObject *add(PyObject *self, PyObject *args) {
    long a, b;
    if (!PyArg_ParseTuple(args, "ll", &a, &b)) return NULL;
    return PyLong_FromLong(a + b);
}
static PyMethodDef methods[] = {{"add", add, METH_VARARGS, NULL}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "_speedups", NULL, -1, methods};
PyMODINIT_FUNC PyInit__speedups(void) { return PyModule_Create(&def); }
`

// TestRunGILFallback builds a project whose C extension re-enables the GIL
// and checks that a passing run is compatible_gil_fallback, naming the
// module, in the JSON record.
func TestRunGILFallback(t *testing.T) {
	t.Parallel()
	py := testenv.FTPython(t)
	gcc, err := exec.LookPath("gcc")
	if err != nil {
		t.Skip("gcc not installed")
	}
	project := t.TempDir()
	pkg := filepath.Join(project, "fastpkg")
	os.MkdirAll(filepath.Join(project, "tests"), 0o755)
	os.MkdirAll(pkg, 0o755)
	os.WriteFile(filepath.Join(pkg, "__init__.py"), []byte("from fastpkg._speedups import add\n"), 0o644)
	os.WriteFile(filepath.Join(pkg, "_speedups.c"), []byte(speedupsC), 0o644)
	os.WriteFile(filepath.Join(project, "tests", "__init__.py"), nil, 0o644)
	os.WriteFile(filepath.Join(project, "tests", "test_add.py"), []byte(`import unittest
import fastpkg

class AddTest(unittest.TestCase):
    def test_add(self):
        self.assertEqual(fastpkg.add(2, 3), 5)
`), 0o644)
	out, err := exec.Command(py, "-c", "import sysconfig; print(sysconfig.get_paths()['include'], sysconfig.get_config_var('EXT_SUFFIX'))").Output()
	fields := strings.Fields(string(out))
	if err != nil || len(fields) != 2 {
		t.Fatalf("sysconfig: %v %q", err, out)
	}
	if out, err := exec.Command(gcc, "-shared", "-fPIC", "-I"+fields[0], filepath.Join(pkg, "_speedups.c"),
		"-o", filepath.Join(pkg, "_speedups"+fields[1])).CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, out)
	}

	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	res := runBin(t, ctx, project, nil, "run", "--python", py, "-n", "2", "--results-dir", t.TempDir(), "--format", "json")
	if res.code != 0 {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}
	var got struct {
		Records []results.Record `json:"records"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &got); err != nil || len(got.Records) != 1 {
		t.Fatalf("json: %v\n%s", err, res.stdout)
	}
	rec := got.Records[0]
	if rec.Category != results.CompatibleGILFallback || !strings.Contains(rec.Verdict, "fastpkg._speedups") {
		t.Errorf("category %q, verdict %q", rec.Category, rec.Verdict)
	}
	if rec.GIL == nil || !rec.GIL.Probed || len(rec.GIL.EnabledBy) != 1 || rec.GIL.EnabledBy[0].Module != "fastpkg._speedups" {
		t.Errorf("GIL probe %+v", rec.GIL)
	}
	for _, it := range rec.Iterations {
		// The iterations run with PYTHON_GIL=0, where CPython keeps the GIL
		// off whatever the extension says; only the probe can tell.
		if it.Outcome != results.OutcomePass || it.GILEnabledAtEnd == nil || *it.GILEnabledAtEnd {
			t.Errorf("iteration %d: %s, GIL at end %v", it.Index, it.Outcome, it.GILEnabledAtEnd)
		}
	}
	// The same run with the probe disabled cannot know: compatible.
	res = runBin(t, ctx, project, nil, "run", "--python", py, "-n", "1", "--no-gil-probe", "--results-dir", t.TempDir(), "--format", "json")
	if res.code != 0 || !strings.Contains(res.stdout, `"category": "compatible"`) {
		t.Errorf("--no-gil-probe: exit %d\n%s", res.code, res.stdout)
	}
}
