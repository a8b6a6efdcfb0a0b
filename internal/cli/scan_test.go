//go:build unix

package cli

import (
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// scanJSON is the part of `pyrace scan --format json` the tests read.
type scanJSON struct {
	Files    int `json:"files"`
	Findings []struct {
		RuleID     string `json:"rule_id"`
		File       string `json:"file"`
		Line       int    `json:"line"`
		Confidence string `json:"confidence"`
		Message    string `json:"message"`
	} `json:"findings"`
	Diagnostics []struct {
		Kind string `json:"kind"`
		File string `json:"file"`
		Line int    `json:"line"`
	} `json:"diagnostics"`
}

func scanJSONOf(t *testing.T, res result) scanJSON {
	t.Helper()
	var out scanJSON
	if err := json.Unmarshal([]byte(res.stdout), &out); err != nil {
		t.Fatalf("--format json: %v\n%s\nstderr:\n%s", err, res.stdout, res.stderr)
	}
	return out
}

// TestScanExamples: the racy example's seeded races are all found (its
// pyproject.toml asks for --assume-threaded), the clean one has none.
func TestScanExamples(t *testing.T) {
	t.Parallel()
	ex := examplesDir(t)
	res := runMain(t, nil, "scan", "--format", "json", filepath.Join(ex, "counters"))
	if res.code != ExitFindings {
		t.Fatalf("counters: exit %d\n%s", res.code, res.stderr)
	}
	got := map[string]bool{}
	for _, f := range scanJSONOf(t, res).Findings {
		got[filepath.Base(f.File)+":"+strconv.Itoa(f.Line)+":"+f.RuleID] = true
		if f.Confidence != "high" {
			t.Errorf("%s:%d: confidence %s under assume-threaded", f.File, f.Line, f.Confidence)
		}
	}
	for _, want := range []string{"stats.py:15:FT001", "stats.py:19:FT001", "registry.py:24:FT003", "cache.py:17:FT005"} {
		if !got[want] {
			t.Errorf("counters: seeded race %s not found; got %v", want, got)
		}
	}
	res = runMain(t, nil, "scan", "--min-confidence", "low", filepath.Join(ex, "clean"))
	if res.code != 0 || !strings.Contains(res.stdout, "All checks passed!") {
		t.Errorf("clean: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
}

// writeProject writes files (path -> content) under a new directory.
func writeProject(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const racyModule = `import threading

_count = 0


def bump():
    global _count
    _count += 1
`

func TestScanExitCodesAndBadInput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		files    map[string]string
		args     []string
		code     int
		inStdout string
		inStderr string
	}{
		{"clean", map[string]string{"a.py": "x = 1\n"}, nil, 0, "All checks passed! (1 file", ""},
		{"findings", map[string]string{"a.py": racyModule}, nil, 1, "a.py:8:5: FT001 [high]", ""},
		{"exit zero", map[string]string{"a.py": racyModule}, []string{"--exit-zero"}, 0, "FT001", ""},
		{"syntax error, the rest scanned", map[string]string{"a.py": racyModule, "b.py": "def f(:\n"}, nil, 2, "a.py:8:5: FT001", ""},
		{"bad config value", map[string]string{"a.py": "x = 1\n", "pyproject.toml": "[tool.pyrace]\nmin-confidence = \"hi\"\n"}, nil, 2, "",
			`pyproject.toml:2: tool.pyrace.min-confidence: "hi" is not one of high, medium, low`},
		{"unknown config key", map[string]string{"a.py": "x = 1\n", "pyproject.toml": "[tool.pyrace]\nselekt = [\"FT001\"]\n"}, nil, 2, "", "selekt"},
		{"unknown rule in config", map[string]string{"a.py": "x = 1\n", "pyproject.toml": "[tool.pyrace]\nignore = [\"FT999\"]\n"}, nil, 2, "", "FT999"},
		{"unknown rule flag", map[string]string{"a.py": "x = 1\n"}, []string{"--select", "nope"}, 2, "", `unknown rule "nope"`},
		{"bad format", map[string]string{"a.py": "x = 1\n"}, []string{"--format", "xml"}, 2, "", `--format "xml"`},
		{"unknown rule in a suppression is a warning", map[string]string{"a.py": "x = 1  # pyrace: ignore[FT999]\n"}, nil, 0, "unknown-rule", ""},
		{"config respected", map[string]string{"a.py": racyModule, "pyproject.toml": "[tool.pyrace]\nignore = [\"rmw-counter\"]\n"}, nil, 0, "All checks passed!", ""},
		{"--isolated ignores the config", map[string]string{"a.py": racyModule, "pyproject.toml": "[tool.pyrace]\nignore = [\"rmw-counter\"]\n"}, []string{"--isolated"}, 1, "FT001", ""},
		{"gitignore honoured", map[string]string{"a.py": "x = 1\n", "gen/b.py": racyModule, ".gitignore": "gen/\n"}, nil, 0, "All checks passed! (1 file", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := writeProject(t, tt.files)
			res := runMain(t, nil, append(append([]string{"scan", "--no-source"}, tt.args...), dir)...)
			if res.code != tt.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", res.code, tt.code, res.stdout, res.stderr)
			}
			if !strings.Contains(res.stdout, tt.inStdout) {
				t.Errorf("stdout lacks %q:\n%s", tt.inStdout, res.stdout)
			}
			if !strings.Contains(res.stderr, tt.inStderr) {
				t.Errorf("stderr lacks %q:\n%s", tt.inStderr, res.stderr)
			}
		})
	}
}

func TestScanFormats(t *testing.T) {
	t.Parallel()
	dir := writeProject(t, map[string]string{"pkg/a.py": racyModule})
	for _, f := range []string{"json", "sarif", "github", "junit"} {
		t.Run(f, func(t *testing.T) {
			res := runMain(t, nil, "scan", "--format", f, dir)
			if res.code != ExitFindings {
				t.Fatalf("exit %d\n%s", res.code, res.stderr)
			}
			switch f {
			case "json", "sarif":
				var v map[string]any
				if err := json.Unmarshal([]byte(res.stdout), &v); err != nil {
					t.Fatalf("not JSON: %v\n%s", err, res.stdout)
				}
				if f == "sarif" && v["version"] != "2.1.0" {
					t.Errorf("SARIF version %v", v["version"])
				}
			case "github":
				if !strings.HasPrefix(res.stdout, "::error ") || !strings.Contains(res.stdout, "title=FT001 rmw-counter") {
					t.Errorf("annotations:\n%s", res.stdout)
				}
			case "junit":
				var v struct{}
				if err := xml.Unmarshal([]byte(res.stdout), &v); err != nil {
					t.Errorf("not XML: %v\n%s", err, res.stdout)
				}
			}
		})
	}
	out := filepath.Join(t.TempDir(), "report.sarif")
	res := runMain(t, nil, "scan", "--format", "sarif", "-o", out, dir)
	data, _ := os.ReadFile(out)
	if res.code != ExitFindings || res.stdout != "" || !strings.Contains(string(data), `"ruleId": "FT001"`) {
		t.Errorf("-o: exit %d, stdout %q, file %d bytes", res.code, res.stdout, len(data))
	}
}

func TestScanBaseline(t *testing.T) {
	t.Parallel()
	dir := writeProject(t, map[string]string{"a.py": racyModule})
	baseline := filepath.Join(t.TempDir(), "baseline.json")
	res := runMain(t, nil, "scan", "--baseline", baseline, dir)
	if res.code != 0 || !strings.Contains(res.stderr, "wrote 1 findings to the baseline") {
		t.Fatalf("first run: exit %d\n%s", res.code, res.stderr)
	}
	// Unrelated lines added above: the old finding is still baselined.
	os.WriteFile(filepath.Join(dir, "a.py"), []byte("# a comment\n\n"+racyModule+"\n\ndef bump2():\n    global _count\n    _count -= 1\n"), 0o644)
	res = runMain(t, nil, "scan", "--no-source", "--baseline", baseline, dir)
	if res.code != ExitFindings || strings.Count(res.stdout, "FT001") != 1 || !strings.Contains(res.stdout, "a.py:15:5: FT001") {
		t.Errorf("second run: exit %d\n%s", res.code, res.stdout)
	}
}
