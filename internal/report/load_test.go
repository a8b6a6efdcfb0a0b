package report

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pyrace/pyrace/internal/results"
)

// newRun writes a run directory with results.Writer, as the harness does:
// for each package, its iterations (outcomes in order) and, when done, its
// record.
func newRun(t testing.TB, root, id string, finish bool, pkgs map[string][]results.Outcome) string {
	t.Helper()
	w, err := results.Create(root, id, results.Meta{Started: time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC),
		Interpreter: results.Interpreter{Implementation: "cpython", Version: "3.14.0", FreeThreaded: true},
		System:      results.System{Hostname: "host", OS: "linux", Arch: "amd64", CPUs: 2}})
	if err != nil {
		t.Fatal(err)
	}
	for name, outs := range pkgs {
		rec := results.Record{SchemaVersion: results.SchemaVersion, RunID: id, Package: name, Category: results.Compatible}
		fails := 0
		for i, o := range outs {
			it := iter(i+1, o, "tests/test_x.py::test_"+name)
			it.SchemaVersion, it.Package = results.SchemaVersion, name
			if err := w.AppendIteration(it); err != nil {
				t.Fatal(err)
			}
			rec.Iterations = append(rec.Iterations, it)
			if o != results.OutcomePass {
				fails++
			}
		}
		switch {
		case fails == len(outs) && fails > 0:
			rec.Category = results.Incompatible
		case fails > 0:
			rec.Category = results.Intermittent
		}
		rec.Rate = results.NewRate(fails, len(outs))
		rec.Verdict = fmt.Sprintf("%s: %d/%d failed", rec.Category, fails, len(outs))
		if finish {
			if err := w.AppendRecord(rec); err != nil {
				t.Fatal(err)
			}
		}
	}
	if finish {
		err = w.Finish(results.Finished, time.Date(2026, 11, 22, 10, 5, 0, 0, time.UTC))
	} else {
		err = w.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(root, id)
}

func TestEdgeCases(t *testing.T) {
	root := t.TempDir()
	pass, fail := results.OutcomePass, results.OutcomeFail

	// An empty run: started, nothing recorded yet.
	empty := newRun(t, root, "empty", false, nil)
	set := mustLoad(t, empty)
	var b bytes.Buffer
	if err := WriteShow(&b, Build(set), ShowOptions{}); err != nil || !strings.Contains(b.String(), "run empty [running]") ||
		!strings.Contains(b.String(), "no packages yet") {
		t.Errorf("empty run: %v\n%s", err, b.String())
	}

	// A survey that has no verdict yet shows no package: it has none of
	// its own.
	sw, err := results.Create(root, "survey-empty", results.Meta{Config: results.Config{Package: "survey of /registry"},
		Survey: &results.SurveyInfo{ID: "survey-empty", Shards: 1}})
	if err != nil {
		t.Fatal(err)
	}
	sw.Close()
	if set := mustLoad(t, sw.Dir()); len(set.Packages) != 0 {
		t.Errorf("empty survey: %d packages", len(set.Packages))
	}

	// An interrupted run whose last iteration line is torn: the complete
	// lines count, the package shows without a verdict.
	torn := newRun(t, root, "torn", false, map[string][]results.Outcome{"half": {pass, fail, pass}})
	f, err := os.OpenFile(filepath.Join(torn, results.IterationsFile), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"schema_version":1,"package":"half","mode":"free_thr`)
	f.Close()
	set = mustLoad(t, torn)
	if len(set.Warnings) != 1 || !strings.Contains(set.Warnings[0], "torn last line") {
		t.Errorf("warnings %q", set.Warnings)
	}
	if len(set.Packages) != 1 {
		t.Fatalf("%d packages", len(set.Packages))
	}
	s := set.Packages[0].Summarize()
	if s.State != Running || s.Iterations != 3 || s.Passes != 2 || s.Category != "" || s.CategoryText() != "(running)" {
		t.Errorf("torn: %+v", s)
	}

	// One package only, finished.
	one := newRun(t, root, "one", true, map[string][]results.Outcome{"solo": {pass, pass}})
	doc := Build(mustLoad(t, one))
	if len(doc.Packages) != 1 || doc.Packages[0].Category != results.Compatible || len(doc.Categories) != 1 {
		t.Errorf("one: %+v", doc)
	}

	// Shards of one survey merge; a package in two runs comes from the
	// later one, with a warning.
	shards := filepath.Join(root, "shards")
	newRun(t, shards, "s0", true, map[string][]results.Outcome{"a": {pass}, "b": {fail}})
	newRun(t, shards, "s1", true, map[string][]results.Outcome{"c": {pass}, "b": {pass}})
	set = mustLoad(t, shards)
	if len(set.Runs) != 2 || len(set.Packages) != 3 || len(set.Warnings) != 1 {
		t.Fatalf("shards: %d runs, %d packages, %q", len(set.Runs), len(set.Packages), set.Warnings)
	}
}

// TestHostileStrings: test ids and messages with markup, escapes and
// unicode stay text in every format.
func TestHostileStrings(t *testing.T) {
	root := t.TempDir()
	dir := newRun(t, root, "hostile", true, map[string][]results.Outcome{
		"<script>alert(1)</script>":    {results.OutcomePass, results.OutcomeFail},
		"tést_ünïcode_日本|a\x1b[31mred": {results.OutcomeFail},
	})
	doc := Build(mustLoad(t, dir))
	var text, mdown bytes.Buffer
	if err := WriteText(&text, doc); err != nil {
		t.Fatal(err)
	}
	if err := WriteMarkdown(&mdown, doc); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(text.String(), "\x1b") || !strings.Contains(text.String(), `tést_ünïcode_日本|a\x1b[31mred`) {
		t.Errorf("text keeps an escape byte or loses the unicode:\n%s", text.String())
	}
	if strings.Contains(mdown.String(), "<script>") || !strings.Contains(mdown.String(), "&lt;script&gt;alert(1)&lt;/script&gt;") ||
		!strings.Contains(mdown.String(), `tést\_ünïcode\_日本\|a`) {
		t.Errorf("markdown does not escape:\n%s", mdown.String())
	}
	var c bytes.Buffer
	if err := WriteCSV(&c, doc); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&c).ReadAll()
	if err != nil || len(rows) != 3 || rows[2][1] != "<script>alert(1)</script>" {
		t.Errorf("csv: %v %q", err, rows)
	}
}

func TestCSV(t *testing.T) {
	var b bytes.Buffer
	if err := WriteCSV(&b, Build(mustLoad(t, survey()...))); err != nil {
		t.Fatal(err)
	}
	r := csv.NewReader(&b)
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	cols := CSVColumns()
	if len(rows) != 8 || strings.Join(rows[0], ",") != strings.Join(cols, ",") {
		t.Fatalf("%d rows, header %q", len(rows), rows[0])
	}
	col := map[string]int{}
	for i, c := range cols {
		col[c] = i
	}
	byPkg := map[string][]string{}
	for _, row := range rows[1:] {
		if len(row) != len(cols) {
			t.Fatalf("row %q", row)
		}
		byPkg[row[col["package"]]] = row
	}
	if r := byPkg["segv"]; r[col["category"]] != "crash" || r[col["crash"]] != "3" || r[col["crash_signatures"]] != "1" || r[col["pass_rate"]] != "0.0000" {
		t.Errorf("segv %q", r)
	}
	if r := byPkg["cext"]; r[col["gil_fallback_modules"]] != "cext._fast" || r[col["pass_rate"]] != "1.0000" {
		t.Errorf("cext %q", r)
	}
	if r := byPkg["counters"]; r[col["gil_baseline"]] != "pre-existing" || r[col["gil_iterations"]] != "8" {
		t.Errorf("counters %q", r)
	}
}

func TestBadInput(t *testing.T) {
	root := t.TempDir()
	notRun := filepath.Join(root, "notrun")
	os.MkdirAll(filepath.Join(notRun, "sub"), 0o755)
	newer := newRun(t, root, "newer", true, map[string][]results.Outcome{"p": {results.OutcomePass}})
	meta, _ := os.ReadFile(filepath.Join(newer, results.MetaFile))
	os.WriteFile(filepath.Join(newer, results.MetaFile), bytes.Replace(meta, []byte(`"schema_version": 1`), []byte(`"schema_version": 7`), 1), 0o644)
	unreadable := filepath.Join(root, "unreadable")
	os.MkdirAll(filepath.Join(unreadable, results.MetaFile), 0o755) // meta.json is a directory
	badLine := newRun(t, root, "badline", true, map[string][]results.Outcome{"p": {results.OutcomePass}})
	rf, _ := os.OpenFile(filepath.Join(badLine, results.ResultsFile), os.O_APPEND|os.O_WRONLY, 0)
	rf.WriteString("{not json}\n{\"schema_version\":1}\n")
	rf.Close()
	file := filepath.Join(root, "file.txt")
	os.WriteFile(file, nil, 0o644)
	for _, tt := range []struct {
		path, want string
	}{
		{notRun, "not a pyrace run directory (no meta.json), and no run directories in it"},
		{filepath.Join(root, "missing"), "no such result directory"},
		{file, "not a directory"},
		{newer, "schema version 7 is newer than this pyrace understands (1)"},
		{unreadable, "meta.json"},
		{badLine, "results.jsonl:2"},
	} {
		if _, err := Load([]string{tt.path}); err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), tt.path) {
			t.Errorf("%s: error %v, want %q", tt.path, err, tt.want)
		}
	}
}

// BenchmarkBuildAndRender1000 builds and renders a report of 1,000
// packages of 10 iterations each.
func BenchmarkBuildAndRender1000(b *testing.B) {
	root := b.TempDir()
	pkgs := map[string][]results.Outcome{}
	for i := range 1000 {
		outs := make([]results.Outcome, 10)
		for j := range outs {
			outs[j] = results.OutcomePass
			if (i+j)%7 == 0 {
				outs[j] = results.OutcomeFail
			}
		}
		pkgs[fmt.Sprintf("pkg%04d", i)] = outs
	}
	dir := newRun(b, root, "big", true, pkgs)
	b.ResetTimer()
	for b.Loop() {
		doc := Build(mustLoad(b, dir))
		var buf bytes.Buffer
		if err := WriteText(&buf, doc); err != nil {
			b.Fatal(err)
		}
		if err := WriteMarkdown(&buf, doc); err != nil {
			b.Fatal(err)
		}
	}
}
