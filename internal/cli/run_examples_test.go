//go:build unix

package cli

import (
	"context"
	"encoding/json"
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
