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

// TestBuildRecordThreaded: a --threads run's plain baseline is not counted
// in the rate, tests failing only when threaded are named, and the tests
// run single-threaded are listed with their reason.
func TestBuildRecordThreaded(t *testing.T) {
	fail := results.OutcomeFail
	racy := results.TestResult{ID: "t.py::test_racy", Outcome: "failed", ExcType: "RuntimeError",
		Message: "3 of 8 threads failed in 2 of 5 rounds: RuntimeError: dictionary changed size during iteration (at m.py:9)",
		Threads: &results.ThreadedRun{Threads: 8, Rounds: 5, FailedThreads: 3, FailedRounds: 2, Failures: 4, Calls: 40}}
	broken := results.TestResult{ID: "t.py::test_broken", Outcome: "failed", ExcType: "AssertionError"}
	unsafe := []results.ThreadUnsafeTest{{ID: "t.py::test_env", Reason: "uses the monkeypatch fixture"}}
	ft := iters(fail, fail)
	for i := range ft {
		ft[i].Threads = 8
		ft[i].FailedTests = []results.TestResult{racy, broken}
		ft[i].ThreadUnsafe = unsafe
	}
	plain := iters(fail)
	plain[0].Mode = results.Plain
	plain[0].FailedTests = []results.TestResult{broken}
	rec := buildRecord(verdictInput{Iterations: append(plain, ft...), FreeThreaded: true})

	if rec.Rate.Iterations != 2 || rec.Category != results.Incompatible {
		t.Errorf("rate %+v category %s: the plain iteration must not count", rec.Rate, rec.Category)
	}
	only := map[string]bool{}
	for _, s := range rec.Tests {
		only[s.ID] = s.OnlyThreaded
	}
	if !only["t.py::test_racy"] || only["t.py::test_broken"] {
		t.Errorf("only-threaded marks %v: want test_racy alone", only)
	}
	if len(rec.ThreadUnsafe) != 1 || rec.ThreadUnsafe[0] != unsafe[0] {
		t.Errorf("thread-unsafe tests %+v, want %+v once", rec.ThreadUnsafe, unsafe)
	}
	ev := strings.Join(rec.Evidence, "\n")
	for _, want := range []string{
		"plain run (each test once, in one thread): fail, 3/3 tests passed",
		"1 test fails only in 8 threads, passing in the plain run (races the threads provoked): t.py::test_racy",
		"test t.py::test_racy failed in 2/2 iterations (RuntimeError ×2); only when threaded; last time 3 of 8 threads failed in 2 of 5 rounds: RuntimeError: dictionary changed size during iteration (at m.py:9)",
		"test t.py::test_env ran once, single-threaded: uses the monkeypatch fixture",
	} {
		if !strings.Contains(ev, want) {
			t.Errorf("evidence lacks %q:\n%s", want, ev)
		}
	}
	if n := len(rec.Iterations); n != 3 || rec.Iterations[0].Mode != results.Plain {
		t.Errorf("record iterations %d, first %s: want the plain one first of 3", n, rec.Iterations[0].Mode)
	}

	// A baseline that crashed says nothing about which tests pass alone.
	plain[0].Outcome = results.OutcomeCrash
	rec = buildRecord(verdictInput{Iterations: append(plain, ft...), FreeThreaded: true})
	for _, s := range rec.Tests {
		if s.OnlyThreaded {
			t.Errorf("%s marked only-threaded against a crashed baseline", s.ID)
		}
	}
}
