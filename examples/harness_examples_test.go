package examples

// This file checks the two example projects written for the `pyrace run`
// harness, which runs a project's test suite many times and classifies the
// outcome: clean/ (thread-using tests that always pass) and counters/ (the
// same tests on racy code, which fail in some runs and pass in others). It
// uses Debian's /usr/bin/python3 (with a GIL: the tests shrink the switch
// interval so that the races show) and skips when it is missing.

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// harnessProjects are the example projects made for `pyrace run`.
func harnessProjects() []string { return []string{"clean", "counters"} }

const harnessPython = "/usr/bin/python3"

// harnessSuite runs the unittest suite of project once with /usr/bin/python3,
// without writing bytecode into the tree. It returns the output, and whether
// the suite passed; a run that neither passes nor fails with unittest's
// ordinary "FAILED" report (a crash, a hang) fails the test.
func harnessSuite(t *testing.T, project string) (string, bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, harnessPython, "-m", "unittest", "discover", "-s", "tests", "-t", ".")
	cmd.Dir = project
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1", "PYTHON_GIL=")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if err == nil {
		return out.String(), true
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() == 1 && ctx.Err() == nil && strings.Contains(out.String(), "\nFAILED (") {
		return out.String(), false
	}
	t.Fatalf("%s: the suite neither passed nor failed normally: %v\n%s", project, err, out.String())
	return "", false
}

func requireHarnessPython(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(harnessPython); err != nil {
		t.Skipf("%s is not available: %v", harnessPython, err)
	}
}

func TestHarnessExamplesCompile(t *testing.T) {
	requireHarnessPython(t)
	const script = `
import pathlib, sys
n = 0
for project in sys.argv[1:]:
    for p in sorted(pathlib.Path(project).rglob("*.py")):
        compile(p.read_bytes(), str(p), "exec", dont_inherit=True)
        n += 1
print(n, "files compiled")
`
	args := append([]string{"-c", script}, harnessProjects()...)
	cmd := exec.CommandContext(t.Context(), harnessPython, args...)
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("compiling %v: %v\n%s", harnessProjects(), err, out)
	}
	t.Log(strings.TrimSpace(string(out)))
}

// TestHarnessCleanAlwaysPasses: the locked code passes run after run.
func TestHarnessCleanAlwaysPasses(t *testing.T) {
	requireHarnessPython(t)
	const runs = 5
	for i := range runs {
		if out, ok := harnessSuite(t, "clean"); !ok {
			t.Fatalf("run %d of %d failed:\n%s", i+1, runs, out)
		}
	}
}

// TestHarnessCountersFailsSometimes: the racy code fails in about half of the
// runs, so 20 runs without a failure would mean the races no longer show.
func TestHarnessCountersFailsSometimes(t *testing.T) {
	requireHarnessPython(t)
	const runs = 20
	passed := 0
	for i := range runs {
		out, ok := harnessSuite(t, "counters")
		if !ok {
			t.Logf("run %d failed, as expected sometimes (%d passed before it):\n%s", i+1, passed, lastLines(out, 8))
			return
		}
		passed++
	}
	t.Errorf("counters passed %d runs in a row: its races no longer show", runs)
}

// lastLines returns the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
