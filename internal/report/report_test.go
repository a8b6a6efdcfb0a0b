package report

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pyrace/pyrace/internal/results"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden/")

// runDir is a result directory of testdata/runs (made by
// scripts/report-testdata with real `pyrace run` executions).
func runDir(name string) string { return filepath.Join("testdata", "runs", name) }

// survey is every real run but fix-counters (the "after" side of the
// comparison): one package of each category the examples reach.
func survey() []string {
	var dirs []string
	for _, n := range []string{"ft-broken", "ft-cext", "ft-clean", "ft-counters", "ft-counters-threads", "ft-crash", "ft-deadlock"} {
		dirs = append(dirs, runDir(n))
	}
	return dirs
}

func mustLoad(t testing.TB, dirs ...string) *Set {
	t.Helper()
	set, err := Load(dirs)
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// golden compares got with testdata/golden/name, or rewrites it with
// -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/report -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test ./internal/report -update rewrites it):\n%s", name, got)
	}
}

// TestGolden renders every view of the real runs and compares them with
// the golden files.
func TestGolden(t *testing.T) {
	set := mustLoad(t, survey()...)
	doc := Build(set)
	render := map[string]func(*bytes.Buffer) error{
		"show.txt": func(b *bytes.Buffer) error { return WriteShow(b, doc, ShowOptions{}) },
		"show-pass-rate-limit.txt": func(b *bytes.Buffer) error {
			return WriteShow(b, doc, ShowOptions{Sort: SortPassRate, Limit: 3})
		},
		"flaky.txt": func(b *bytes.Buffer) error { WriteFlaky(b, doc.Flaky); return nil },
		"compat.txt": func(b *bytes.Buffer) error {
			var cs []Compat
			for _, p := range set.Packages {
				cs = append(cs, p.Compatibility())
			}
			WriteCompat(b, cs)
			return nil
		},
		"report.txt": func(b *bytes.Buffer) error { return WriteText(b, doc) },
		"report.md":  func(b *bytes.Buffer) error { return WriteMarkdown(b, doc) },
		"export.csv": func(b *bytes.Buffer) error { return WriteCSV(b, doc) },
		"export.json": func(b *bytes.Buffer) error {
			return WriteJSON(b, set)
		},
		"compare.txt": func(b *bytes.Buffer) error {
			cmp := Compare(mustLoad(t, runDir("ft-counters"), runDir("ft-crash")), mustLoad(t, runDir("fix-counters"), runDir("ft-clean")))
			WriteCompare(b, cmp, "before", "after")
			return nil
		},
	}
	for name, fn := range render {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			if err := fn(&b); err != nil {
				t.Fatal(err)
			}
			golden(t, name, b.Bytes())
		})
	}
}

// TestSummaries checks what the real runs say, category by category.
func TestSummaries(t *testing.T) {
	set := mustLoad(t, survey()...)
	got := map[string]Summary{}
	for _, p := range set.Packages {
		got[p.Name] = p.Summarize()
	}
	for _, tt := range []struct {
		pkg      string
		category results.Category
		check    func(Summary) bool
	}{
		{"clean", results.Compatible, func(s Summary) bool { return s.Passes == s.Iterations && s.Iterations == 4 && s.PassRate.High == 1 }},
		{"counters", results.Intermittent, func(s Summary) bool {
			return s.Passes > 0 && s.Passes < s.Iterations && s.FlakyTests >= 1 && s.GILBaseline == "pre-existing" && s.GILRate != nil
		}},
		{"counters-threads", results.Incompatible, func(s Summary) bool { return s.Passes == 0 && s.Threads == 4 && s.FailingTests >= 3 }},
		{"segv", results.Crash, func(s Summary) bool {
			return len(s.Crashes) == 1 && s.Crashes[0].Count == 3 && strings.Contains(s.Crashes[0].Signature, "string_at")
		}},
		{"hang", results.Deadlock, func(s Summary) bool { return s.Deadlocks == 2 && s.Passes == 0 }},
		{"cext", results.CompatibleGILFallback, func(s Summary) bool {
			return len(s.GILFallback) == 1 && s.GILFallback[0] == "cext._fast"
		}},
		{"broken", results.ImportFailure, func(s Summary) bool { return strings.Contains(s.Verdict, "cannot be imported") }},
	} {
		s, ok := got[tt.pkg]
		if !ok {
			t.Errorf("no package %s", tt.pkg)
			continue
		}
		if s.Category != tt.category || s.State != Done || !tt.check(s) {
			t.Errorf("%s: %+v", tt.pkg, s)
		}
	}
}

// TestCompareRuns: the fix turns counters from intermittent into
// compatible, and its flaky tests go away; the other way round is a
// regression.
func TestCompareRuns(t *testing.T) {
	before, after := mustLoad(t, runDir("ft-counters")), mustLoad(t, runDir("fix-counters"))
	cmp := Compare(before, after)
	if cmp.Improved != 1 || cmp.Regressed != 0 || len(cmp.Changes) != 1 {
		t.Fatalf("%+v", cmp)
	}
	ch := cmp.Changes[0]
	if ch.Status != Improved || ch.Old.Category != results.Intermittent || ch.New.Category != results.Compatible ||
		len(ch.ResolvedFlaky) == 0 || len(ch.NewFlaky) != 0 || ch.PassRateDelta <= 0 {
		t.Errorf("%+v", ch)
	}
	back := Compare(after, before)
	if back.Regressed != 1 || back.Changes[0].Status != Regressed || len(back.Changes[0].NewFlaky) == 0 {
		t.Errorf("reversed: %+v", back)
	}
	// Packages on one side only are new or removed.
	cmp = Compare(mustLoad(t, runDir("ft-crash")), mustLoad(t, runDir("ft-clean")))
	if cmp.Added != 1 || cmp.Removed != 1 || cmp.Changes[0].Status != Added || cmp.Changes[1].Status != Removed {
		t.Errorf("disjoint: %+v", cmp)
	}
}

// TestNoiseBand: the same category with a pass-rate change counts only
// beyond the band both intervals allow.
func TestNoiseBand(t *testing.T) {
	for _, tt := range []struct {
		name            string
		oldPass, oldN   int
		newPass, newN   int
		wantStatus      string
		wantSignificant bool
	}{
		{"few iterations, large swing is noise", 3, 5, 1, 5, Unchanged, false},
		{"many iterations, same swing is real", 60, 100, 20, 100, Regressed, true},
		{"many iterations, better", 20, 100, 60, 100, Improved, true},
		{"tiny change with many iterations", 50, 100, 47, 100, Unchanged, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			old := packageWith("p", results.Intermittent, tt.oldPass, tt.oldN)
			nw := packageWith("p", results.Intermittent, tt.newPass, tt.newN)
			ch := comparePackage(old, nw)
			if ch.Status != tt.wantStatus || ch.Significant != tt.wantSignificant || ch.NoiseBand <= 0 {
				t.Errorf("%+v", ch)
			}
		})
	}
}

// packageWith is a package with pass of n free-threaded iterations passed.
func packageWith(name string, cat results.Category, pass, n int) *Package {
	run := &results.Run{Meta: results.Meta{RunID: "r-" + name, Status: results.Finished}}
	rec := &results.Record{Package: name, Category: cat}
	for i := 1; i <= n; i++ {
		it := results.Iteration{Package: name, Mode: results.FreeThreaded, Index: i, Outcome: results.OutcomePass,
			Tests: results.TestCounts{Passed: 1}}
		if i > pass {
			it.Outcome = results.OutcomeFail
			it.FailedTests = []results.TestResult{{ID: "t", Outcome: "failed", ExcType: "AssertionError"}}
		}
		rec.Iterations = append(rec.Iterations, it)
	}
	return &Package{Name: name, Run: run, Record: rec, Iterations: rec.Iterations}
}

func TestSeverity(t *testing.T) {
	order := []results.Category{results.Compatible, results.CompatibleGILFallback, results.TSANWarnings, results.Intermittent,
		results.Incompatible, results.Crash, results.Deadlock, results.ImportFailure, results.InstallFailure, results.Unknown}
	for i := 1; i < len(order); i++ {
		if Severity(order[i-1]) >= Severity(order[i]) {
			t.Errorf("%s is not less severe than %s", order[i-1], order[i])
		}
	}
	if Severity("") != -1 {
		t.Errorf("no verdict: %d", Severity(""))
	}
}

// TestTSANRaces: distinct TSAN signatures are counted before and after a
// verdict, and compare names the races that appeared and went away.
func TestTSANRaces(t *testing.T) {
	withRaces := func(sigs ...string) *Package {
		p := packageWith("p", results.TSANWarnings, 2, 2)
		for i, sig := range sigs {
			p.Iterations[i%2].TSAN = append(p.Iterations[i%2].TSAN, results.TSANReport{Kind: "data race", Signature: sig, Count: 1})
		}
		p.Record.TSAN = nil
		for _, it := range p.Iterations {
			p.Record.TSAN = append(p.Record.TSAN, it.TSAN...)
		}
		return p
	}
	old := withRaces("data race: a (x.c) | b (y.c)", "data race: c (z.c) | c (z.c)")
	running := *old
	running.Record = nil // before the verdict: counted from the iterations, once per signature
	dup := withRaces("data race: a (x.c) | b (y.c)", "data race: a (x.c) | b (y.c)")
	dup.Record = nil
	if n := old.Summarize().TSANRaces; n != 2 {
		t.Errorf("record: %d races", n)
	}
	if n := running.Summarize().TSANRaces; n != 2 {
		t.Errorf("iterations: %d races", n)
	}
	if n := dup.Summarize().TSANRaces; n != 1 {
		t.Errorf("a race seen twice: %d races", n)
	}
	ch := comparePackage(old, withRaces("data race: a (x.c) | b (y.c)", "data race: d (w.c) | e (w.c)"))
	if len(ch.NewRaces) != 1 || ch.NewRaces[0] != "data race: d (w.c) | e (w.c)" ||
		len(ch.ResolvedRaces) != 1 || ch.ResolvedRaces[0] != "data race: c (z.c) | c (z.c)" {
		t.Errorf("%+v", ch)
	}
}
