//go:build unix

package pyhelpers

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pyrace/pyrace/internal/results"
	"github.com/pyrace/pyrace/internal/testenv"
)

// The interpreters these tests run, skipped when absent.

const systemPython = "/usr/bin/python3" // Debian's, with pytest 7.2

func needPython(t *testing.T, path string) string {
	t.Helper()
	if path == "" {
		t.Skip("interpreter not installed")
	}
	if _, err := os.Stat(path); err != nil {
		t.Skipf("%s not installed: %v", path, err)
	}
	return path
}

func pypy3(t *testing.T) string {
	t.Helper()
	return testenv.PyPy3(t)
}

// ftPython returns pyrace's cached free-threaded build, or skips.
func ftPython(t *testing.T) string {
	t.Helper()
	return testenv.FTPython(t)
}

// helpersDir installs the helpers into a fresh directory.
func helpersDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "helpers")
	if err := Install(dir); err != nil {
		t.Fatal(err)
	}
	return dir
}

// pyEnv is the environment of a Python child: ours without anything that
// could change what Python does, plus extra.
func pyEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(name, "PYTHON"), strings.HasPrefix(name, "PYTEST"), strings.HasPrefix(name, "PYRACE"):
			continue
		}
		env = append(env, kv)
	}
	return append(append(env, "PYTHONDONTWRITEBYTECODE=1"), extra...)
}

type run struct {
	stdout, stderr string
	code           int
}

func runPy(t *testing.T, dir string, env []string, python string, args ...string) run {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, args...)
	cmd.Dir = dir
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatalf("running %s %v: %v", python, args, err)
	}
	return run{stdout.String(), stderr.String(), cmd.ProcessState.ExitCode()}
}

func readTests(t *testing.T, path string) []results.TestResult {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading the tests file: %v", err)
	}
	var out []results.TestResult
	for line := range strings.Lines(string(b)) {
		var r results.TestResult
		dec := json.NewDecoder(strings.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&r); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		if r.Duration < 0 || r.Duration > 60 {
			t.Errorf("%s: duration %v", r.ID, r.Duration)
		}
		out = append(out, r)
	}
	return out
}

// wantTest is what a line of tests.jsonl must hold; message is a substring.
type wantTest struct {
	id, outcome, when, excType, message string
	repeat                              int
}

func checkTests(t *testing.T, got []results.TestResult, want []wantTest) {
	t.Helper()
	byID := map[string][]results.TestResult{}
	for _, r := range got {
		byID[r.ID] = append(byID[r.ID], r)
	}
	if len(got) != len(want) {
		t.Errorf("%d lines, want %d: %+v", len(got), len(want), got)
	}
	for _, w := range want {
		var match *results.TestResult
		for i, r := range byID[w.id] {
			if r.Repeat == w.repeat {
				match = &byID[w.id][i]
				break
			}
		}
		if match == nil {
			t.Errorf("no line for %s (repeat %d) in %+v", w.id, w.repeat, byID[w.id])
			continue
		}
		if match.Outcome != w.outcome || match.When != w.when || match.ExcType != w.excType ||
			!strings.Contains(match.Message, w.message) || (w.message == "" && match.Message != "" && w.outcome == "passed") {
			t.Errorf("%s: got %+v, want %+v", w.id, *match, w)
		}
	}
}

var pytestSuiteWant = []wantTest{
	{id: "tests/test_suite.py::test_pass", outcome: "passed"},
	{id: "tests/test_suite.py::test_fail", outcome: "failed", when: "call", excType: "AssertionError", message: "assert 1 == 2"},
	{id: "tests/test_suite.py::test_setup_error", outcome: "error", when: "setup", excType: "RuntimeError", message: "setup broke"},
	{id: "tests/test_suite.py::test_teardown_error", outcome: "error", when: "teardown", excType: "ValueError", message: "teardown broke"},
	{id: "tests/test_suite.py::test_skip", outcome: "skipped", when: "setup", message: "not today"},
	{id: "tests/test_suite.py::test_xfail", outcome: "xfailed", when: "call", excType: "KeyError", message: "known bug"},
	{id: "tests/test_suite.py::test_xpass", outcome: "xpassed", message: "maybe"},
	// An ordinary parametrize id that looks like pytest-repeat's stays.
	{id: "tests/test_suite.py::test_param[1-2]", outcome: "passed"},
}

func pytestPythons(t *testing.T) map[string]func(*testing.T) string {
	return map[string]func(*testing.T) string{
		"debian":        func(t *testing.T) string { return needPython(t, systemPython) },
		"free-threaded": ftPython,
	}
}

func TestPytestPlugin(t *testing.T) {
	helpers := helpersDir(t)
	for name, python := range pytestPythons(t) {
		t.Run(name, func(t *testing.T) {
			py := python(t)
			tests := []struct {
				name  string
				suite string
				args  []string
				code  int
				want  []wantTest
			}{
				{"suite", "pytest_suite", []string{"tests"}, 1, pytestSuiteWant},
				{"pytest-repeat ids", "pytest_repeat", []string{"--count", "3"}, 0, []wantTest{
					{id: "test_rep.py::test_plain", outcome: "passed", repeat: 1},
					{id: "test_rep.py::test_plain", outcome: "passed", repeat: 2},
					{id: "test_rep.py::test_plain", outcome: "passed", repeat: 3},
					{id: "test_rep.py::test_param[1-2]", outcome: "passed", repeat: 1},
					{id: "test_rep.py::test_param[1-2]", outcome: "passed", repeat: 2},
					{id: "test_rep.py::test_param[1-2]", outcome: "passed", repeat: 3},
				}},
				{"no repeat", "pytest_repeat", nil, 0, []wantTest{
					{id: "test_rep.py::test_plain", outcome: "passed"},
					{id: "test_rep.py::test_param[1-2]", outcome: "passed"},
				}},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					dir := testenv.CopyTestdata(t, tt.suite)
					out := filepath.Join(t.TempDir(), "tests.jsonl")
					env := pyEnv("PYTHONPATH="+helpers, "PYTEST_PLUGINS=pyrace_pytest", "PYRACE_TESTS_FILE="+out)
					r := runPy(t, dir, env, py, append([]string{"-m", "pytest", "-p", "no:cacheprovider", "-q"}, tt.args...)...)
					if r.code != tt.code {
						t.Fatalf("exit status %d, want %d\n%s%s", r.code, tt.code, r.stdout, r.stderr)
					}
					checkTests(t, readTests(t, out), tt.want)
				})
			}
		})
	}
}

// TestPytestPluginCrashAndCollect: lines written before a crash stay, and
// a module that fails to import gets an error line.
func TestPytestPluginCrashAndCollect(t *testing.T) {
	py := needPython(t, systemPython)
	helpers := helpersDir(t)
	dir := t.TempDir()
	files := map[string]string{
		"test_a.py":      "def test_first():\n    pass\n\ndef test_second():\n    import os\n    os._exit(7)\n",
		"test_broken.py": "import no_such_module_pyrace\n",
	}
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(t.TempDir(), "tests.jsonl")
	env := pyEnv("PYTHONPATH="+helpers, "PYTEST_PLUGINS=pyrace_pytest", "PYRACE_TESTS_FILE="+out)

	r := runPy(t, dir, env, py, "-m", "pytest", "-p", "no:cacheprovider", "-q", "test_broken.py")
	if r.code != 2 {
		t.Errorf("collection error: exit status %d, want 2", r.code)
	}
	r = runPy(t, dir, env, py, "-m", "pytest", "-p", "no:cacheprovider", "-q", "test_a.py")
	if r.code != 7 {
		t.Errorf("crash: exit status %d, want 7", r.code)
	}
	checkTests(t, readTests(t, out), []wantTest{
		{id: "test_broken.py", outcome: "error", when: "collect", excType: "ModuleNotFoundError", message: "no_such_module_pyrace"},
		{id: "test_a.py::test_first", outcome: "passed"},
	})
}

// TestPytestPluginInactive: without PYRACE_TESTS_FILE the plugin does
// nothing and pytest behaves as usual.
func TestPytestPluginInactive(t *testing.T) {
	py := needPython(t, systemPython)
	helpers := helpersDir(t)
	dir := testenv.CopyTestdata(t, "pytest_suite")
	r := runPy(t, dir, pyEnv("PYTHONPATH="+helpers, "PYTEST_PLUGINS=pyrace_pytest"), py, "-m", "pytest", "-p", "no:cacheprovider", "-q", "tests")
	if r.code != 1 || !strings.Contains(r.stdout, "1 failed, 3 passed, 1 skipped, 1 xfailed, 1 xpassed, 2 errors") {
		t.Errorf("exit status %d, output:\n%s%s", r.code, r.stdout, r.stderr)
	}
}

var unittestSuiteWant = []wantTest{
	{id: "tests.test_suite.TestC.test_pass", outcome: "passed"},
	{id: "tests.test_suite.TestC.test_fail", outcome: "failed", when: "call", excType: "AssertionError", message: "1 != 2"},
	{id: "tests.test_suite.TestC.test_error", outcome: "error", when: "call", excType: "KeyError", message: "boom"},
	{id: "tests.test_suite.TestC.test_skip", outcome: "skipped", message: "not today"},
	{id: "tests.test_suite.TestC.test_xfail", outcome: "xfailed", when: "call", excType: "AssertionError", message: "1 != 2"},
	{id: "tests.test_suite.TestC.test_xpass", outcome: "xpassed"},
	{id: "tests.test_suite.TestC.test_subtests", outcome: "failed", when: "call", excType: "AssertionError", message: "2 not less than 2"},
	{id: "tests.test_suite.TestSetup.test_x", outcome: "error", when: "setup", excType: "RuntimeError", message: "setup broke"},
	{id: "tests.test_suite.TestTeardown.test_y", outcome: "error", when: "teardown", excType: "ValueError", message: "teardown broke"},
	{id: "setUpClass (tests.test_suite.TestClassFixture)", outcome: "error", when: "setup", excType: "OSError", message: "no class"},
}

func TestUnittestRunner(t *testing.T) {
	helpers := helpersDir(t)
	pythons := map[string]func(*testing.T) string{
		"debian":        func(t *testing.T) string { return needPython(t, systemPython) },
		"pypy3":         pypy3,
		"free-threaded": ftPython,
	}
	for name, python := range pythons {
		t.Run(name, func(t *testing.T) {
			py := python(t)
			tests := []struct {
				name  string
				suite string // "" for an empty directory
				args  []string
				want  []wantTest
			}{
				{"discover", "unittest_suite", []string{"discover"}, unittestSuiteWant},
				{"discover verbose", "unittest_suite", []string{"discover", "-v", "-s", ".", "-p", "test_*.py"}, unittestSuiteWant},
				{"one test", "unittest_suite", []string{"tests.test_suite.TestC.test_pass"}, []wantTest{
					{id: "tests.test_suite.TestC.test_pass", outcome: "passed"},
				}},
				{"no tests", "", []string{"discover"}, nil},
				{"bad name", "unittest_suite", []string{"tests.no_such_module"}, []wantTest{
					{id: "unittest.loader._FailedTest.tests", outcome: "error", when: "call", excType: "ImportError", message: "no_such_module"},
				}},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					dir := t.TempDir()
					if tt.suite != "" {
						dir = testenv.CopyTestdata(t, tt.suite)
					}
					out := filepath.Join(t.TempDir(), "tests.jsonl")
					ours := runPy(t, dir, pyEnv("PYTHONPATH="+helpers, "PYRACE_TESTS_FILE="+out), py,
						append([]string{"-m", "pyrace_unittest"}, tt.args...)...)
					std := runPy(t, dir, pyEnv(), py, append([]string{"-m", "unittest"}, tt.args...)...)
					if ours.code != std.code {
						t.Errorf("exit status %d, unittest's %d\n%s", ours.code, std.code, ours.stderr)
					}
					if a, b := lastLine(ours.stderr), lastLine(std.stderr); a != b {
						t.Errorf("last line %q, unittest's %q", a, b)
					}
					if ours.stdout != std.stdout {
						t.Errorf("stdout %q, unittest's %q", ours.stdout, std.stdout)
					}
					if tt.want == nil {
						if b, err := os.ReadFile(out); err == nil && len(b) > 0 {
							t.Errorf("tests file holds %q, want nothing", b)
						}
						return
					}
					got := readTests(t, out)
					if tt.name == "bad name" && len(got) == 1 {
						// The failed-import placeholder's id varies by version.
						tt.want[0].id = got[0].ID
						if !strings.Contains(got[0].ID, "no_such_module") {
							t.Errorf("placeholder id %q", got[0].ID)
						}
					}
					checkTests(t, got, tt.want)
				})
			}
		})
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// TestSitecustomizeStacksAndExit: a sleeping process dumps its threads'
// stacks on SIGUSR1 into stacks-<pid>.txt and writes exit-<pid>.json.
func TestSitecustomizeStacksAndExit(t *testing.T) {
	helpers := helpersDir(t)
	pythons := map[string]func(*testing.T) string{
		"debian":        func(t *testing.T) string { return needPython(t, systemPython) },
		"pypy3":         pypy3,
		"free-threaded": ftPython,
	}
	for name, python := range pythons {
		t.Run(name, func(t *testing.T) {
			py := python(t)
			state := t.TempDir()
			goOn := filepath.Join(t.TempDir(), "go-on")
			script, err := filepath.Abs(filepath.Join("testdata", "sleeper.py"))
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, py, script, goOn)
			cmd.Env = pyEnv("PYTHONPATH="+helpers, "PYRACE_STATE_DIR="+state, "PYRACE_DEBUG=1")
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer func() {
				if cmd.ProcessState == nil {
					cmd.Process.Kill()
					cmd.Wait()
				}
			}()
			sc := bufio.NewScanner(stdout)
			if !sc.Scan() {
				t.Fatalf("no ready line; stderr:\n%s", stderr.String())
			}
			var pid int
			if _, err := fmt.Sscanf(sc.Text(), "ready %d", &pid); err != nil || pid != cmd.Process.Pid {
				t.Fatalf("ready line %q (pid %d)", sc.Text(), cmd.Process.Pid)
			}
			stacks := filepath.Join(state, fmt.Sprintf("stacks-%d.txt", pid))
			if _, err := os.Stat(stacks); err != nil {
				t.Fatalf("stacks file not created at start-up: %v", err)
			}
			if err := syscall.Kill(pid, syscall.SIGUSR1); err != nil {
				t.Fatal(err)
			}
			var dump string
			for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
				b, _ := os.ReadFile(stacks)
				if dump = string(b); strings.Contains(dump, "sleepy_function") && strings.Contains(dump, "waiting_worker") {
					break
				}
			}
			for _, want := range []string{"sleepy_function", "waiting_worker", "hread"} {
				if !strings.Contains(dump, want) {
					t.Errorf("stack dump lacks %q:\n%s", want, dump)
				}
			}
			if err := os.WriteFile(goOn, nil, 0o644); err != nil {
				t.Fatal(err)
			}
			err = cmd.Wait()
			if code := cmd.ProcessState.ExitCode(); code != 3 {
				t.Errorf("exit status %d (%v), want 3; stderr:\n%s", code, err, stderr.String())
			}
			if s := stderr.String(); s != "" {
				t.Errorf("stderr not empty:\n%s", s)
			}
			rec := readExit(t, state, pid)
			if rec.PPID != os.Getpid() || !slices.Equal(rec.Argv, []string{script, goOn}) {
				t.Errorf("exit record %+v", rec)
			}
			if strings.Contains(name, "free") {
				if rec.GILAtStart == nil || *rec.GILAtStart || rec.GILAtEnd == nil || *rec.GILAtEnd {
					t.Errorf("free-threaded GIL states: start %v end %v, want false false", rec.GILAtStart, rec.GILAtEnd)
				}
			} else if rec.GILAtStart != nil || rec.GILAtEnd != nil {
				t.Errorf("GIL states %v %v, want null", rec.GILAtStart, rec.GILAtEnd)
			}
		})
	}
}

// exitRecord is the shape of exit-<pid>.json.
type exitRecord struct {
	PID        int                  `json:"pid"`
	PPID       int                  `json:"ppid"`
	Argv       []string             `json:"argv"`
	GILAtStart *bool                `json:"gil_enabled_at_start"`
	GILAtEnd   *bool                `json:"gil_enabled_at_end"`
	EnabledBy  []results.GILEnabler `json:"enabled_by"`
}

func readExit(t *testing.T, state string, pid int) exitRecord {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(state, fmt.Sprintf("exit-%d.json", pid)))
	if err != nil {
		t.Fatalf("exit record: %v", err)
	}
	var rec exitRecord
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rec); err != nil {
		t.Fatalf("exit record %q: %v", b, err)
	}
	if rec.PID != pid || rec.EnabledBy == nil {
		t.Errorf("exit record %s", b)
	}
	return rec
}

// TestSitecustomizeChain: the next sitecustomize on sys.path still runs,
// with or without PYRACE_STATE_DIR, and `import sitecustomize` gives it.
func TestSitecustomizeChain(t *testing.T) {
	py := needPython(t, systemPython)
	helpers := helpersDir(t)
	other, err := filepath.Abs(filepath.Join("testdata", "chain_other"))
	if err != nil {
		t.Fatal(err)
	}
	script := "import sitecustomize; print(sitecustomize.__file__); print(getattr(sitecustomize, 'CHAINED', False))"
	tests := []struct {
		name       string
		pythonPath string
		state      bool
		wantFile   string
		wantMarker bool
	}{
		{"user's later on PYTHONPATH", helpers + ":" + other, true, filepath.Join(other, "sitecustomize.py"), true},
		{"user's, no state dir", helpers + ":" + other, false, filepath.Join(other, "sitecustomize.py"), true},
		// Debian's own, in /usr/lib/python3.X.
		{"system's", helpers, true, "/usr/lib/python3", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			state := t.TempDir()
			marker := filepath.Join(t.TempDir(), "marker")
			env := pyEnv("PYTHONPATH="+tt.pythonPath, "CHAIN_MARKER="+marker)
			if tt.state {
				env = append(env, "PYRACE_STATE_DIR="+state)
			}
			r := runPy(t, t.TempDir(), env, py, "-c", script)
			if r.code != 0 || r.stderr != "" {
				t.Fatalf("exit status %d, stderr:\n%s", r.code, r.stderr)
			}
			lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
			if len(lines) != 2 || !strings.HasPrefix(lines[0], tt.wantFile) || strings.HasPrefix(lines[0], helpers) {
				t.Errorf("sitecustomize is %q, want %s...", r.stdout, tt.wantFile)
			}
			_, err := os.Stat(marker)
			if ran := err == nil; ran != tt.wantMarker {
				t.Errorf("chained sitecustomize ran: %v, want %v", ran, tt.wantMarker)
			}
			entries, _ := os.ReadDir(state)
			if n := len(entries); tt.state != (n == 2) {
				t.Errorf("state dir holds %d files (state dir set: %v)", n, tt.state)
			}
		})
	}
}

// TestSitecustomizeOldPythons: Python 2.7 and 3.6 start cleanly with it.
func TestSitecustomizeOldPythons(t *testing.T) {
	home, err := os.UserHomeDir()
	if err != nil {
		t.Skip("no home directory")
	}
	helpers := helpersDir(t)
	for _, pattern := range []string{"2.7*/bin/python", "3.6*/bin/python3"} {
		t.Run(pattern, func(t *testing.T) {
			m, _ := filepath.Glob(filepath.Join(home, ".pyenv", "versions", pattern))
			if len(m) == 0 {
				t.Skipf("no pyenv %s", pattern)
			}
			state := t.TempDir()
			r := runPy(t, t.TempDir(), pyEnv("PYTHONPATH="+helpers, "PYRACE_STATE_DIR="+state), m[0], "-c", "print('ok')")
			if r.code != 0 || r.stderr != "" || strings.TrimSpace(r.stdout) != "ok" {
				t.Fatalf("exit status %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
			}
			if m, _ := filepath.Glob(filepath.Join(state, "exit-*.json")); len(m) != 1 {
				t.Errorf("exit records: %v", m)
			}
		})
	}
}

// TestSitecustomizeGILFlip: on the free-threaded build, importing an
// extension without Py_mod_gil re-enables the GIL; the exit record names
// the module and the warning, and the program still sees its warning.
func TestSitecustomizeGILFlip(t *testing.T) {
	py := ftPython(t)
	project := t.TempDir()
	buildExtension(t, py, project, "extpkg", "_single", singlePhaseC)
	helpers := helpersDir(t)
	tests := []struct {
		name        string
		args        []string
		wantMessage bool
	}{
		{"warning shown", []string{"-c", "import extpkg._single"}, true},
		{"warning ignored", []string{"-W", "ignore", "-c", "import extpkg._single"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			state := t.TempDir()
			r := runPy(t, project, pyEnv("PYTHONPATH="+helpers, "PYRACE_STATE_DIR="+state), py, tt.args...)
			if r.code != 0 {
				t.Fatalf("exit status %d: %s", r.code, r.stderr)
			}
			if shown := strings.Contains(r.stderr, "RuntimeWarning: The global interpreter lock"); shown != tt.wantMessage {
				t.Errorf("warning shown to the program: %v, want %v:\n%s", shown, tt.wantMessage, r.stderr)
			}
			m, _ := filepath.Glob(filepath.Join(state, "exit-*.json"))
			if len(m) != 1 {
				t.Fatalf("exit records: %v", m)
			}
			var pid int
			fmt.Sscanf(filepath.Base(m[0]), "exit-%d.json", &pid)
			rec := readExit(t, state, pid)
			if rec.GILAtStart == nil || *rec.GILAtStart || rec.GILAtEnd == nil || !*rec.GILAtEnd {
				t.Errorf("GIL at start %v, at end %v; want off then on", rec.GILAtStart, rec.GILAtEnd)
			}
			if len(rec.EnabledBy) != 1 || rec.EnabledBy[0].Module != "extpkg._single" {
				t.Fatalf("enabled_by %+v", rec.EnabledBy)
			}
			hasMessage := strings.Contains(rec.EnabledBy[0].Message, "has been enabled to load module 'extpkg._single'")
			if hasMessage != tt.wantMessage {
				t.Errorf("message %q, want one: %v", rec.EnabledBy[0].Message, tt.wantMessage)
			}
		})
	}
}

// singlePhaseC is an extension module with single-phase init and no
// Py_mod_gil declaration: loading it re-enables the GIL.
const singlePhaseC = `#include <Python.h>
static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "_single", NULL, -1, NULL};
PyMODINIT_FUNC PyInit__single(void) { return PyModule_Create(&def); }
`

// buildExtension compiles src as pkg.mod for python under project, with
// an empty pkg/__init__.py; it skips when gcc is missing.
func buildExtension(t *testing.T, python, project, pkg, mod, src string) string {
	t.Helper()
	gcc, err := exec.LookPath("gcc")
	if err != nil {
		t.Skip("gcc not installed")
	}
	r := runPy(t, project, pyEnv(), python, "-c", "import sysconfig; print(sysconfig.get_paths()['include']); print(sysconfig.get_config_var('EXT_SUFFIX'))")
	lines := strings.Fields(r.stdout)
	if r.code != 0 || len(lines) != 2 {
		t.Fatalf("asking %s for its include directory: %s%s", python, r.stdout, r.stderr)
	}
	dir := filepath.Join(project, pkg)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "__init__.py"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	cFile := filepath.Join(t.TempDir(), mod+".c")
	if err := os.WriteFile(cFile, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	so := filepath.Join(dir, mod+lines[1])
	out, err := exec.CommandContext(t.Context(), gcc, "-shared", "-fPIC", "-I"+lines[0], cFile, "-o", so).CombinedOutput()
	if err != nil {
		t.Fatalf("gcc: %v\n%s", err, out)
	}
	return so
}

func TestPrecompile(t *testing.T) {
	py := needPython(t, systemPython)
	dir := helpersDir(t)
	if err := Precompile(t.Context(), py, dir); err != nil {
		t.Fatal(err)
	}
	for _, name := range Names() {
		want := filepath.Join(dir, "__pycache__", strings.TrimSuffix(name, ".py")+".cpython-311.pyc")
		if _, err := os.Stat(want); err != nil {
			t.Errorf("no bytecode for %s: %v", name, err)
		}
	}
	// Installing again leaves the bytecode and the helpers alone.
	if err := Install(dir); err != nil {
		t.Fatal(err)
	}
	if err := Precompile(t.Context(), filepath.Join(dir, "no-python"), dir); err == nil || !strings.Contains(err.Error(), "precompiling") {
		t.Errorf("error %v", err)
	}
}

// TestOldSyntax: every helper compiles on Python 3.6, the oldest Python 3
// supported, and pyrace_probe.py and sitecustomize.py on Python 2.7.
func TestOldSyntax(t *testing.T) {
	home, err := os.UserHomeDir()
	if err != nil {
		t.Skip("no home directory")
	}
	tests := []struct {
		pattern string
		files   []string
	}{
		{"3.6*/bin/python3", Names()},
		{"2.7*/bin/python", []string{"pyrace_probe.py", "sitecustomize.py"}},
	}
	for _, tt := range tests {
		t.Run(tt.pattern, func(t *testing.T) {
			m, _ := filepath.Glob(filepath.Join(home, ".pyenv", "versions", tt.pattern))
			if len(m) == 0 {
				t.Skipf("no pyenv %s", tt.pattern)
			}
			dir := helpersDir(t)
			for _, f := range tt.files {
				src := "import sys; compile(open(sys.argv[1]).read(), sys.argv[1], 'exec')"
				if r := runPy(t, dir, pyEnv(), m[0], "-c", src, f); r.code != 0 {
					t.Errorf("%s does not compile on %s:\n%s", f, m[0], r.stderr)
				}
			}
		})
	}
}

// threadedWant is what a --threads line must hold: outcome, the reason it
// ran single-threaded, or its thread counts and exceptions.
type threadedWant struct {
	outcome, unsafe          string
	failedThreads, failedRds int
	failures                 int
	exceptions               []string // "Type where" of each distinct exception
}

// TestPytestPluginThreads runs a pytest-run-parallel-style suite with each
// test body in 4 threads for 3 rounds, on Debian's CPython (GIL) and the
// free-threaded build.
func TestPytestPluginThreads(t *testing.T) {
	helpers := helpersDir(t)
	const k, m = 4, 3
	at := func(code string) string {
		return "test_threads.py:" + strconv.Itoa(lineOf(t, "testdata/pytest_threads/tests/test_threads.py", code))
	}
	want := map[string]threadedWant{
		"test_plain":                       {outcome: "passed"},
		"test_odd_threads_fail":            {outcome: "failed", failedThreads: 2, failedRds: 3, failures: 6, exceptions: []string{"ValueError " + at(`raise ValueError("odd thread")`)}},
		"test_one_failure":                 {outcome: "failed", failedThreads: 1, failedRds: 1, failures: 1, exceptions: []string{"KeyError " + at(`raise KeyError("last round")`)}},
		"test_threads_run_together":        {outcome: "passed"},
		"test_tmp_path_per_thread":         {outcome: "passed"},
		"test_tmpdir_per_thread":           {outcome: "passed"},
		"test_marked":                      {outcome: "passed", unsafe: "marked thread_unsafe"},
		"test_marked_reason":               {outcome: "passed", unsafe: "marked thread_unsafe: changes the environment"},
		"test_monkeypatch":                 {outcome: "passed", unsafe: "uses the monkeypatch fixture"},
		"test_capsys":                      {outcome: "passed", unsafe: "uses the capsys fixture"},
		"test_catch_warnings":              {outcome: "passed", unsafe: "calls warnings.catch_warnings"},
		"test_callee_warns":                {outcome: "passed", unsafe: "calls pytest.warns (in _expect_warning)"},
		"test_patch_decorator":             {outcome: "passed", unsafe: "decorated with unittest.mock.patch"},
		"test_patch_call":                  {outcome: "passed", unsafe: "calls unittest.mock.patch"},
		"test_skip_inside":                 {outcome: "skipped"},
		"test_counted":                     {outcome: "passed"},
		"test_counted_check":               {outcome: "passed"},
		"SharedInstance::test_shared":      {outcome: "passed"},
		"SharedInstanceCheck::test_rounds": {outcome: "passed"},
		"Expected::test_known_bug":         {outcome: "xfailed", failedThreads: 4, failedRds: 3, failures: 12, exceptions: []string{"AssertionError " + at(`self.assertEqual(1, 2)`)}},
		"FirstCallFails::test_first_fails": {outcome: "failed", failedThreads: 1, failedRds: 1, failures: 1, exceptions: []string{"AssertionError " + at(`self.fail("the first call fails")`)}},
	}
	for name, python := range pytestPythons(t) {
		t.Run(name, func(t *testing.T) {
			py := python(t)
			dir := testenv.CopyTestdata(t, "pytest_threads")
			out := filepath.Join(t.TempDir(), "tests.jsonl")
			env := pyEnv("PYTHONPATH="+helpers, "PYTEST_PLUGINS=pyrace_pytest", "PYRACE_TESTS_FILE="+out,
				fmt.Sprintf("PYRACE_THREADS=%d", k), fmt.Sprintf("PYRACE_TEST_ITERATIONS=%d", m))
			r := runPy(t, dir, env, py, "-m", "pytest", "-p", "no:cacheprovider", "-q", "--strict-markers", "tests/test_threads.py")
			if r.code != 1 {
				t.Fatalf("exit status %d, want 1\n%s%s", r.code, r.stdout, r.stderr)
			}
			got := readTests(t, out)
			if len(got) != len(want) {
				t.Errorf("%d lines, want %d", len(got), len(want))
			}
			for _, g := range got {
				name := strings.TrimPrefix(g.ID, "tests/test_threads.py::")
				w, ok := want[name]
				if !ok {
					t.Errorf("unexpected line %+v", g)
					continue
				}
				if g.Outcome != w.outcome || g.ThreadUnsafe != w.unsafe {
					t.Errorf("%s: outcome %q unsafe %q, want %q %q (%s)", name, g.Outcome, g.ThreadUnsafe, w.outcome, w.unsafe, g.Message)
				}
				if w.unsafe != "" {
					if g.Threads != nil {
						t.Errorf("%s ran single-threaded yet has threads %+v", name, g.Threads)
					}
					continue
				}
				th := g.Threads
				if th == nil {
					t.Errorf("%s: no threads record", name)
					continue
				}
				if th.Threads != k || th.Rounds != m || th.Calls != k*m || th.FailedThreads != w.failedThreads ||
					th.FailedRounds != w.failedRds || th.Failures != w.failures {
					t.Errorf("%s: threads %+v, want %d failed threads in %d rounds, %d failures, %d calls", name, *th, w.failedThreads, w.failedRds, w.failures, k*m)
				}
				var exc []string
				for _, e := range th.Exceptions {
					exc = append(exc, e.Type+" "+e.Where)
				}
				if !slices.Equal(exc, w.exceptions) {
					t.Errorf("%s: exceptions %q, want %q", name, exc, w.exceptions)
				}
				if w.outcome == "failed" {
					head := fmt.Sprintf("%d of %d threads failed in %d of %d rounds: ", w.failedThreads, k, w.failedRds, m)
					if !strings.HasPrefix(g.Message, head) || g.When != "call" || g.ExcType != th.Exceptions[0].Type {
						t.Errorf("%s: message %q exc %q when %q, want %q... from %s in call", name, g.Message, g.ExcType, g.When, head, th.Exceptions[0].Type)
					}
				}
			}
		})
	}
}

// lineOf returns the number of the line of file holding code.
func lineOf(t *testing.T, file, code string) int {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for line := range strings.Lines(string(b)) {
		n++
		if strings.Contains(line, code) {
			return n
		}
	}
	t.Fatalf("%s has no line with %s", file, code)
	return 0
}

// TestPytestPluginThreadTimeout: a test whose thread never returns fails
// after PYRACE_TEST_TIMEOUT with that thread's stack, and the run goes on.
func TestPytestPluginThreadTimeout(t *testing.T) {
	py := needPython(t, systemPython)
	helpers := helpersDir(t)
	dir := testenv.CopyTestdata(t, "pytest_threads")
	out := filepath.Join(t.TempDir(), "tests.jsonl")
	env := pyEnv("PYTHONPATH="+helpers, "PYTEST_PLUGINS=pyrace_pytest", "PYRACE_TESTS_FILE="+out,
		"PYRACE_THREADS=4", "PYRACE_TEST_TIMEOUT=0.5")
	r := runPy(t, dir, env, py, "-m", "pytest", "-p", "no:cacheprovider", "-q", "tests/test_hang.py")
	if r.code != 1 {
		t.Fatalf("exit status %d, want 1\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "in test_hang") || !strings.Contains(r.stdout, "_never.wait()") {
		t.Errorf("no stack of the stuck thread in the report:\n%s", r.stdout)
	}
	got := readTests(t, out)
	if len(got) != 2 || got[1].ID != "tests/test_hang.py::test_after" || got[1].Outcome != "passed" {
		t.Fatalf("lines %+v, want test_hang then a passing test_after", got)
	}
	h := got[0]
	if h.Outcome != "failed" || h.Threads == nil || !h.Threads.TimedOut || h.Threads.Calls != 3 ||
		!strings.Contains(h.Message, "timed out after 0.5s in round 1 of 1: 1 of 4 threads still running") {
		t.Errorf("test_hang: %+v threads %+v", h, h.Threads)
	}
}

// TestPytestPluginNoThreads: the suite's markers and fixtures work without
// PYRACE_THREADS (thread_index and iteration_index are 0): only the two
// tests that fail on their first call fail.
func TestPytestPluginNoThreads(t *testing.T) {
	py := needPython(t, systemPython)
	helpers := helpersDir(t)
	dir := testenv.CopyTestdata(t, "pytest_threads")
	env := pyEnv("PYTHONPATH="+helpers, "PYTEST_PLUGINS=pyrace_pytest")
	r := runPy(t, dir, env, py, "-m", "pytest", "-p", "no:cacheprovider", "-q", "--strict-markers", "tests/test_threads.py")
	if r.code != 1 || !strings.Contains(r.stdout, "2 failed, 17 passed, 1 skipped, 1 xfailed") ||
		!strings.Contains(r.stdout, "FAILED tests/test_threads.py::test_one_failure") ||
		!strings.Contains(r.stdout, "FAILED tests/test_threads.py::FirstCallFails::test_first_fails") {
		t.Errorf("exit status %d, want 1 with test_one_failure and test_first_fails failing alone\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// TestPytestPluginGILFlip: on the free-threaded build with PYTHON_GIL
// unset, the first test that finds the GIL re-enabled says so, with the
// extension loaded since the previous test; with the extension imported at
// collection it is the first test, "before".
func TestPytestPluginGILFlip(t *testing.T) {
	py := ftPython(t)
	helpers := helpersDir(t)
	tests := []struct {
		name, src, when, test string
	}{
		{"during a test", "def test_a():\n    pass\n\ndef test_b():\n    import extpkg._single\n\ndef test_c():\n    pass\n", "during", "test_gil.py::test_b"},
		{"at collection", "import extpkg._single\n\ndef test_a():\n    pass\n\ndef test_b():\n    pass\n", "before", "test_gil.py::test_a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			project := t.TempDir()
			buildExtension(t, py, project, "extpkg", "_single", singlePhaseC)
			if err := os.WriteFile(filepath.Join(project, "test_gil.py"), []byte(tt.src), 0o644); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(t.TempDir(), "tests.jsonl")
			for _, threads := range []string{"", "2"} {
				os.Remove(out)
				env := pyEnv("PYTHONPATH="+helpers, "PYTEST_PLUGINS=pyrace_pytest", "PYRACE_TESTS_FILE="+out, "PYRACE_THREADS="+threads)
				r := runPy(t, project, env, py, "-m", "pytest", "-p", "no:cacheprovider", "-q", "test_gil.py")
				if r.code != 0 {
					t.Fatalf("exit status %d\n%s%s", r.code, r.stdout, r.stderr)
				}
				var flips []string
				for _, g := range readTests(t, out) {
					if g.GILEnabled != nil {
						flips = append(flips, fmt.Sprintf("%s %s %v", g.ID, g.GILEnabled.When, g.GILEnabled.Modules))
					}
				}
				want := fmt.Sprintf("%s %s [extpkg._single]", tt.test, tt.when)
				if len(flips) != 1 || flips[0] != want {
					t.Errorf("PYRACE_THREADS=%q: flips %q, want just %q", threads, flips, want)
				}
			}
		})
	}
}

// TestThreadsStartFailure: a thread that cannot be started aborts the
// barrier, so that the threads already started stop instead of waiting
// for it, and the outcome says why.
func TestThreadsStartFailure(t *testing.T) {
	py := needPython(t, systemPython)
	helpers := helpersDir(t)
	const script = `
import json, threading, pyrace_threads
real_start = threading.Thread.start
started = []
def start(self):
    if len(started) == 2:
        raise RuntimeError("can't start new thread")
    started.append(self)
    real_start(self)
threading.Thread.start = start
out = pyrace_threads.run(lambda: None, 4, 3, timeout=30)
for t in started:
    t.join(5)
print(json.dumps(dict(out.record(), alive=sum(t.is_alive() for t in started), summary=out.summary())))
`
	r := runPy(t, t.TempDir(), pyEnv("PYTHONPATH="+helpers), py, "-c", script)
	if r.code != 0 {
		t.Fatalf("exit status %d: %s", r.code, r.stderr)
	}
	var got struct {
		results.ThreadedRun
		Alive   int    `json:"alive"`
		Summary string `json:"summary"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("%v: %s", err, r.stdout)
	}
	if got.StartError != "RuntimeError: can't start new thread" || got.Calls != 0 || got.Alive != 0 || got.TimedOut ||
		got.Summary != "could not start the threads: RuntimeError: can't start new thread" {
		t.Errorf("got %+v", got)
	}
}

// TestUnittestRunnerThreads: pyrace's unittest runner runs each test method
// in 4 threads for 3 rounds (one instance, setUp and tearDown once per
// round), with Debian's CPython and PyPy (which has no pytest here).
func TestUnittestRunnerThreads(t *testing.T) {
	helpers := helpersDir(t)
	const k, m = 4, 3
	type want struct {
		outcome, unsafe       string
		failedThreads, rounds int
	}
	wants := map[string]want{
		"Failures.test_first_fails": {outcome: "failed", failedThreads: 1, rounds: 1},
		"Failures.test_skipped":     {outcome: "skipped"},
		"Rounds.test_shared":        {outcome: "passed"},
		"RoundsCheck.test_check":    {outcome: "passed"},
		"Unsafe.test_patched":       {outcome: "passed", unsafe: "decorated with unittest.mock.patch"},
		"Unsafe.test_warns":         {outcome: "passed", unsafe: "calls assertWarns"},
	}
	for name, python := range map[string]func(*testing.T) string{
		"debian": func(t *testing.T) string { return needPython(t, systemPython) },
		"pypy3":  pypy3,
	} {
		t.Run(name, func(t *testing.T) {
			py := python(t)
			dir := testenv.CopyTestdata(t, "unittest_threads")
			out := filepath.Join(t.TempDir(), "tests.jsonl")
			env := pyEnv("PYTHONPATH="+helpers, "PYRACE_TESTS_FILE="+out,
				fmt.Sprintf("PYRACE_THREADS=%d", k), fmt.Sprintf("PYRACE_TEST_ITERATIONS=%d", m))
			r := runPy(t, dir, env, py, "-m", "pyrace_unittest", "discover", "-s", "tests", "-t", ".")
			if r.code != 1 {
				t.Fatalf("exit status %d, want 1\n%s%s", r.code, r.stdout, r.stderr)
			}
			got := readTests(t, out)
			if len(got) != len(wants) {
				t.Errorf("%d lines, want %d: %+v", len(got), len(wants), got)
			}
			for _, g := range got {
				name := strings.TrimPrefix(g.ID, "tests.test_units.")
				w, ok := wants[name]
				if !ok {
					t.Errorf("unexpected line %+v", g)
					continue
				}
				if g.Outcome != w.outcome || g.ThreadUnsafe != w.unsafe {
					t.Errorf("%s: outcome %q unsafe %q (%s), want %q %q", name, g.Outcome, g.ThreadUnsafe, g.Message, w.outcome, w.unsafe)
				}
				threaded := w.unsafe == "" && w.outcome != "skipped"
				if (g.Threads != nil) != threaded {
					t.Errorf("%s: threads %+v, want a record: %v", name, g.Threads, threaded)
					continue
				}
				if threaded && (g.Threads.Calls != k*m || g.Threads.FailedThreads != w.failedThreads || g.Threads.FailedRounds != w.rounds) {
					t.Errorf("%s: threads %+v", name, *g.Threads)
				}
			}
		})
	}
}
