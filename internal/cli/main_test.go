package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// pyraceBin is the pyrace binary built once by TestMain for the tests that
// run it as a real process. It is set before any test runs and never
// changed.
var pyraceBin string

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	dir, err := os.MkdirTemp("", "pyrace-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "creating a directory for the pyrace binary:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	// Readable by everyone, so that a test can run the binary as an
	// unprivileged user.
	if err := os.Chmod(dir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "chmod:", err)
		return 1
	}
	name := "pyrace"
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	pyraceBin = filepath.Join(dir, name)
	build := exec.Command("go", "build", "-buildvcs=false", "-o", pyraceBin, "github.com/pyrace/pyrace/cmd/pyrace")
	var out bytes.Buffer
	build.Stdout, build.Stderr = &out, &out
	if err := build.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "building pyrace: %v\n%s", err, out.Bytes())
		return 1
	}
	return m.Run()
}

// result is what a pyrace run printed and returned.
type result struct {
	code           int
	stdout, stderr string
}

// runMain runs pyrace in this process, so that the race detector sees the
// whole pipeline.
func runMain(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := Main(context.Background(), args, Env{
		Stdout: &stdout,
		Stderr: &stderr,
		Getenv: func(k string) string { return env[k] },
	})
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// runBin runs the pyrace binary in dir.
func runBin(t *testing.T, ctx context.Context, dir string, configure func(*exec.Cmd), args ...string) result {
	t.Helper()
	cmd := exec.CommandContext(ctx, pyraceBin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "NO_COLOR=")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if configure != nil {
		configure(cmd)
	}
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("pyrace %s did not finish in time (hang?): %v\nstderr:\n%s", strings.Join(args, " "), ctx.Err(), tail(stderr.String()))
	}
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("running pyrace %s: %v", strings.Join(args, " "), err)
		}
		code = ee.ExitCode()
		if code < 0 {
			t.Fatalf("pyrace %s was killed (crash?): %v\nstderr:\n%s", strings.Join(args, " "), err, tail(stderr.String()))
		}
	}
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// tail returns the end of a long output, for failure messages.
func tail(s string) string {
	const n = 4000
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}

// execOutput runs a command and returns its combined output.
func execOutput(t *testing.T, name string, args ...string) (string, error) {
	t.Helper()
	out, err := exec.CommandContext(t.Context(), name, args...).CombinedOutput()
	return string(out), err
}
