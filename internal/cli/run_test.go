//go:build unix

package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pyrace/pyrace/internal/results"
	"github.com/pyrace/pyrace/internal/testenv"
)

func TestRunBadInput(t *testing.T) {
	t.Parallel()
	py := testenv.Python3(t)
	tmp := t.TempDir()
	badSupp := filepath.Join(tmp, "bad.supp")
	os.WriteFile(badSupp, []byte("race:ok\nrase:typo\n"), 0o644)
	notExec := filepath.Join(tmp, "python-not-exec")
	os.WriteFile(notExec, []byte("#!/bin/sh\n"), 0o644)
	foreign := filepath.Join(tmp, "foreign")
	os.Mkdir(foreign, 0o755)
	os.WriteFile(filepath.Join(foreign, "meta.json"), []byte(`{"tool":"labeille"}`), 0o644)
	corrupt := filepath.Join(tmp, "corrupt")
	os.Mkdir(corrupt, 0o755)
	os.WriteFile(filepath.Join(corrupt, "meta.json"), []byte(`{"tool":"pyrace","schema_version":1,"config":{"package":"x"}}`), 0o644)
	corruptLines := "{\"schema_version\":1,\"index\":1}\n{oops\n{\"schema_version\":1,\"index\":3}\n"
	os.WriteFile(filepath.Join(corrupt, "iterations.jsonl"), []byte(corruptLines), 0o644)
	existing := filepath.Join(tmp, "results")
	os.MkdirAll(filepath.Join(existing, "taken"), 0o755)
	os.WriteFile(filepath.Join(existing, "taken", "keep.txt"), []byte("keep"), 0o644)

	tests := []struct {
		name string
		args []string
		want string
	}{
		{"missing interpreter", []string{"run", "--python", filepath.Join(tmp, "nope")}, "--python"},
		{"non-executable interpreter", []string{"run", "--python", notExec}, "not executable"},
		{"not ours", []string{"run", "--resume", foreign}, `not a pyrace run directory (meta.json has tool "labeille")`},
		{"no run directory", []string{"run", "--resume", tmp}, "not a pyrace run directory (no meta.json)"},
		{"corrupt line", []string{"run", "--resume", corrupt}, "iterations.jsonl:2:"},
		{"unknown --env form", []string{"run", "--python", py, "--env", "NOEQUALS"}, `--env "NOEQUALS": want KEY=VALUE`},
		{"existing run id", []string{"run", "--python", py, "--results-dir", existing, "--run-id", "taken", "--", "true"}, "already exists"},
		{"bad timeout", []string{"run", "--python", py, "--timeout", "soon"}, `--timeout "soon"`},
		{"bad fail-on", []string{"run", "--python", py, "--fail-on", "flaky"}, `unknown category`},
		{"command without --", []string{"run", "pytest"}, "after --"},
		{"zero iterations", []string{"run", "--python", py, "-n", "0"}, "--iterations 0"},
		{"missing dir", []string{"run", "--python", py, "-C", filepath.Join(tmp, "nodir")}, "not a directory"},
		{"missing command", []string{"run", "--python", py, "--", "no-such-test-runner"}, `test command: "no-such-test-runner" not found on PATH`},
		{"missing script", []string{"run", "--python", py, "-C", tmp, "--", "./run-tests.sh"}, "run-tests.sh: no such file"},
		{"zero threads", []string{"run", "--python", py, "--threads", "0"}, "--threads 0: must be at least 1"},
		{"negative threads", []string{"run", "--python", py, "--threads", "-2"}, "--threads -2: must be at least 1"},
		{"zero test iterations", []string{"run", "--python", py, "--threads", "4", "--test-iterations", "0"}, "--test-iterations 0: must be at least 1"},
		{"test iterations without threads", []string{"run", "--python", py, "--test-iterations", "5"}, "need --threads"},
		{"test timeout at the stall threshold", []string{"run", "--python", py, "--threads", "2", "--test-timeout", "60"}, "--test-timeout 60 must be below --stall-threshold"},
		{"tsan without a tsan build", []string{"run", "--python", py, "--tsan"}, "is not a ThreadSanitizer build of CPython"},
		{"tsan suppressions without --tsan", []string{"run", "--python", py, "--tsan-suppressions", notExec}, "--tsan-suppressions needs --tsan"},
		{"bad tsan suppressions", []string{"run", "--python", py, "--tsan", "--tsan-suppressions", badSupp}, `line 2: unknown suppression type "rase"`},
		{"threads with another runner", []string{"run", "--python", py, "--threads", "2", "--", "sh", "-c", "true"}, "--threads needs pytest or python -m unittest"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := runMain(t, nil, tt.args...)
			if res.code != ExitError {
				t.Errorf("exit %d, want 2; stderr:\n%s", res.code, res.stderr)
			}
			if !strings.Contains(res.stderr, tt.want) {
				t.Errorf("stderr lacks %q:\n%s", tt.want, res.stderr)
			}
			if res.stdout != "" {
				t.Errorf("stdout not empty: %q", res.stdout)
			}
		})
	}
	// Nothing was overwritten.
	if data, _ := os.ReadFile(filepath.Join(existing, "taken", "keep.txt")); string(data) != "keep" {
		t.Error("an existing run directory was touched")
	}
	if data, _ := os.ReadFile(filepath.Join(corrupt, "iterations.jsonl")); string(data) != corruptLines {
		t.Error("a corrupt results file was modified")
	}
	if data, _ := os.ReadFile(filepath.Join(foreign, "meta.json")); string(data) != `{"tool":"labeille"}` {
		t.Error("a foreign meta.json was modified")
	}
}

// runDirOf returns the single run directory under resultsDir.
func runDirOf(t *testing.T, resultsDir string) string {
	t.Helper()
	entries, err := os.ReadDir(resultsDir)
	if err != nil || len(entries) != 1 {
		t.Fatalf("results dir %s: %v entries, %v", resultsDir, len(entries), err)
	}
	return filepath.Join(resultsDir, entries[0].Name())
}

func TestRunKilledThenResumed(t *testing.T) {
	t.Parallel()
	py := testenv.Python3(t)
	tmp := t.TempDir()
	resultsDir := filepath.Join(tmp, "results")
	counter := filepath.Join(tmp, "count")
	// Each iteration takes 0.4 s and fails every third time.
	script := `n=$(cat "$COUNTER" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "$COUNTER"; echo "iteration $n"; sleep 0.4; [ $((n % 3)) -ne 0 ]`
	cmd := exec.Command(pyraceBin, "run", "--python", py, "--no-gil-probe", "-n", "8",
		"--results-dir", resultsDir, "--env", "COUNTER="+counter, "--", "sh", "-c", script)
	cmd.Dir = tmp
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait for three finished iterations, then SIGKILL pyrace mid-run.
	deadline := time.Now().Add(30 * time.Second)
	var runDir string
	for time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		entries, _ := os.ReadDir(resultsDir)
		if len(entries) != 1 {
			continue
		}
		runDir = filepath.Join(resultsDir, entries[0].Name())
		data, _ := os.ReadFile(filepath.Join(runDir, results.IterationsFile))
		if strings.Count(string(data), "\n") >= 3 {
			break
		}
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if runDir == "" {
		t.Fatal("no run directory appeared")
	}

	run, err := results.ReadRun(runDir)
	if err != nil {
		t.Fatalf("the killed run cannot be read: %v", err)
	}
	if run.Meta.Status != results.Running || len(run.Iterations) < 3 || len(run.Records) != 0 {
		t.Fatalf("killed run: status %q, %d iterations, %d records", run.Meta.Status, len(run.Iterations), len(run.Records))
	}
	killedAt := len(run.Iterations)

	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	res := runBin(t, ctx, tmp, nil, "run", "--resume", runDir, "--format", "json")
	if res.code != 0 {
		t.Fatalf("resume: exit %d\n%s", res.code, res.stderr)
	}
	var out struct {
		RunDir  string           `json:"run_dir"`
		Records []results.Record `json:"records"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &out); err != nil {
		t.Fatalf("--format json: %v\n%s", err, res.stdout)
	}
	if len(out.Records) != 1 || out.Records[0].Rate.Iterations != 8 {
		t.Fatalf("records %+v", out.Records)
	}
	run, err = results.ReadRun(runDir)
	if err != nil {
		t.Fatal(err)
	}
	if run.Meta.Status != results.Finished || len(run.Iterations) != 8 || len(run.Records) != 1 {
		t.Errorf("after resume: status %q, %d iterations, %d records", run.Meta.Status, len(run.Iterations), len(run.Records))
	}
	seen := map[int]bool{}
	for _, it := range run.Iterations {
		if seen[it.Index] {
			t.Errorf("iteration %d recorded twice", it.Index)
		}
		seen[it.Index] = true
	}
	// The command ran once per iteration plus at most the one killed
	// mid-way: nothing finished was re-run.
	data, _ := os.ReadFile(counter)
	if n := strings.TrimSpace(string(data)); n != "8" && n != "9" {
		t.Errorf("the command ran %s times for 8 iterations (killed after %d)", n, killedAt)
	}
	// A second resume has nothing to do.
	res = runBin(t, ctx, tmp, nil, "run", "--resume", runDir)
	if res.code != 0 || !strings.Contains(res.stderr, "already complete") {
		t.Errorf("second resume: exit %d\n%s", res.code, res.stderr)
	}
}

func TestRunSummaryAndFailOn(t *testing.T) {
	t.Parallel()
	py := testenv.Python3(t)
	tmp := t.TempDir()
	res := runMain(t, nil, "run", "--python", py, "--no-gil-probe", "-n", "3", "--results-dir", tmp,
		"--fail-on", "incompatible", "--", "sh", "-c", "echo boom >&2; exit 3")
	if res.code != ExitFindings {
		t.Fatalf("exit %d, want 1\n%s", res.code, res.stderr)
	}
	for _, want := range []string{"incompatible: all 3 iterations failed", "3/3 iterations failed", "iterations: fail 3", "results: " + tmp} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("summary lacks %q:\n%s", want, res.stdout)
		}
	}
	for _, want := range []string{"iteration 1/3: fail", "iteration 3/3: fail", "is not a free-threaded build"} {
		if !strings.Contains(res.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, res.stderr)
		}
	}
	run, err := results.ReadRun(runDirOf(t, tmp))
	if err != nil {
		t.Fatal(err)
	}
	if run.Meta.Status != results.Finished || run.Meta.Interpreter.Path != py || run.Meta.Config.Iterations != 3 || run.Meta.System.CPUs == 0 {
		t.Errorf("meta %+v", run.Meta)
	}
}

func TestRunCtrlC(t *testing.T) {
	t.Parallel()
	py := testenv.Python3(t)
	tmp := t.TempDir()
	resultsDir := filepath.Join(tmp, "results")
	marker := fmt.Sprintf("1000.%d", time.Now().UnixNano()%1_000_000)
	cmd := exec.Command(pyraceBin, "run", "--python", py, "--no-gil-probe", "-n", "50",
		"--results-dir", resultsDir, "--", "sh", "-c", "echo go; sleep "+marker+" & sleep 0.3")
	cmd.Dir = tmp
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Interrupt once two iterations are recorded and a third is running.
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		entries, _ := os.ReadDir(resultsDir)
		if len(entries) == 1 {
			data, _ := os.ReadFile(filepath.Join(resultsDir, entries[0].Name(), results.IterationsFile))
			if strings.Count(string(data), "\n") >= 2 {
				break
			}
		}
	}
	cmd.Process.Signal(os.Interrupt)
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 {
		t.Fatalf("exit: %v, want status 130\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "--resume") {
		t.Errorf("no hint to resume:\n%s", stderr.String())
	}
	run, err := results.ReadRun(runDirOf(t, resultsDir))
	if err != nil {
		t.Fatal(err)
	}
	if run.Meta.Status != results.Interrupted || run.Meta.Finished == nil || len(run.Iterations) < 2 || len(run.Records) != 0 {
		t.Errorf("status %q, %d iterations, %d records", run.Meta.Status, len(run.Iterations), len(run.Records))
	}
	for _, it := range run.Iterations {
		if it.Outcome != results.OutcomePass {
			t.Errorf("iteration %d: %s (%s): the interrupted one must not be recorded", it.Index, it.Outcome, it.Reason)
		}
	}
	time.Sleep(100 * time.Millisecond)
	if out, _ := exec.Command("pgrep", "-f", "sleep "+marker).Output(); len(out) > 0 {
		t.Errorf("processes left behind after Ctrl-C: %s", out)
	}
}
