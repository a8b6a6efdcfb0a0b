package report

import (
	"testing"

	"github.com/pyrace/pyrace/internal/results"
)

// iter builds a free-threaded iteration: outcome, and the failing tests
// (for a fail) or the crash signature (for a crash).
func iter(i int, outcome results.Outcome, detail ...string) results.Iteration {
	it := results.Iteration{Mode: results.FreeThreaded, Index: i, Outcome: outcome, Tests: results.TestCounts{Passed: 3}}
	switch outcome {
	case results.OutcomeFail:
		for _, id := range detail {
			it.FailedTests = append(it.FailedTests, results.TestResult{ID: id, Outcome: "failed", ExcType: "AssertionError", Message: "boom " + id})
			it.Tests.Failed++
		}
	case results.OutcomeCrash:
		it.Tests = results.TestCounts{}
		if len(detail) > 0 {
			it.CrashSignature = detail[0]
		}
		it.Signal = "SIGSEGV"
	case results.OutcomeDeadlock, results.OutcomeTimeout:
		it.Tests = results.TestCounts{}
	}
	return it
}

func pkgOf(iters ...results.Iteration) *Package {
	return &Package{Name: "p", Run: &results.Run{Meta: results.Meta{Status: results.Finished}}, Iterations: iters}
}

func TestPatterns(t *testing.T) {
	pass, fail, crash := results.OutcomePass, results.OutcomeFail, results.OutcomeCrash
	for _, tt := range []struct {
		name  string
		iters []results.Iteration
		want  string
		marks string
	}{
		{"nothing failed", []results.Iteration{iter(1, pass), iter(2, pass)}, PatternNone, ".."},
		{"one test every time", []results.Iteration{iter(1, fail, "a"), iter(2, pass), iter(3, fail, "a", "b")}, PatternConsistentTest, "F.F"},
		{"different tests", []results.Iteration{iter(1, fail, "a"), iter(2, fail, "b"), iter(3, pass)}, PatternRandomTests, "FF."},
		{"one crash signature", []results.Iteration{iter(1, crash, "f < g"), iter(2, crash, "f < g"), iter(3, pass)}, PatternConsistentCrash, "CC."},
		{"two crash signatures", []results.Iteration{iter(1, crash, "f < g"), iter(2, crash, "h < i")}, PatternVariedCrash, "CC"},
		{"stalls", []results.Iteration{iter(1, results.OutcomeDeadlock), iter(2, results.OutcomeTimeout)}, PatternStalls, "DT"},
		{"failed without a test", []results.Iteration{iter(1, fail), iter(2, fail)}, PatternUnattributed, "FF"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			fl := pkgOf(tt.iters...).AnalyzeFlakiness()
			if fl.Pattern != tt.want || fl.Outcomes != tt.marks {
				t.Errorf("pattern %q, outcomes %q; want %q, %q", fl.Pattern, fl.Outcomes, tt.want, tt.marks)
			}
		})
	}
}

func TestTestHistories(t *testing.T) {
	pass, fail := results.OutcomePass, results.OutcomeFail
	iters := []results.Iteration{
		iter(1, fail, "a"), iter(2, fail, "a"), iter(3, pass), iter(4, results.OutcomeCrash, "x"),
		iter(5, fail, "a", "b"), iter(6, pass), iter(7, pass), iter(8, pass),
	}
	hs := TestHistories(iters)
	if len(hs) != 2 {
		t.Fatalf("%+v", hs)
	}
	a, b := hs[0], hs[1]
	if a.ID != "a" || a.Marks != "FF.CF..." || a.Failures != 3 || a.Ran != 7 || a.LongestFail != 2 || a.LongestPass != 3 ||
		a.ExcTypes["AssertionError"] != 3 || len(a.Messages) != 1 || !a.Flaky() {
		t.Errorf("a: %+v", a)
	}
	if b.ID != "b" || b.Marks != "...CF..." || b.Failures != 1 || b.LongestFail != 1 || !b.Flaky() {
		t.Errorf("b: %+v", b)
	}
	// A test that failed every time it ran is not flaky.
	always := TestHistories([]results.Iteration{iter(1, fail, "c"), iter(2, fail, "c")})
	if always[0].Flaky() || always[0].Marks != "FF" {
		t.Errorf("always: %+v", always[0])
	}
}
