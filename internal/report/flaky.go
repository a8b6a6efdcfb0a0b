package report

import (
	"cmp"
	"slices"
	"strings"

	"github.com/pyrace/pyrace/internal/results"
)

// Marks of a test's history, one per iteration.
const (
	MarkPass     = '.' // the iteration ran and the test did not fail
	MarkFail     = 'F' // the test failed or errored
	MarkCrash    = 'C' // the iteration crashed: the test's fate is unknown
	MarkStall    = 'D' // the iteration deadlocked, livelocked or timed out
	MarkNotAlive = '-' // the iteration did not get as far (no per-test results)
)

// TestHistory is one test over a package's iterations.
type TestHistory struct {
	ID string `json:"id"`
	// Failures is how many iterations the test failed in; Ran how many
	// iterations it is known to have run in.
	Failures int `json:"failures"`
	Ran      int `json:"ran"`
	// Marks is the history, one mark per iteration in order (see MarkPass
	// and the others).
	Marks string `json:"marks"`
	// ExcTypes counts the exception types of the failures.
	ExcTypes map[string]int `json:"exc_types,omitempty"`
	// Messages are the distinct failure messages, at most five.
	Messages []string `json:"messages,omitempty"`
	// LongestFail and LongestPass are the longest runs of consecutive
	// failing and passing iterations.
	LongestFail int `json:"longest_fail_streak"`
	LongestPass int `json:"longest_pass_streak"`
	// FailsWithGIL is true when the test also failed with PYTHON_GIL=1.
	FailsWithGIL bool `json:"fails_with_gil,omitempty"`
	// Threaded is the summary of its last threaded failure (--threads).
	Threaded string `json:"threaded,omitempty"`
	// OnlyThreaded is true when the test failed only when threaded: it
	// passed in the plain baseline iteration of a --threads run.
	OnlyThreaded bool `json:"only_threaded,omitempty"`
}

// Flaky reports whether the test failed in some iterations and passed in
// others.
func (t TestHistory) Flaky() bool { return t.Failures > 0 && t.Failures < t.Ran }

// TestHistories follows every test that failed at least once through the
// iterations (in order): a test passed an iteration that ran per-test
// results and does not list it among its failures.
func TestHistories(iters []results.Iteration) []TestHistory {
	byID := map[string]*TestHistory{}
	var order []string
	for _, it := range iters {
		for _, f := range it.FailedTests {
			if byID[f.ID] == nil {
				byID[f.ID] = &TestHistory{ID: f.ID, ExcTypes: map[string]int{}}
				order = append(order, f.ID)
			}
		}
	}
	for _, it := range iters {
		failed := map[string]results.TestResult{}
		for _, f := range it.FailedTests {
			failed[f.ID] = f
		}
		for _, id := range order {
			t := byID[id]
			f, isFailed := failed[id]
			switch {
			case isFailed:
				t.Marks += string(MarkFail)
				t.Failures++
				t.Ran++
				if f.ExcType != "" {
					t.ExcTypes[f.ExcType]++
				}
				if f.Message != "" && len(t.Messages) < 5 && !slices.Contains(t.Messages, f.Message) {
					t.Messages = append(t.Messages, f.Message)
				}
				if f.Threads != nil {
					t.Threaded = threadedSummary(f)
				}
			case it.Outcome == results.OutcomeCrash:
				t.Marks += string(MarkCrash)
			case it.Outcome == results.OutcomeDeadlock, it.Outcome == results.OutcomeLivelock, it.Outcome == results.OutcomeTimeout:
				t.Marks += string(MarkStall)
			case it.Tests.Total() == 0:
				t.Marks += string(MarkNotAlive)
			default:
				t.Marks += string(MarkPass)
				t.Ran++
			}
		}
	}
	out := make([]TestHistory, 0, len(order))
	for _, id := range order {
		t := byID[id]
		t.LongestFail = longestRun(t.Marks, MarkFail)
		t.LongestPass = longestRun(t.Marks, MarkPass)
		if len(t.ExcTypes) == 0 {
			t.ExcTypes = nil
		}
		out = append(out, *t)
	}
	slices.SortStableFunc(out, func(a, b TestHistory) int {
		return cmp.Or(cmp.Compare(b.Failures, a.Failures), cmp.Compare(a.ID, b.ID))
	})
	return out
}

// threadedSummary is a threaded failure in a few words.
func threadedSummary(f results.TestResult) string {
	if f.Message != "" {
		return f.Message
	}
	return f.ExcType
}

func longestRun(marks string, c rune) int {
	best, cur := 0, 0
	for _, m := range marks {
		if m == c {
			cur++
			best = max(best, cur)
		} else {
			cur = 0
		}
	}
	return best
}

// Patterns of a package's failures (seed 001's flaky analysis).
const (
	// PatternConsistentTest: the same test fails in every failing
	// iteration (one race, reliably provoked by one test).
	PatternConsistentTest = "consistent test"
	// PatternRandomTests: different tests fail in different iterations
	// (a race in shared code, or several).
	PatternRandomTests = "random tests"
	// PatternConsistentCrash: every crash has the same signature.
	PatternConsistentCrash = "consistent crash"
	// PatternVariedCrash: crashes with different signatures.
	PatternVariedCrash = "varied crash"
	// PatternStalls: the failures are deadlocks, livelocks or timeouts.
	PatternStalls = "stalls"
	// PatternNone: nothing failed.
	PatternNone = "none"
	// PatternUnattributed: iterations failed without a failing test.
	PatternUnattributed = "no failing test named"
)

// Flakiness is the flaky analysis of one package.
type Flakiness struct {
	Package string `json:"package"`
	// Failed of Iterations free-threaded iterations did not pass.
	Failed     int `json:"failed"`
	Iterations int `json:"iterations"`
	// Pattern is one of the Pattern constants.
	Pattern string `json:"pattern"`
	// Tests are the tests that failed at least once, most failures first.
	Tests []TestHistory `json:"tests,omitempty"`
	// Crashes are the crash signatures with the iterations they ended.
	Crashes []results.SignatureCount `json:"crash_signatures,omitempty"`
	// Outcomes is one mark per iteration: '.' pass, 'F' fail, 'C'
	// crash, 'D' deadlock or livelock, 'T' timeout.
	Outcomes string `json:"outcomes"`
}

// AnalyzeFlakiness computes p's flakiness.
func (p *Package) AnalyzeFlakiness() Flakiness {
	ft := p.FreeThreaded()
	fl := Flakiness{Package: p.Name, Iterations: len(ft), Tests: TestHistories(ft)}
	withGIL := map[string]bool{}
	for _, it := range p.WithGIL() {
		for _, f := range it.FailedTests {
			withGIL[f.ID] = true
		}
	}
	onlyThreaded := map[string]bool{}
	if p.Record != nil {
		for _, t := range p.Record.Tests {
			onlyThreaded[t.ID] = t.OnlyThreaded
		}
	}
	for i := range fl.Tests {
		fl.Tests[i].FailsWithGIL = withGIL[fl.Tests[i].ID]
		fl.Tests[i].OnlyThreaded = onlyThreaded[fl.Tests[i].ID]
	}
	crashes := map[string]int{}
	var outcomes strings.Builder
	stalls, failingSets := 0, map[string]bool{}
	for _, it := range ft {
		outcomes.WriteByte(outcomeMark(it.Outcome))
		if it.Outcome == results.OutcomePass {
			continue
		}
		fl.Failed++
		switch it.Outcome {
		case results.OutcomeCrash:
			crashes[cmp.Or(it.CrashSignature, "(no signature: "+it.Signal+")")]++
		case results.OutcomeDeadlock, results.OutcomeLivelock, results.OutcomeTimeout:
			stalls++
		default:
			var ids []string
			for _, f := range it.FailedTests {
				ids = append(ids, f.ID)
			}
			slices.Sort(ids)
			failingSets[strings.Join(ids, "\n")] = true
		}
	}
	fl.Outcomes = outcomes.String()
	fl.Crashes = countsOf(crashes)
	fl.Pattern = pattern(fl.Failed, len(fl.Crashes), stalls, failingSets)
	return fl
}

// pattern names what the failures have in common.
func pattern(failed, crashSigs, stalls int, failingSets map[string]bool) string {
	switch {
	case failed == 0:
		return PatternNone
	case crashSigs > 1:
		return PatternVariedCrash
	case crashSigs == 1:
		return PatternConsistentCrash
	case stalls == failed:
		return PatternStalls
	}
	if failingSets[""] && len(failingSets) == 1 {
		return PatternUnattributed
	}
	// The same test in every failing iteration?
	var common map[string]bool
	for set := range failingSets {
		ids := map[string]bool{}
		for _, id := range strings.Split(set, "\n") {
			if id != "" {
				ids[id] = true
			}
		}
		if common == nil {
			common = ids
			continue
		}
		for id := range common {
			if !ids[id] {
				delete(common, id)
			}
		}
	}
	if len(common) > 0 {
		return PatternConsistentTest // others may fail now and then too
	}
	return PatternRandomTests
}

func outcomeMark(o results.Outcome) byte {
	switch o {
	case results.OutcomePass:
		return '.'
	case results.OutcomeFail:
		return 'F'
	case results.OutcomeCrash:
		return 'C'
	case results.OutcomeDeadlock, results.OutcomeLivelock:
		return 'D'
	case results.OutcomeTimeout:
		return 'T'
	}
	return '?'
}
