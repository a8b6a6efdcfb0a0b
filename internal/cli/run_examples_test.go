//go:build unix

package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
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
	return runExampleFlags(t, python, project, []string{"-n", strconv.Itoa(iterations)}, command...)
}

// runExampleFlags is runExample with any flags.
func runExampleFlags(t *testing.T, python, project string, flags []string, command ...string) results.Record {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	args := append([]string{"run", "--python", python, "-C", filepath.Join(examplesDir(t), project),
		"--results-dir", t.TempDir(), "--format", "json"}, flags...)
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

// TestExamplesThreaded runs the examples with every test body in 8 threads
// (--threads 8 --test-iterations 5), on the free-threaded build, Debian's
// python3 and pypy3: the single-threaded shared-registry test of counters
// passes in the plain baseline and fails in threads, with counts and the
// frame of the race; the clean project stays compatible.
func TestExamplesThreaded(t *testing.T) {
	t.Parallel()
	flags := []string{"-n", "2", "--threads", "8", "--test-iterations", "5"}
	summary := regexp.MustCompile(`^([1-8]) of 8 threads failed in ([1-5]) of 5 rounds: \S+`)
	const shared = "tests/test_shared.py::SharedRegistryTest::test_churn_and_describe"
	for _, in := range []struct {
		name    string
		python  func(testing.TB) string
		command []string
	}{
		{"free-threaded", testenv.FTPython, nil},
		{"python3", testenv.Python3, nil},
		// PyPy has no pytest here: pyrace's unittest runner runs the threads.
		{"pypy3", testenv.PyPy3, []string{"python", "-m", "unittest", "discover", "-s", "tests", "-t", "."}},
	} {
		t.Run(in.name, func(t *testing.T) {
			t.Parallel()
			py := in.python(t)
			shared := shared
			if in.command != nil {
				shared = "tests.test_shared.SharedRegistryTest.test_churn_and_describe"
			}
			racy := runExampleFlags(t, py, "counters", flags, in.command...)
			var modes []string
			for _, it := range racy.Iterations {
				modes = append(modes, fmt.Sprintf("%s/%d", it.Mode, it.Threads))
			}
			if got := strings.Join(modes, " "); got != "plain/0 free_threaded/8 free_threaded/8" {
				t.Errorf("iterations %s, want the plain baseline then 2 in 8 threads", got)
			}
			var stat *results.TestStat
			for i := range racy.Tests {
				if racy.Tests[i].ID == shared {
					stat = &racy.Tests[i]
				}
			}
			if stat == nil || stat.Failures == 0 || !stat.OnlyThreaded || !summary.MatchString(stat.Threaded) {
				t.Fatalf("counters: %s not reported as failing only when threaded: %+v\n%s", shared, stat, strings.Join(racy.Evidence, "\n"))
			}
			// The race shows as the RuntimeError in describe() in most
			// rounds; on a loaded machine some iteration may catch only its
			// other face (a handler another thread removed).
			raceSeen := false
			for _, it := range racy.Iterations {
				for _, ft := range it.FailedTests {
					if it.Mode == results.Plain && ft.ID == shared {
						t.Errorf("the plain baseline failed %s: %s", shared, ft.Message)
					}
					if ft.ID != shared {
						continue
					}
					th := ft.Threads
					if th == nil || th.Threads != 8 || th.Rounds != 5 || th.Calls != 40 || th.FailedThreads < 1 || th.FailedRounds < 1 ||
						th.Failures < th.FailedThreads || th.Failures < th.FailedRounds || len(th.Exceptions) == 0 {
						t.Errorf("iteration %d: threads record %+v", it.Index, th)
						continue
					}
					for _, e := range th.Exceptions {
						raceSeen = raceSeen || e.Type == "RuntimeError" && e.Message == "dictionary changed size during iteration" &&
							strings.HasPrefix(e.Where, "registry.py:") && e.Function == "describe"
					}
					m := summary.FindStringSubmatch(ft.Message)
					if m == nil || m[1] != strconv.Itoa(th.FailedThreads) || m[2] != strconv.Itoa(th.FailedRounds) {
						t.Errorf("iteration %d: message %q does not match the counts %+v", it.Index, ft.Message, th)
					}
				}
			}
			if !raceSeen {
				t.Errorf("no iteration saw the RuntimeError raised in Registry.describe")
			}
			ev := strings.Join(racy.Evidence, "\n")
			if !strings.Contains(ev, " only in 8 threads, passing in the plain run (races the threads provoked): ") || !strings.Contains(ev, shared) {
				t.Errorf("counters evidence does not name the threaded-only failures:\n%s", ev)
			}

			clean := runExampleFlags(t, py, "clean", flags, in.command...)
			if clean.Category != results.Compatible || len(clean.Tests) != 0 {
				t.Errorf("clean: %s; want compatible\n%s", clean.Verdict, strings.Join(clean.Evidence, "\n"))
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
	// With PYTHON_GIL unset the iterations themselves see the GIL come
	// back, at collection (the test module imports fastpkg): the verdict
	// says from which test on the run was not free-threaded.
	res = runBin(t, ctx, project, nil, "run", "--python", py, "-n", "1", "--threads", "2", "--no-gil-probe",
		"--env", "PYTHON_GIL=", "--results-dir", t.TempDir(), "--format", "json")
	got.Records = nil
	if err := json.Unmarshal([]byte(res.stdout), &got); res.code != 0 || err != nil || len(got.Records) != 1 {
		t.Fatalf("PYTHON_GIL unset: exit %d, %v\n%s%s", res.code, err, res.stdout, res.stderr)
	}
	rec = got.Records[0]
	ev := strings.Join(rec.Evidence, "\n")
	want := "the GIL came back before test tests/test_add.py::AddTest::test_add (at collection or in an earlier test's teardown) in 1/1 iterations, loading fastpkg._speedups: from there on those iterations did not run free-threaded"
	if rec.Category != results.CompatibleGILFallback || !strings.Contains(ev, want) {
		t.Errorf("PYTHON_GIL unset: %s\n%s\nwant %q", rec.Verdict, ev, want)
	}
}

// TestRunThreadsSuite runs the pytest-run-parallel-style suite of the
// plugin's tests through `pyrace run --threads`, with a test module that
// does not import: thread-unsafe tests are listed with their reason, a test
// stuck in a thread fails alone with its stacks while the iteration goes on
// (no stall), and the import error is a test error, not a pyrace error.
func TestRunThreadsSuite(t *testing.T) {
	t.Parallel()
	py := testenv.Python3(t)
	project := filepath.Join(t.TempDir(), "suite")
	if err := os.CopyFS(project, os.DirFS("../harness/pyhelpers/testdata/pytest_threads")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(project, "tests", "test_broken.py"), []byte("import no_such_module_pyrace\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	resultsDir := t.TempDir()
	res := runBin(t, ctx, project, nil, "run", "--python", py, "-n", "1", "--threads", "4", "--test-iterations", "2",
		"--test-timeout", "1", "--no-gil-probe", "--results-dir", resultsDir, "--format", "json",
		// pytest stops at a collection error unless told to go on.
		"--", "python", "-m", "pytest", "--continue-on-collection-errors")
	var got struct {
		Records []results.Record `json:"records"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &got); res.code != 0 || err != nil || len(got.Records) != 1 {
		t.Fatalf("exit %d, %v\n%s%s", res.code, err, res.stdout, tail(res.stderr))
	}
	rec := got.Records[0]
	unsafe := map[string]string{}
	for _, u := range rec.ThreadUnsafe {
		unsafe[strings.TrimPrefix(u.ID, "tests/test_threads.py::")] = u.Reason
	}
	if len(unsafe) != 8 || unsafe["test_monkeypatch"] != "uses the monkeypatch fixture" || unsafe["test_marked"] != "marked thread_unsafe" {
		t.Errorf("thread-unsafe tests: %v", unsafe)
	}
	var threaded *results.Iteration
	for i, it := range rec.Iterations {
		if it.Mode == results.FreeThreaded {
			threaded = &rec.Iterations[i]
		}
	}
	if threaded == nil || threaded.Outcome != results.OutcomeFail || threaded.KilledBy != "" {
		t.Fatalf("threaded iteration %+v: want an ordinary failure, not a stall", threaded)
	}
	failed := map[string]results.TestResult{}
	for _, ft := range threaded.FailedTests {
		failed[ft.ID] = ft
	}
	hang := failed["tests/test_hang.py::test_hang"]
	if hang.Threads == nil || !hang.Threads.TimedOut || !strings.Contains(hang.Message, "timed out after 1s in round 1 of 2: 1 of 4 threads still running") {
		t.Errorf("test_hang: %+v", hang)
	}
	if _, ok := failed["tests/test_hang.py::test_after"]; ok || threaded.Tests.Passed < 10 {
		t.Errorf("the suite did not go on after test_hang: %+v", threaded.Tests)
	}
	broken := failed["tests/test_broken.py"]
	if broken.Outcome != "error" || broken.When != "collect" || broken.ExcType != "ModuleNotFoundError" {
		t.Errorf("the module that does not import: %+v", broken)
	}
	ev := strings.Join(rec.Evidence, "\n")
	for _, want := range []string{"ran once, single-threaded: ", "... and 3 more tests ran once, single-threaded",
		"tests/test_threads.py::test_odd_threads_fail failed in 1/1 iterations (ValueError ×1); only when threaded; last time 2 of 4 threads failed in 2 of 2 rounds: ValueError: odd thread"} {
		if !strings.Contains(ev, want) {
			t.Errorf("evidence lacks %q:\n%s", want, ev)
		}
	}
}

// TestRunRelativeResultsDir is the README's quick start: a relative
// --results-dir (the default) with -C another directory. The run's
// processes work in the project and must still find pyrace's helpers.
func TestRunRelativeResultsDir(t *testing.T) {
	t.Parallel()
	py := testenv.Python3(t)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cwd := t.TempDir()
	res := runBin(t, ctx, cwd, nil, "run", "--python", py, "-C", filepath.Join(examplesDir(t), "clean"), "-n", "1",
		"--results-dir", "relative-results", "--format", "json")
	var out struct {
		Records []results.Record `json:"records"`
	}
	if res.code != 0 || json.Unmarshal([]byte(res.stdout), &out) != nil || len(out.Records) != 1 {
		t.Fatalf("exit %d\n%s%s", res.code, res.stdout, tail(res.stderr))
	}
	rec := out.Records[0]
	if rec.Category != results.Compatible || rec.GIL == nil || !rec.GIL.Probed || rec.GIL.Error != "" || rec.Iterations[0].Tests.Passed == 0 {
		t.Errorf("category %s, GIL probe %+v, tests %+v", rec.Category, rec.GIL, rec.Iterations[0].Tests)
	}
	if _, err := os.Stat(filepath.Join(cwd, "relative-results", rec.RunID, "meta.json")); err != nil {
		t.Errorf("the run is not under the relative results directory: %v", err)
	}
}
