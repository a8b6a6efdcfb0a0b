package cli

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// reportRun is a real result directory of internal/report/testdata/runs.
func reportRun(t *testing.T, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", "report", "testdata", "runs", name))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestViews runs every result view on real runs.
func TestViews(t *testing.T) {
	t.Parallel()
	counters, crash, cext, fix := reportRun(t, "ft-counters"), reportRun(t, "ft-crash"), reportRun(t, "ft-cext"), reportRun(t, "fix-counters")
	for _, tt := range []struct {
		args []string
		want []string
	}{
		{[]string{"show", counters, crash, cext}, []string{"3 packages: 1 compatible_gil_fallback, 1 intermittent, 1 crash",
			"counters  intermittent", "pre-existing (4/8 failed)", "cext._fast"}},
		{[]string{"show", "--sort", "name", "--limit", "1", counters, crash, cext}, []string{"cext ", "... and 2 more (--limit 1)"}},
		{[]string{"flaky", counters, crash}, []string{"counters: 5/8 iterations failed, pattern: consistent test",
			"segv: 3/3 iterations failed, pattern: consistent crash", "also fails with the GIL"}},
		{[]string{"flaky", "--package", "segv", counters, crash}, []string{"crash ×3: Segmentation fault at string_at"}},
		{[]string{"compat", "--extensions-only", counters, cext}, []string{"cext: GIL re-enabled", "enabled by   cext._fast",
			"opt-in       src/_safe.c:3 py_mod_gil: Py_mod_gil, Py_MOD_GIL_NOT_USED"}},
		{[]string{"compare", counters, fix}, []string{"0 regressed, 1 improved", "counters: improved", "intermittent -> compatible",
			"no longer flaky tests/test_cache.py::ConcurrentCacheTest::test_compute_called_once_per_key"}},
		{[]string{"report", "--format", "markdown", counters, crash}, []string{"# pyrace report", "| counters | intermittent |",
			"<details><summary>segv, free_threaded iteration 1: crash</summary>"}},
		{[]string{"report", counters}, []string{"== Failures", "counters: intermittent: 5/8 iterations failed"}},
		{[]string{"export", counters, crash}, []string{"run_id,package,state,category,", "ft-crash,segv,done,crash,0,3,"}},
	} {
		res := runMain(t, nil, tt.args...)
		if res.code != ExitOK {
			t.Errorf("%v: exit %d\n%s", tt.args, res.code, res.stderr)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(res.stdout, w) {
				t.Errorf("%v: output lacks %q:\n%s", tt.args, w, res.stdout)
			}
		}
	}
	// compat without --extensions-only lists the pure package too.
	if res := runMain(t, nil, "compat", counters, cext); !strings.Contains(res.stdout, "counters: GIL stays disabled") {
		t.Errorf("compat:\n%s", res.stdout)
	}
	// compare --format json is machine-readable.
	res := runMain(t, nil, "compare", "--format", "json", counters, fix)
	var cmp struct {
		Improved int `json:"improved"`
		Changes  []struct {
			Status string `json:"status"`
		} `json:"changes"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &cmp); err != nil || cmp.Improved != 1 || cmp.Changes[0].Status != "improved" {
		t.Errorf("compare json: %v\n%s", err, res.stdout)
	}
}

// TestViewsOutputFiles: -o writes the whole file or nothing.
func TestViewsOutputFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	counters := reportRun(t, "ft-counters")
	html := filepath.Join(dir, "report.html")
	if res := runMain(t, nil, "report", "--format", "html", "-o", html, counters); res.code != ExitOK || res.stdout != "" {
		t.Fatalf("report html: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	b, err := os.ReadFile(html)
	if err != nil || !strings.Contains(string(b), "<svg") || !strings.Contains(string(b), "counters") {
		t.Errorf("report.html: %v, %d bytes", err, len(b))
	}
	csvPath := filepath.Join(dir, "out.csv")
	if res := runMain(t, nil, "export", "-o", csvPath, counters, reportRun(t, "ft-clean")); res.code != ExitOK {
		t.Fatalf("export: exit %d\n%s", res.code, res.stderr)
	}
	f, err := os.Open(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil || len(rows) != 3 {
		t.Errorf("csv: %v, %d rows", err, len(rows))
	}
	jsonPath := filepath.Join(dir, "out.json")
	if res := runMain(t, nil, "export", "--format", "json", "-o", jsonPath, counters); res.code != ExitOK {
		t.Fatalf("export json: exit %d\n%s", res.code, res.stderr)
	}
	var ex struct {
		Packages []struct {
			Record struct {
				Category string `json:"category"`
			} `json:"record"`
		} `json:"packages"`
	}
	if b, err := os.ReadFile(jsonPath); err != nil || json.Unmarshal(b, &ex) != nil || len(ex.Packages) != 1 || ex.Packages[0].Record.Category != "intermittent" {
		t.Errorf("json export: %v %+v", err, ex)
	}
	// A failing export leaves no file behind: the output directory is
	// missing.
	missing := filepath.Join(dir, "no", "such", "dir", "out.csv")
	if res := runMain(t, nil, "export", "-o", missing, counters); res.code != ExitError || !strings.Contains(res.stderr, missing) {
		t.Errorf("export to a missing directory: exit %d\n%s", res.code, res.stderr)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}

func TestViewsBadInput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	notRun := filepath.Join(dir, "notrun")
	os.Mkdir(notRun, 0o755)
	newer := filepath.Join(dir, "newer")
	os.Mkdir(newer, 0o755)
	os.WriteFile(filepath.Join(newer, "meta.json"), []byte(`{"schema_version": 9, "tool": "pyrace", "run_id": "newer"}`), 0o644)
	counters := reportRun(t, "ft-counters")
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"show", notRun}, "not a pyrace run directory"},
		{[]string{"report", newer}, "schema version 9 is newer than this pyrace understands (1)"},
		{[]string{"flaky", filepath.Join(dir, "missing")}, "no such result directory"},
		{[]string{"show", "--sort", "size", counters}, `unknown order "size"`},
		{[]string{"show", "--limit", "-1", counters}, "--limit -1"},
		{[]string{"report", "--format", "pdf", counters}, `--format "pdf"`},
		{[]string{"export", "--format", "xml", counters}, `--format "xml"`},
		{[]string{"compare", counters}, "accepts 2 arg(s)"},
		{[]string{"flaky", "--package", "nope", counters}, "--package nope: no such package"},
		{[]string{"show"}, "requires at least 1 arg"},
	} {
		res := runMain(t, nil, tt.args...)
		if res.code != ExitError || !strings.Contains(res.stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", tt.args, res.code, res.stderr, tt.want)
		}
	}
}
