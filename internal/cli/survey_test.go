package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
