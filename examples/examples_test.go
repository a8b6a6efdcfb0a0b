// Package examples holds small Python projects with real thread-safety races,
// used by the demo and the integration tests. This file checks them with the
// python3 found on PATH: they compile, their unit tests pass, their locked
// variants never race and their racy variants do.
package examples

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// projects are the example projects, each a directory with a package, a
// tests/ package and a stress.py.
func projects() []string { return []string{"config", "fdtable", "inventory"} }

func python(t *testing.T) string {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not on PATH")
	}
	return py
}

// runPython runs python3 in dir without writing bytecode into the tree.
func runPython(t *testing.T, dir string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, python(t), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1", "PYTHON_GIL=")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

func TestProjectsExist(t *testing.T) {
	for _, p := range projects() {
		for _, f := range []string{"README.md", "stress.py", "tests/__init__.py"} {
			if _, err := os.Stat(filepath.Join(p, f)); err != nil {
				t.Errorf("%s: %v", p, err)
			}
		}
	}
}

func TestCompile(t *testing.T) {
	const script = `
import pathlib, sys
n = 0
for p in sorted(pathlib.Path(".").rglob("*.py")):
    compile(p.read_bytes(), str(p), "exec", dont_inherit=True)
    n += 1
print(n, "files compiled")
`
	out, err := runPython(t, ".", "-c", script)
	if err != nil {
		t.Fatalf("compiling the examples: %v\n%s", err, out)
	}
	t.Log(strings.TrimSpace(out))
}

func TestUnitTestsPass(t *testing.T) {
	for _, p := range projects() {
		t.Run(p, func(t *testing.T) {
			out, err := runPython(t, p, "-m", "unittest", "discover", "-s", "tests", "-t", ".")
			if err != nil {
				t.Fatalf("unit tests failed: %v\n%s", err, out)
			}
			if !strings.Contains(out, "\nOK") {
				t.Errorf("no OK from unittest:\n%s", out)
			}
		})
	}
}

func TestLockedVariantsDoNotRace(t *testing.T) {
	for _, p := range []string{"fdtable", "inventory"} {
		t.Run(p, func(t *testing.T) {
			out, err := runPython(t, p, "stress.py", "--locked")
			if err != nil {
				t.Errorf("the locked variant raced or failed: %v\n%s", err, out)
			}
		})
	}
}

// TestRacyVariantsRace checks that the races are real: each stress script
// observes one within a few runs, even with the GIL.
func TestRacyVariantsRace(t *testing.T) {
	const attempts = 10
	for _, p := range projects() {
		t.Run(p, func(t *testing.T) {
			var out string
			for range attempts {
				var err error
				out, err = runPython(t, p, "stress.py")
				if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 1 && strings.Contains(out, "race observed") {
					return
				}
				if err != nil {
					if _, ok := err.(*exec.ExitError); !ok {
						t.Fatal(err)
					}
				}
			}
			t.Errorf("no race observed in %d runs; last output:\n%s", attempts, out)
		})
	}
}
