package harness

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pyrace/pyrace/internal/results"
)

// iters makes free-threaded iterations with the given outcomes.
func iters(outcomes ...results.Outcome) []results.Iteration {
	var its []results.Iteration
	for i, o := range outcomes {
		code := 0
		if o != results.OutcomePass {
			code = 1
		}
		it := results.Iteration{Mode: results.FreeThreaded, Index: i + 1, Outcome: o, ExitCode: &code,
			Tests: results.TestCounts{Passed: 3}}
		if o == results.OutcomeCrash {
			it.CrashSignature = "Segmentation fault at f (a.py:1)"
		}
		its = append(its, it)
	}
	return its
}

func TestBuildRecordCategories(t *testing.T) {
	pass, fail, crash, dead := results.OutcomePass, results.OutcomeFail, results.OutcomeCrash, results.OutcomeDeadlock
	withTSAN := iters(pass, pass)
	withTSAN[1].TSAN = []results.TSANReport{{Kind: "data race", Signature: "data race: a (a.c) | b (b.c)", Count: 1}}
	withGILWarning := iters(pass)
	withGILWarning[0].GILEnabledBy = []results.GILEnabler{{Module: "ext._c"}}
	five := 5
	noTests := []results.Iteration{{Mode: results.FreeThreaded, Index: 1, Outcome: fail, ExitCode: &five}}
	tests := []struct {
		name string
		in   verdictInput
		want results.Category
		text string
	}{
		{"nothing ran", verdictInput{}, results.Unknown, "unknown: no iteration completed"},
		{"no tests", verdictInput{Iterations: noTests}, results.Unknown, "no tests ran"},
		{"import failure first", verdictInput{Iterations: iters(dead), GIL: &results.GILCheck{Probed: true, ImportName: "pkg",
			ImportErrors: []string{"pkg: ImportError: no _speedups"}}}, results.ImportFailure, "pkg cannot be imported"},
		{"a submodule's import error is not an import failure", verdictInput{Iterations: iters(pass), GIL: &results.GILCheck{Probed: true, ImportName: "pkg",
			ImportErrors: []string{"pkg.extra: ImportError: optional"}}}, results.Compatible, "compatible: 1/1"},
		{"deadlock beats crash", verdictInput{Iterations: iters(crash, dead, pass)}, results.Deadlock, "deadlock: 1/3 iterations stalled"},
		{"livelock is a deadlock category", verdictInput{Iterations: iters(results.OutcomeLivelock, pass)}, results.Deadlock, "deadlock: 1/2"},
		{"crash", verdictInput{Iterations: iters(crash, pass, crash)}, results.Crash, "crash: 2/3 iterations crashed (1 distinct signature)"},
		{"tsan", verdictInput{Iterations: withTSAN}, results.TSANWarnings, "1 distinct race"},
		{"gil fallback from the run", verdictInput{Iterations: withGILWarning}, results.CompatibleGILFallback, "ext._c re-enabled the GIL"},
		{"compatible", verdictInput{Iterations: iters(pass, pass, pass)}, results.Compatible, "compatible: 3/3 iterations passed"},
		{"incompatible", verdictInput{Iterations: iters(fail, fail)}, results.Incompatible, "incompatible: all 2 iterations failed"},
		{"timeouts count as failures", verdictInput{Iterations: iters(results.OutcomeTimeout, pass)}, results.Intermittent, "intermittent: 1/2"},
		{"intermittent", verdictInput{Iterations: iters(fail, pass, pass, fail)}, results.Intermittent, "intermittent: 2/4 iterations failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := buildRecord(tt.in)
			if rec.Category != tt.want || !strings.Contains(rec.Verdict, tt.text) {
				t.Errorf("%s: %q; want %s containing %q", rec.Category, rec.Verdict, tt.want, tt.text)
			}
		})
	}
}

func TestBuildRecordEvidenceIsBounded(t *testing.T) {
	var its []results.Iteration
	for i := range 40 {
		it := iters(results.OutcomeDeadlock)[0]
		it.Index = i + 1
		it.FailedTests = []results.TestResult{{ID: fmt.Sprintf("t::test_%02d", i), Outcome: "failed", ExcType: "AssertionError"}}
		its = append(its, it)
	}
	rec := buildRecord(verdictInput{Iterations: its})
	if len(rec.Evidence) > 2*maxEvidenceItems+4 {
		t.Errorf("%d evidence lines:\n%s", len(rec.Evidence), strings.Join(rec.Evidence, "\n"))
	}
	if len(rec.Tests) != 40 || len(rec.Iterations) != 40 {
		t.Errorf("the record lost data: %d tests, %d iterations", len(rec.Tests), len(rec.Iterations))
	}
	joined := strings.Join(rec.Evidence, "\n")
	for _, want := range []string{"... and 35 more stalled iterations", "... and 35 more failing tests"} {
		if !strings.Contains(joined, want) {
			t.Errorf("evidence lacks %q:\n%s", want, joined)
		}
	}
}

func TestRateEvidence(t *testing.T) {
	for _, tt := range []struct {
		k, n int
		want string
	}{
		{0, 10, "0/10 iterations failed: failure rate < 26% at 95% confidence"},
		{3, 10, "3/10 iterations failed: failure rate 30% (95% interval 11%–60%)"},
		{1, 1000, "1/1000 iterations failed: failure rate 0.1% (95% interval 0.0%–0.6%)"},
	} {
		if got := rateEvidence(results.NewRate(tt.k, tt.n)); got != tt.want {
			t.Errorf("rateEvidence(%d/%d) = %q, want %q", tt.k, tt.n, got, tt.want)
		}
	}
}
