package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pyrace/pyrace/internal/testenv"
)

func TestSurveyRegistryCommands(t *testing.T) {
	t.Parallel()
	examples := filepath.Join("..", "..", "examples", "registry")
	res := runMain(t, nil, "survey", "validate", examples)
	if res.code != ExitOK || !strings.Contains(res.stdout, "2 packages, valid") {
		t.Errorf("validate: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	res = runMain(t, nil, "survey", "list", "--top", "1", examples)
	if res.code != ExitOK || !strings.Contains(res.stdout, "1  counters  2") || strings.Contains(res.stdout, "clean") {
		t.Errorf("list: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}

	bad := t.TempDir()
	os.WriteFile(filepath.Join(bad, "a.yaml"), []byte("name: a\nsource: {git: g}\ntest_comand: x\n"), 0o644)
	os.WriteFile(filepath.Join(bad, "b.yaml"), []byte("name: b\nsource: {git: h}\n"), 0o644)
	os.WriteFile(filepath.Join(bad, "c.yaml"), []byte("name: b\nsource: {git: i}\n"), 0o644)
	res = runMain(t, nil, "survey", "validate", bad)
	if res.code != ExitFindings || !strings.Contains(res.stdout, "a.yaml:3: unknown field test_comand: did you mean test_command?") ||
		!strings.Contains(res.stdout, `c.yaml:1: package "b" is also in `) || !strings.Contains(res.stderr, "2 problems") {
		t.Errorf("validate bad: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	res = runMain(t, nil, "survey", "list", bad)
	if res.code != ExitError || !strings.Contains(res.stderr, "is not valid") {
		t.Errorf("list bad: exit %d\n%s", res.code, res.stderr)
	}
	res = runMain(t, nil, "survey", "validate", filepath.Join(bad, "missing"))
	if res.code != ExitError || !strings.Contains(res.stderr, "no such directory") {
		t.Errorf("validate missing: exit %d\n%s", res.code, res.stderr)
	}

	dest := filepath.Join(t.TempDir(), "reg")
	res = runMain(t, nil, "survey", "import", filepath.Join("..", "survey", "testdata", "labeille"), dest)
	if res.code != ExitOK || !strings.Contains(res.stdout, "2 packages written") || !strings.Contains(res.stderr, "left out noreposkip") {
		t.Errorf("import: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	if res := runMain(t, nil, "survey", "validate", dest); res.code != ExitOK {
		t.Errorf("imported registry: exit %d\n%s", res.code, res.stdout)
	}
}

// TestSurveyRun runs `pyrace survey` on part of the survey package's test
// registry with Debian's python3: progress per package, a summary, and a
// run directory the views read.
func TestSurveyRun(t *testing.T) {
	t.Parallel()
	py := testenv.Python3(t)
	work := t.TempDir()
	registry := filepath.Join("..", "survey", "testdata", "registry")
	res := runMain(t, nil, "survey", "--registry", registry, "--python", py, "--packages", "pure,badinstall", "-n", "1",
		"--repos-dir", filepath.Join(work, "repos"), "--venvs-dir", filepath.Join(work, "venvs"),
		"--results-dir", filepath.Join(work, "results"), "--run-id", "s1")
	if res.code != ExitOK {
		t.Fatalf("exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	for _, want := range []string{"[1/2] pure: compatible", "[2/2] badinstall: install_failure: install failed"} {
		if !strings.Contains(res.stderr, want) {
			t.Errorf("progress lacks %q:\n%s", want, res.stderr)
		}
	}
	if !strings.Contains(res.stdout, "1 compatible, 1 install_failure") {
		t.Errorf("summary:\n%s", res.stdout)
	}
	show := runMain(t, nil, "show", filepath.Join(work, "results", "s1"))
	if show.code != ExitOK || !strings.Contains(show.stdout, "2 packages: 1 compatible, 1 install_failure") {
		t.Errorf("show: exit %d\n%s%s", show.code, show.stdout, show.stderr)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"survey", "--python", py}, "--registry DIR is required"},
		{[]string{"survey", "--registry", registry, "--top", "2", "--packages", "pure"}, "exclude each other"},
		{[]string{"survey", "--registry", registry, "--packages", "nope"}, "not in the registry"},
		{[]string{"survey", "--registry", filepath.Join(work, "missing")}, "no such directory"},
		{[]string{"survey", "--registry", registry, "--python", py, "--tsan"}, "is not a ThreadSanitizer build"},
		{[]string{"survey", "--registry", registry, "--python", py, "--tsan-suppressions", "x.supp"}, "--tsan-suppressions needs --tsan"},
		{[]string{"survey", "--registry", registry, "--python", py, "--shard", "3/3"}, "--shard"},
	} {
		res := runMain(t, nil, tt.args...)
		if res.code != ExitError || !strings.Contains(res.stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", tt.args, res.code, res.stderr, tt.want)
		}
	}
}

// TestSurveyShardsMerge runs the test registry as 3 shards in separate
// processes, merges them, and compares with the unsharded survey: the same
// packages and categories, shards balanced within one package.
func TestSurveyShardsMerge(t *testing.T) {
	t.Parallel()
	py := testenv.Python3(t)
	ctx, cancel := context.WithTimeout(t.Context(), 4*time.Minute)
	defer cancel()
	work := t.TempDir()
	registry, _ := filepath.Abs(filepath.Join("..", "survey", "testdata", "registry"))
	// racy's verdict varies from run to run: the others are compared.
	common := []string{"survey", "--registry", registry, "--python", py, "-n", "1", "--run-id", "sv",
		"--packages", "clean,pure,badinstall,broken,unreachable,skipped", "--venvs-dir", filepath.Join(work, "venvs")}
	results3 := make([]result, 3)
	done := make(chan int)
	for i := range 3 {
		go func() {
			args := append(slices.Clone(common), "--shard", fmt.Sprintf("%d/3", i), "--results-dir", filepath.Join(work, "shards"),
				"--repos-dir", filepath.Join(work, fmt.Sprintf("repos-%d", i)))
			results3[i] = runBin(t, ctx, work, nil, args...)
			done <- i
		}()
	}
	for range 3 {
		<-done
	}
	sizes := []int{}
	for i, r := range results3 {
		if r.code != ExitOK {
			t.Fatalf("shard %d: exit %d\n%s", i, r.code, r.stderr)
		}
		var meta struct {
			Survey struct {
				Packages []string `json:"packages"`
			} `json:"survey"`
		}
		b, err := os.ReadFile(filepath.Join(work, "shards", fmt.Sprintf("sv-shard-%d-of-3", i), "meta.json"))
		if err != nil || json.Unmarshal(b, &meta) != nil {
			t.Fatalf("shard %d meta: %v", i, err)
		}
		sizes = append(sizes, len(meta.Survey.Packages))
	}
	if slices.Max(sizes)-slices.Min(sizes) > 1 || sizes[0]+sizes[1]+sizes[2] != 6 {
		t.Errorf("shard sizes %v", sizes)
	}
	merged := filepath.Join(work, "merged")
	args := []string{"merge", "-o", merged}
	for i := range 3 {
		args = append(args, filepath.Join(work, "shards", fmt.Sprintf("sv-shard-%d-of-3", i)))
	}
	if res := runMain(t, nil, args...); res.code != ExitOK || !strings.Contains(res.stdout, "5 packages from 3 runs") {
		t.Fatalf("merge: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	whole := runBin(t, ctx, work, nil, append(slices.Clone(common), "--results-dir", filepath.Join(work, "whole"),
		"--repos-dir", filepath.Join(work, "repos-whole"))...)
	if whole.code != ExitOK {
		t.Fatalf("unsharded: exit %d\n%s", whole.code, whole.stderr)
	}
	categories := func(dir string) map[string]string {
		b, err := os.ReadFile(filepath.Join(dir, "results.jsonl"))
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		for line := range strings.Lines(string(b)) {
			var r struct{ Package, Category string }
			if json.Unmarshal([]byte(line), &r) == nil {
				m[r.Package] = r.Category
			}
		}
		return m
	}
	got, want := categories(merged), categories(filepath.Join(work, "whole", "sv"))
	if len(want) != 5 || !maps.Equal(got, want) {
		t.Errorf("merged %v, unsharded %v", got, want)
	}
}

// TestSurveyResume: an interrupted survey continues with its own settings
// and runs only the packages without a verdict.
func TestSurveyResume(t *testing.T) {
	t.Parallel()
	py := testenv.Python3(t)
	work := t.TempDir()
	registry := filepath.Join("..", "survey", "testdata", "registry")
	res := runMain(t, nil, "survey", "--registry", registry, "--python", py, "--packages", "pure,badinstall", "-n", "1",
		"--repos-dir", filepath.Join(work, "repos"), "--venvs-dir", filepath.Join(work, "venvs"),
		"--results-dir", filepath.Join(work, "results"), "--run-id", "r1")
	if res.code != ExitOK {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}
	run := filepath.Join(work, "results", "r1")
	// Interrupt it after its first package: drop the second verdict.
	b, _ := os.ReadFile(filepath.Join(run, "results.jsonl"))
	lines := strings.SplitAfter(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], `"package":"pure"`) {
		t.Fatalf("results.jsonl: %q", lines)
	}
	os.WriteFile(filepath.Join(run, "results.jsonl"), []byte(lines[0]), 0o644)
	meta, _ := os.ReadFile(filepath.Join(run, "meta.json"))
	os.WriteFile(filepath.Join(run, "meta.json"), []byte(strings.Replace(string(meta), `"status": "finished"`, `"status": "interrupted"`, 1)), 0o644)
	pureLog := filepath.Join(run, "iterations", "pure", "setup-0", "setup.log")
	before, _ := os.Stat(pureLog)

	res = runMain(t, nil, "survey", "--resume", run)
	if res.code != ExitOK || !strings.Contains(res.stderr, "resuming") || !strings.Contains(res.stderr, "1 of 2 packages done") ||
		!strings.Contains(res.stderr, "[1/1] badinstall: install_failure") || strings.Contains(res.stderr, "pure:") {
		t.Fatalf("resume: exit %d\n%s", res.code, res.stderr)
	}
	if after, err := os.Stat(pureLog); err != nil || !after.ModTime().Equal(before.ModTime()) {
		t.Errorf("the finished package ran again: %v", err)
	}
	show := runMain(t, nil, "show", run)
	if !strings.Contains(show.stdout, "2 packages: 1 compatible, 1 install_failure") || !strings.Contains(show.stdout, "run r1 [finished]") {
		t.Errorf("after resume:\n%s", show.stdout)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"survey", "--resume", run}, "the survey finished; nothing to continue"},
		{[]string{"survey", "--resume", run, "-n", "3"}, "give no other flag"},
		{[]string{"survey", "--resume", filepath.Join(work, "none")}, "no such run directory"},
	} {
		if res := runMain(t, nil, tt.args...); res.code != ExitError || !strings.Contains(res.stderr, tt.want) {
			t.Errorf("%v: exit %d, %q, want %q", tt.args, res.code, res.stderr, tt.want)
		}
	}
}

// TestSurveyRefuses: a results directory that cannot be written (a full
// disk, a read-only file system: /proc is read-only even for root) and an
// unstable system stop a survey before it starts, with nothing written.
func TestSurveyRefuses(t *testing.T) {
	t.Parallel()
	py := testenv.Python3(t)
	work := t.TempDir()
	registry := filepath.Join("..", "survey", "testdata", "registry")
	base := []string{"survey", "--registry", registry, "--python", py, "--packages", "pure",
		"--repos-dir", filepath.Join(work, "repos"), "--venvs-dir", filepath.Join(work, "venvs")}
	res := runMain(t, nil, append(slices.Clone(base), "--results-dir", "/proc/pyrace-results")...)
	if res.code != ExitError || !strings.Contains(res.stderr, "results directory") {
		t.Errorf("read-only results: exit %d\n%s", res.code, res.stderr)
	}
	results := filepath.Join(work, "results")
	res = runMain(t, nil, append(slices.Clone(base), "--results-dir", results, "--check-stability", "--max-load", "0.0001",
		"--min-free-memory", "100000")...)
	if res.code != ExitError || !strings.Contains(res.stderr, "--check-stability: load average") ||
		!strings.Contains(res.stderr, "GiB of memory available, below 100000.0 GiB") {
		t.Errorf("unstable: exit %d\n%s", res.code, res.stderr)
	}
	if _, err := os.Stat(results); !os.IsNotExist(err) {
		t.Errorf("a refused survey wrote %s", results)
	}
	// A passing check is recorded in meta.json.
	res = runMain(t, nil, append(slices.Clone(base), "--results-dir", results, "--run-id", "ok", "-n", "1",
		"--check-stability", "--max-load", "1000", "--min-free-memory", "0.001")...)
	meta, _ := os.ReadFile(filepath.Join(results, "ok", "meta.json"))
	if res.code != ExitOK || !strings.Contains(string(meta), `"passed": true`) || !strings.Contains(string(meta), `"max_load": 1000`) {
		t.Errorf("stable: exit %d\n%s\n%s", res.code, res.stderr, meta)
	}
}
