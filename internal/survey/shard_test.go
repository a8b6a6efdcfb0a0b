package survey

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pyrace/pyrace/internal/results"
)

func TestParseShard(t *testing.T) {
	for _, tt := range []struct {
		in        string
		idx, n    int
		wantError bool
	}{
		{"0/3", 0, 3, false}, {"2/3", 2, 3, false}, {"0/1", 0, 1, false},
		{"3/3", 0, 0, true}, {"-1/3", 0, 0, true}, {"1/0", 0, 0, true}, {"1", 0, 0, true}, {"a/b", 0, 0, true}, {"", 0, 0, true},
	} {
		i, n, err := ParseShard(tt.in)
		if (err != nil) != tt.wantError || !tt.wantError && (i != tt.idx || n != tt.n) {
			t.Errorf("%q: %d/%d, %v", tt.in, i, n, err)
		}
	}
}

func names(pkgs []Package) []string {
	var out []string
	for _, p := range pkgs {
		out = append(out, p.Name)
	}
	return out
}

func packagesNamed(n int) []Package {
	var pkgs []Package
	for i := range n {
		pkgs = append(pkgs, Package{Name: fmt.Sprintf("pkg-%02d", i)})
	}
	return pkgs
}

// TestShardByName: every package in exactly one shard, shards within one
// package of each other, the same answer every time, the registry's order
// kept.
func TestShardByName(t *testing.T) {
	pkgs := packagesNamed(23)
	for n := 1; n <= 6; n++ {
		var all []string
		sizes := map[int]int{}
		for i := range n {
			got := Shard(pkgs, i, n, nil)
			if !reflect.DeepEqual(got, Shard(pkgs, i, n, nil)) {
				t.Fatalf("%d/%d is not deterministic", i, n)
			}
			if !slices.IsSortedFunc(got, func(a, b Package) int { return strings.Compare(a.Name, b.Name) }) {
				t.Errorf("%d/%d does not keep the order: %v", i, n, names(got))
			}
			sizes[i] = len(got)
			all = append(all, names(got)...)
		}
		slices.Sort(all)
		if !slices.Equal(all, names(pkgs)) {
			t.Fatalf("%d shards: %v", n, all)
		}
		lo, hi := math.MaxInt, 0
		for _, s := range sizes {
			lo, hi = min(lo, s), max(hi, s)
		}
		if hi-lo > 1 {
			t.Errorf("%d shards: sizes %v", n, sizes)
		}
	}
}

// TestShardByCost: the greedy placement keeps the shards' costs within the
// largest package's cost of each other, and unknown packages count as the
// median.
func TestShardByCost(t *testing.T) {
	pkgs := packagesNamed(12)
	costs := map[string]float64{}
	for i, p := range pkgs[:10] { // two packages without a cost
		costs[p.Name] = float64((i*37)%50 + 1)
	}
	known := func(name string) float64 {
		if c, ok := costs[name]; ok {
			return c
		}
		return median(costs)
	}
	loads := make([]float64, 3)
	var all []string
	for i := range 3 {
		for _, p := range Shard(pkgs, i, 3, costs) {
			loads[i] += known(p.Name)
			all = append(all, p.Name)
		}
	}
	slices.Sort(all)
	if !slices.Equal(all, names(pkgs)) {
		t.Fatalf("%v", all)
	}
	if spread := slices.Max(loads) - slices.Min(loads); spread > 50 {
		t.Errorf("loads %v", loads)
	}
	// One expensive package gets a shard of its own.
	skewed := map[string]float64{"pkg-00": 1000}
	for _, p := range pkgs[1:] {
		skewed[p.Name] = 1
	}
	if got := Shard(pkgs, 0, 2, skewed); len(got) != 1 || got[0].Name != "pkg-00" {
		t.Errorf("skewed: %v", names(got))
	}
}

func TestCosts(t *testing.T) {
	w, err := results.Create(t.TempDir(), "prev", results.Meta{Started: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	w.AppendRecord(results.Record{SchemaVersion: 1, Package: "a", Iterations: []results.Iteration{{Duration: 2}, {Duration: 3.5}}})
	w.AppendRecord(results.Record{SchemaVersion: 1, Package: "b", Iterations: []results.Iteration{{Duration: 1}}})
	w.Finish(results.Finished, time.Now())
	costs, err := Costs([]string{w.Dir()})
	if err != nil || costs["a"] != 5.5 || costs["b"] != 1 {
		t.Errorf("%v %v", costs, err)
	}
	if _, err := Costs([]string{filepath.Join(t.TempDir(), "none")}); err == nil {
		t.Error("no error for a missing run")
	}
}

// shardRun writes a finished survey shard with one record per package.
func shardRun(t *testing.T, root, id string, shard, shards int, py results.Interpreter, started time.Time, pkgs ...string) string {
	t.Helper()
	runID := fmt.Sprintf("%s-shard-%d-of-%d", id, shard, shards)
	w, err := results.Create(root, runID, results.Meta{Interpreter: py, Started: started,
		Survey: &results.SurveyInfo{ID: id, Shard: shard, Shards: shards, Packages: pkgs}})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pkgs {
		it := results.Iteration{SchemaVersion: 1, Package: p, Mode: results.FreeThreaded, Index: 1, Outcome: results.OutcomePass}
		abs, rel, err := w.IterationDir(p, results.FreeThreaded, 1)
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(abs, "stdout.txt"), []byte("ok from "+runID), 0o644)
		it.LogDir = rel
		w.AppendIteration(it)
		w.AppendRecord(results.Record{SchemaVersion: 1, RunID: runID, Package: p, Category: results.Compatible,
			Iterations: []results.Iteration{it}, Verdict: "from " + runID})
	}
	if err := w.Finish(results.Finished, started.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	return w.Dir()
}

func TestMerge(t *testing.T) {
	root := t.TempDir()
	py := results.Interpreter{Implementation: "cpython", Version: "3.14.0", FreeThreaded: true}
	t0 := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	s0 := shardRun(t, root, "sv", 0, 3, py, t0, "a", "b")
	s1 := shardRun(t, root, "sv", 1, 3, py, t0.Add(time.Second), "c")
	s2 := shardRun(t, root, "sv", 2, 3, py, t0.Add(2*time.Second), "d", "e")
	out := filepath.Join(root, "merged", "sv")
	res, err := Merge([]string{s0, s1, s2}, out, DuplicateError)
	if err != nil || res.Packages != 5 || len(res.Warnings) != 0 {
		t.Fatalf("%+v %v", res, err)
	}
	run, err := results.ReadRun(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(run.Records) != 5 || len(run.Iterations) != 5 || run.Meta.RunID != "sv" || run.Meta.Status != results.Finished ||
		run.Meta.Survey.Shards != 1 || !run.Meta.Started.Equal(t0) || !slices.Equal(run.Meta.Survey.Packages, []string{"a", "b", "c", "d", "e"}) {
		t.Errorf("merged meta %+v, %d records", run.Meta, len(run.Records))
	}
	for _, r := range run.Records {
		if r.RunID != "sv" {
			t.Errorf("record %s has run id %s", r.Package, r.RunID)
		}
	}
	if b, err := os.ReadFile(filepath.Join(out, "iterations", "d", "free_threaded-1", "stdout.txt")); err != nil || string(b) != "ok from sv-shard-2-of-3" {
		t.Errorf("iteration files: %q %v", b, err)
	}

	// A missing shard is a warning.
	res, err = Merge([]string{s0, s2}, filepath.Join(root, "partial"), DuplicateError)
	if err != nil || len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "shard 1 of 3 is missing") {
		t.Errorf("partial: %+v %v", res, err)
	}

	// Duplicates: an error unless a policy says which to keep.
	dup := shardRun(t, filepath.Join(root, "again"), "sv", 1, 3, py, t0.Add(time.Hour), "c", "a")
	if _, err := Merge([]string{s0, dup, s2}, filepath.Join(root, "dup"), DuplicateError); err == nil ||
		!strings.Contains(err.Error(), "packages in two shards: a (in ") || !strings.Contains(err.Error(), "--on-duplicate") {
		t.Errorf("duplicate: %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, "dup")); !os.IsNotExist(err) {
		t.Errorf("a failed merge left %s: %v", filepath.Join(root, "dup"), err)
	}
	for policy, want := range map[string]string{DuplicateFirst: "from sv-shard-0-of-3", DuplicateLatest: "from sv-shard-1-of-3"} {
		out := filepath.Join(root, "dup-"+policy)
		res, err := Merge([]string{s0, dup, s2}, out, policy)
		if err != nil || len(res.Warnings) != 1 {
			t.Fatalf("%s: %+v %v", policy, res, err)
		}
		run, _ := results.ReadRun(out)
		for _, r := range run.Records {
			if r.Package == "a" && r.Verdict != want {
				t.Errorf("%s kept %q", policy, r.Verdict)
			}
		}
	}

	// Runs that are not shards of one survey.
	other := shardRun(t, filepath.Join(root, "o"), "other", 1, 3, py, t0, "x")
	py2 := py
	py2.Version = "3.15.0a1"
	newer := shardRun(t, filepath.Join(root, "n"), "sv", 1, 3, py2, t0, "x")
	fewer := shardRun(t, filepath.Join(root, "f"), "sv", 1, 2, py, t0, "x")
	plain, _ := results.Create(filepath.Join(root, "p"), "plain", results.Meta{Started: t0})
	plain.Finish(results.Finished, t0)
	for _, tt := range []struct {
		dirs []string
		out  string
		want string
	}{
		{[]string{s0, other}, filepath.Join(root, "x1"), `is survey "other"`},
		{[]string{s0, newer}, filepath.Join(root, "x2"), "ran cpython 3.15.0a1"},
		{[]string{s0, fewer}, filepath.Join(root, "x3"), "has 2 shards"},
		{[]string{s0, s0}, filepath.Join(root, "x4"), "are both shard 0 of 3"},
		{[]string{s0, plain.Dir()}, filepath.Join(root, "x5"), "not a survey run"},
		{[]string{s0}, out, "already exists"},
		{[]string{s0}, filepath.Join("/proc", "pyrace-merge"), "merging into /proc/pyrace-merge"},
	} {
		if _, err := Merge(tt.dirs, tt.out, DuplicateError); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: %v, want %q", tt.dirs, err, tt.want)
		}
	}
	if _, err := Merge([]string{s0}, filepath.Join(root, "y"), "newest"); err == nil || !strings.Contains(err.Error(), `"newest"`) {
		t.Errorf("bad policy: %v", err)
	}
}

func TestCheckStability(t *testing.T) {
	sys := results.System{CPUs: 4, LoadAverage: [3]float64{3.5, 2, 1}, MemoryFree: 3 << 30}
	if c := CheckStability(sys, 4, 2<<30); !c.Passed || len(c.Problems) != 0 || c.Load != 3.5 {
		t.Errorf("%+v", c)
	}
	c := CheckStability(sys, 2, 4<<30)
	if c.Passed || len(c.Problems) != 2 || !strings.Contains(c.Problems[0], "load average 3.50 is above 2.00") ||
		!strings.Contains(c.Problems[1], "3.0 GiB of memory available, below 4.0 GiB") {
		t.Errorf("%+v", c)
	}
}
