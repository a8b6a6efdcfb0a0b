//go:build unix

package cli

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pyrace/pyrace/internal/harness"
	"github.com/pyrace/pyrace/internal/testenv"
)

// stressDir is the directory holding stressmod.py.
func stressDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("testdata/stress")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// stressJSON runs `pyrace stress --format json` and decodes the report.
func stressJSON(t *testing.T, python string, wantCode int, args ...string) harness.StressResult {
	t.Helper()
	args = append([]string{"stress", "--python", python, "-C", stressDir(t), "--format", "json"}, args...)
	res := runMain(t, nil, args...)
	if res.code != wantCode {
		t.Fatalf("pyrace %s: exit %d, want %d\n%s%s", strings.Join(args, " "), res.code, wantCode, res.stdout, res.stderr)
	}
	var r harness.StressResult
	if err := json.Unmarshal([]byte(res.stdout), &r); err != nil {
		t.Fatalf("--format json: %v\n%s", err, res.stdout)
	}
	return r
}

func TestStress(t *testing.T) {
	t.Parallel()
	for _, in := range []struct {
		name   string
		python func(testing.TB) string
	}{{"python3", testenv.Python3}, {"free-threaded", testenv.FTPython}, {"pypy3", testenv.PyPy3}} {
		t.Run(in.name, func(t *testing.T) {
			t.Parallel()
			py := in.python(t)

			r := stressJSON(t, py, ExitFindings, "stressmod:always_fails", "--threads", "4", "--rounds", "3")
			if r.Threads != 4 || r.Rounds != 3 || r.Calls != 12 || r.Failures != 12 || r.FailedThreads != 4 || r.FailedRounds != 3 ||
				len(r.Exceptions) != 1 || r.Exceptions[0].Type != "ValueError" || r.Exceptions[0].Message != "boom" ||
				r.Exceptions[0].Where != "stressmod.py:12" || r.Exceptions[0].Function != "always_fails" || r.Exceptions[0].Count != 12 ||
				r.Summary != "4 of 4 threads failed in 3 of 3 rounds: ValueError: boom (at stressmod.py:12)" {
				t.Errorf("always_fails: %+v", r)
			}

			r = stressJSON(t, py, ExitOK, "stressmod:counted", "--threads", "3", "--rounds", "5", "--args", `{"args": [1], "kwargs": {"b": 2}}`)
			if r.Calls != 15 || r.Failures != 0 || r.Summary != "" {
				t.Errorf("counted: %+v", r)
			}
			if r := stressJSON(t, py, ExitOK, "stressmod:Box.fine"); r.Calls != 80 {
				t.Errorf("Box.fine with the defaults: %+v, want 8 threads × 10 rounds", r)
			}

			r = stressJSON(t, py, ExitFindings, "stressmod:hangs", "--threads", "2", "--rounds", "1", "--timeout", "0.5")
			if !r.TimedOut || !strings.Contains(r.Stacks, "in hangs") || !strings.Contains(r.Summary, "2 of 2 threads still running") {
				t.Errorf("hangs: %+v", r)
			}

			text := runMain(t, nil, "stress", "--python", py, "-C", stressDir(t), "stressmod:always_fails", "--threads", "2", "--rounds", "2")
			for _, want := range []string{"stressmod:always_fails with " + py, "2 threads × 2 rounds, 4 calls",
				"2 of 2 threads failed in 2 of 2 rounds: ValueError: boom (at stressmod.py:12)", "  4 × ValueError: boom (at stressmod.py:12 in always_fails)"} {
				if !strings.Contains(text.stdout, want) {
					t.Errorf("text report lacks %q:\n%s", want, text.stdout)
				}
			}
		})
	}
}

// TestStressFindsRace: a dict iterated while other threads resize it, on
// the free-threaded build and on PyPy (up to 5 attempts each: a race is a
// matter of timing, and a loaded machine overlaps threads less).
func TestStressFindsRace(t *testing.T) {
	t.Parallel()
	for _, in := range []struct {
		name   string
		python func(testing.TB) string
	}{{"free-threaded", testenv.FTPython}, {"pypy3", testenv.PyPy3}} {
		t.Run(in.name, func(t *testing.T) {
			t.Parallel()
			py := in.python(t)
			var last harness.StressResult
			for range 5 {
				res := runMain(t, nil, "stress", "--python", py, "-C", stressDir(t), "--format", "json", "stressmod:churn", "--args", "[500]", "--rounds", "20")
				if res.code == ExitFindings {
					if err := json.Unmarshal([]byte(res.stdout), &last); err != nil {
						t.Fatal(err)
					}
					for _, e := range last.Exceptions {
						if e.Type == "RuntimeError" && strings.HasPrefix(e.Message, "dictionary changed size during iteration") && e.Function == "churn" {
							return
						}
					}
				}
			}
			t.Errorf("no RuntimeError from churn in 5 runs: %+v", last)
		})
	}
}

func TestStressBadInput(t *testing.T) {
	t.Parallel()
	py := testenv.Python3(t)
	dir := stressDir(t)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"missing callable", []string{"stressmod:nope"}, "stressmod has no attribute 'nope'"},
		{"missing module", []string{"no_such_module_pyrace:f"}, "cannot import no_such_module_pyrace: ModuleNotFoundError"},
		{"not callable", []string{"stressmod:not_callable"}, "stressmod:not_callable is not callable (a int)"},
		{"no colon", []string{"stressmod"}, `"stressmod": want MODULE:CALLABLE`},
		{"args not JSON", []string{"stressmod:counted", "--args", "1,2"}, `--args "1,2": want a JSON list`},
		{"args of the wrong shape", []string{"stressmod:counted", "--args", `{"a": 1}`}, "want a JSON list"},
		{"zero threads", []string{"stressmod:counted", "--threads", "0"}, "--threads 0: must be at least 1"},
		{"zero rounds", []string{"stressmod:counted", "--rounds", "0"}, "--rounds 0: must be at least 1"},
		{"no target", nil, "accepts 1 arg"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := runMain(t, nil, append([]string{"stress", "--python", py, "-C", dir}, tt.args...)...)
			if res.code != ExitError || !strings.Contains(res.stderr, tt.want) || res.stdout != "" {
				t.Errorf("exit %d, stderr %q, stdout %q; want exit 2 and %q", res.code, res.stderr, res.stdout, tt.want)
			}
		})
	}
}
