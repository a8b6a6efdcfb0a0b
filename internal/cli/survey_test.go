package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

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
	} {
		res := runMain(t, nil, tt.args...)
		if res.code != ExitError || !strings.Contains(res.stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", tt.args, res.code, res.stderr, tt.want)
		}
	}
}
