package harness

import (
	"fmt"
	"sort"
	"strings"

	"github.com/pyrace/pyrace/internal/results"
)

// maxEvidenceItems caps the stalled iterations and failing tests listed in
// the evidence; the record keeps them all.
const maxEvidenceItems = 5

// verdictInput is what a package's verdict is computed from.
type verdictInput struct {
	Package string
	// Iterations are all recorded iterations, both modes.
	Iterations []results.Iteration
	GIL        *results.GILCheck
	// FreeThreaded is whether the interpreter ran without the GIL.
	FreeThreaded bool
	// CompareWithGIL says the GIL iterations were asked for.
	CompareWithGIL bool
}

// buildRecord classifies a package over its iterations, with the evidence.
//
// Category precedence (first match wins), as in DESIGN §4: import_failure,
// unknown (no iteration completed or no tests ran), deadlock (a stall:
// deadlock or livelock), crash; then, when every iteration passed:
// tsan_warnings, compatible_gil_fallback, compatible; when all failed:
// incompatible; else intermittent.
func buildRecord(in verdictInput) results.Record {
	var ft, gil, plain []results.Iteration
	for _, it := range in.Iterations {
		switch it.Mode {
		case results.WithGIL:
			gil = append(gil, it)
		case results.Plain:
			plain = append(plain, it)
		default:
			ft = append(ft, it)
		}
	}
	sortIterations(ft)
	sortIterations(gil)
	sortIterations(plain)
	rec := results.Record{
		Package:    in.Package,
		Outcomes:   map[results.Outcome]int{},
		GIL:        in.GIL,
		Iterations: append(append(append([]results.Iteration{}, plain...), ft...), gil...),
	}
	failures, noTests := 0, 0
	var deadlocks, crashes []results.Iteration
	for _, it := range ft {
		rec.Outcomes[it.Outcome]++
		if it.Failed() {
			failures++
		}
		if it.Outcome == results.OutcomeFail && it.ExitCode != nil && *it.ExitCode == pytestNoTests && it.Tests.Total() == 0 {
			noTests++
		}
		switch it.Outcome {
		case results.OutcomeDeadlock, results.OutcomeLivelock:
			deadlocks = append(deadlocks, it)
		case results.OutcomeCrash:
			crashes = append(crashes, it)
		}
	}
	rec.Rate = results.NewRate(failures, len(ft))
	rec.Tests = testStats(ft, gil, plain)
	rec.ThreadUnsafe = threadUnsafe(ft)
	rec.CrashSignatures = signatures(crashes)
	rec.TSAN = mergeTSAN(ft)
	fallbackBy := gilFallbackModules(in.GIL, ft)

	var ev []string
	ev = append(ev, rateEvidence(rec.Rate))
	if len(plain) > 0 && ranThreaded(ft) {
		ev = append(ev, threadedEvidence(ft[0].Threads, plain, rec.Tests)...)
	}
	for i, it := range deadlocks {
		if i == maxEvidenceItems {
			ev = append(ev, fmt.Sprintf("... and %d more stalled iterations", len(deadlocks)-i))
			break
		}
		line := fmt.Sprintf("iteration %d: %s", it.Index, it.Reason)
		if it.StackDump != "" {
			line += "; thread stacks in " + it.StackDump
		}
		ev = append(ev, line)
	}
	for _, s := range rec.CrashSignatures {
		ev = append(ev, fmt.Sprintf("crash in %s: %s", plural(s.Count, "iteration"), s.Signature))
	}
	for i, t := range rec.Tests {
		if i == maxEvidenceItems {
			ev = append(ev, fmt.Sprintf("... and %d more failing tests (all are in the record)", len(rec.Tests)-i))
			break
		}
		line := fmt.Sprintf("test %s failed in %d/%d iterations", t.ID, t.Failures, t.Iterations)
		if len(t.ExcTypes) > 0 {
			line += " (" + formatCounts(t.ExcTypes) + ")"
		}
		if t.FailsWithGIL {
			line += "; also fails with the GIL"
		}
		if t.OnlyThreaded {
			line += "; only when threaded"
		}
		if t.Threaded != "" {
			line += "; last time " + t.Threaded
		}
		ev = append(ev, line)
	}
	for i, t := range rec.ThreadUnsafe {
		if i == maxEvidenceItems {
			ev = append(ev, fmt.Sprintf("... and %d more tests ran once, single-threaded (all are in the record)", len(rec.ThreadUnsafe)-i))
			break
		}
		ev = append(ev, fmt.Sprintf("test %s ran once, single-threaded: %s", t.ID, t.Reason))
	}
	for _, r := range rec.TSAN {
		ev = append(ev, fmt.Sprintf("ThreadSanitizer %s ×%d: %s", r.Kind, r.Count, r.Signature))
	}
	if len(fallbackBy) > 0 {
		ev = append(ev, "the GIL was re-enabled by importing "+strings.Join(fallbackBy, ", "))
	}
	if line := gilFlipEvidence(ft); line != "" {
		ev = append(ev, line)
	}
	if in.GIL != nil && in.GIL.Error != "" {
		ev = append(ev, "GIL probe: "+in.GIL.Error)
	}
	if !in.FreeThreaded {
		ev = append(ev, "the interpreter is not a free-threaded build: every iteration ran with the GIL")
	}

	if in.CompareWithGIL && len(gil) > 0 {
		rec.GILComparison = compareWithGIL(rec.Rate, ft, gil)
		c := rec.GILComparison
		line := "with PYTHON_GIL=1: " + rateEvidence(c.Rate)
		if c.PreExisting {
			line += "; the failures are pre-existing (they also happen with the GIL at a similar rate)"
		}
		ev = append(ev, line)
	}

	switch {
	case importFailed(in.GIL):
		rec.Category = results.ImportFailure
		rec.Verdict = fmt.Sprintf("import_failure: %s cannot be imported (%s)", in.GIL.ImportName, in.GIL.ImportErrors[0])
	case len(ft) == 0:
		rec.Category = results.Unknown
		rec.Verdict = "unknown: no iteration completed"
	case noTests == len(ft):
		rec.Category = results.Unknown
		rec.Verdict = "unknown: no tests ran in any iteration (exit status 5); check the test command"
	case len(deadlocks) > 0:
		rec.Category = results.Deadlock
		rec.Verdict = fmt.Sprintf("deadlock: %d/%d iterations stalled", len(deadlocks), len(ft))
	case len(crashes) > 0:
		rec.Category = results.Crash
		rec.Verdict = fmt.Sprintf("crash: %d/%d iterations crashed (%s)", len(crashes), len(ft), plural(len(rec.CrashSignatures), "distinct signature"))
	case failures == 0 && len(rec.TSAN) > 0:
		rec.Category = results.TSANWarnings
		rec.Verdict = fmt.Sprintf("tsan_warnings: every iteration passed, but ThreadSanitizer reported %s", plural(len(rec.TSAN), "distinct race"))
	case failures == 0 && len(fallbackBy) > 0:
		rec.Category = results.CompatibleGILFallback
		rec.Verdict = fmt.Sprintf("compatible_gil_fallback: %d/%d passed, but %s re-enabled the GIL", len(ft), len(ft), strings.Join(fallbackBy, ", "))
	case failures == 0:
		rec.Category = results.Compatible
		rec.Verdict = fmt.Sprintf("compatible: %d/%d iterations passed", len(ft), len(ft))
	case failures == len(ft):
		rec.Category = results.Incompatible
		rec.Verdict = fmt.Sprintf("incompatible: all %d iterations failed", len(ft))
	default:
		rec.Category = results.Intermittent
		rec.Verdict = fmt.Sprintf("intermittent: %d/%d iterations failed", failures, len(ft))
	}
	if c := rec.GILComparison; c != nil && c.PreExisting && failures > 0 {
		rec.Verdict += "; pre-existing: also fails with the GIL"
	}
	rec.Evidence = ev
	return rec
}

func sortIterations(its []results.Iteration) {
	sort.SliceStable(its, func(i, j int) bool { return its[i].Index < its[j].Index })
}

// rateEvidence states k/n with its 95% interval, or the upper bound when
// nothing failed.
func rateEvidence(r results.Rate) string {
	if r.Iterations == 0 {
		return "no iterations"
	}
	if r.Failures == 0 {
		return fmt.Sprintf("0/%d iterations failed: failure rate < %s at 95%% confidence",
			r.Iterations, pct(results.UpperBound(0, r.Iterations, 0.95)))
	}
	return fmt.Sprintf("%d/%d iterations failed: failure rate %s (95%% interval %s–%s)",
		r.Failures, r.Iterations, pct(float64(r.Failures)/float64(r.Iterations)), pct(r.Interval.Low), pct(r.Interval.High))
}

func pct(f float64) string {
	v := f * 100
	if v > 0 && v < 1 {
		return fmt.Sprintf("%.1f%%", v)
	}
	return fmt.Sprintf("%.0f%%", v)
}

// gilFlipEvidence says at which test the iterations found the GIL
// re-enabled: the results after it are not free-threaded.
func gilFlipEvidence(ft []results.Iteration) string {
	n := 0
	var first *results.GILFlip
	for _, it := range ft {
		if it.GILEnabledAt != nil {
			n++
			if first == nil {
				first = it.GILEnabledAt
			}
		}
	}
	if first == nil {
		return ""
	}
	where := "during test " + first.Test
	if first.When == "before" {
		where = "before test " + first.Test + " (at collection or in an earlier test's teardown)"
	}
	line := fmt.Sprintf("the GIL came back %s in %d/%d iterations", where, n, len(ft))
	if len(first.Modules) > 0 {
		line += ", loading " + joinLimit(first.Modules, 3)
	}
	return line + ": from there on those iterations did not run free-threaded"
}

// threadedEvidence says how the plain baseline of a --threads run went and
// which tests failed only when threaded.
func threadedEvidence(threads int, plain []results.Iteration, tests []results.TestStat) []string {
	p := plain[len(plain)-1]
	line := fmt.Sprintf("plain run (each test once, in one thread): %s", p.Outcome)
	if n := p.Tests.Total(); n > 0 {
		line += fmt.Sprintf(", %d/%d tests passed", p.Tests.Passed, n)
	}
	ev := []string{line}
	var only []string
	for _, t := range tests {
		if t.OnlyThreaded {
			only = append(only, t.ID)
		}
	}
	if len(only) > 0 {
		sort.Strings(only)
		what := fmt.Sprintf("%d tests fail", len(only))
		if len(only) == 1 {
			what = "1 test fails"
		}
		ev = append(ev, fmt.Sprintf("%s only in %d threads, passing in the plain run (races the threads provoked): %s",
			what, threads, joinLimit(only, maxEvidenceItems)))
	} else if baselineComplete(p) {
		ev = append(ev, fmt.Sprintf("no test fails only in %d threads", threads))
	}
	return ev
}

// baselineComplete reports whether a plain iteration ran the whole suite
// (it ended on its own, with tests): a test it does not list as failed
// passed or was skipped there.
func baselineComplete(it results.Iteration) bool {
	return (it.Outcome == results.OutcomePass || it.Outcome == results.OutcomeFail) && it.Tests.Total() > 0
}

// threadUnsafe lists the tests the threaded iterations ran once,
// single-threaded, each once, by id.
func threadUnsafe(ft []results.Iteration) []results.ThreadUnsafeTest {
	seen := map[string]bool{}
	var out []results.ThreadUnsafeTest
	for _, it := range ft {
		for _, t := range it.ThreadUnsafe {
			if !seen[t.ID] {
				seen[t.ID] = true
				out = append(out, t)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// testStats aggregates per-test outcomes over the free-threaded iterations
// that reported tests, failing tests first. A test failing there that
// passed in a complete plain baseline is marked OnlyThreaded.
func testStats(ft, gil, plain []results.Iteration) []results.TestStat {
	failedWithGIL := map[string]bool{}
	for _, it := range gil {
		for _, t := range it.FailedTests {
			failedWithGIL[t.ID] = true
		}
	}
	baseline := false // a complete plain run to compare with
	failedPlain := map[string]bool{}
	for _, it := range plain {
		baseline = baseline || baselineComplete(it)
		for _, t := range it.FailedTests {
			failedPlain[t.ID] = true
		}
	}
	stats := map[string]*results.TestStat{}
	reporting := 0
	for _, it := range ft {
		if it.Tests.Total() == 0 {
			continue
		}
		reporting++
		for _, t := range it.FailedTests {
			s := stats[t.ID]
			if s == nil {
				s = &results.TestStat{ID: t.ID, ExcTypes: map[string]int{}}
				stats[t.ID] = s
			}
			s.Failures++
			if t.Threads != nil && t.Message != "" {
				s.Threaded = t.Message
			}
			exc := t.ExcType
			if exc == "" {
				exc = t.Outcome
			}
			s.ExcTypes[exc]++
		}
	}
	threaded := baseline && ranThreaded(ft)
	out := make([]results.TestStat, 0, len(stats))
	for _, s := range stats {
		s.Iterations = reporting
		s.FailsWithGIL = failedWithGIL[s.ID]
		s.OnlyThreaded = threaded && !failedPlain[s.ID]
		out = append(out, *s)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Failures != out[j].Failures {
			return out[i].Failures > out[j].Failures
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// ranThreaded reports whether the iterations ran the tests in threads.
func ranThreaded(ft []results.Iteration) bool {
	return len(ft) > 0 && ft[0].Threads > 0
}

func signatures(crashes []results.Iteration) []results.SignatureCount {
	counts := map[string]int{}
	for _, it := range crashes {
		counts[it.CrashSignature]++
	}
	out := make([]results.SignatureCount, 0, len(counts))
	for s, n := range counts {
		out = append(out, results.SignatureCount{Signature: s, Count: n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Signature < out[j].Signature
	})
	return out
}

func mergeTSAN(its []results.Iteration) []results.TSANReport {
	bySig := map[string]*results.TSANReport{}
	var order []string
	for _, it := range its {
		for _, r := range it.TSAN {
			if e := bySig[r.Signature]; e != nil {
				e.Count += r.Count
				continue
			}
			c := r
			bySig[r.Signature] = &c
			order = append(order, r.Signature)
		}
	}
	out := make([]results.TSANReport, 0, len(order))
	for _, s := range order {
		out = append(out, *bySig[s])
	}
	return out
}

// gilFallbackModules lists the modules that re-enabled the GIL, from the
// import probe and from the iterations themselves.
func gilFallbackModules(probe *results.GILCheck, its []results.Iteration) []string {
	seen := map[string]bool{}
	var mods []string
	add := func(m string) {
		if m != "" && !seen[m] {
			seen[m] = true
			mods = append(mods, m)
		}
	}
	if probe != nil {
		for _, e := range probe.EnabledBy {
			add(e.Module)
		}
		if len(probe.EnabledBy) == 0 && probe.Fallback() {
			add(probe.ImportName)
		}
	}
	for _, it := range its {
		for _, e := range it.GILEnabledBy {
			add(e.Module)
		}
	}
	return mods
}

func importFailed(g *results.GILCheck) bool {
	if g == nil || !g.Probed || g.ImportName == "" || len(g.ImportErrors) == 0 {
		return false
	}
	first := g.ImportErrors[0]
	return strings.HasPrefix(first, g.ImportName+":")
}

// compareWithGIL marks failures as pre-existing when the GIL runs fail at a
// rate within the noise of the free-threaded one.
func compareWithGIL(ftRate results.Rate, ft, gil []results.Iteration) *results.GILComparison {
	k := 0
	for _, it := range gil {
		if it.Failed() {
			k++
		}
	}
	c := &results.GILComparison{Rate: results.NewRate(k, len(gil))}
	c.PreExisting = k > 0 && ftRate.Failures > 0 && results.Overlap(ftRate, c.Rate)
	failedFT := map[string]bool{}
	for _, it := range ft {
		for _, t := range it.FailedTests {
			failedFT[t.ID] = true
		}
	}
	seen := map[string]bool{}
	for _, it := range gil {
		for _, t := range it.FailedTests {
			if failedFT[t.ID] && !seen[t.ID] {
				seen[t.ID] = true
				c.SharedTests = append(c.SharedTests, t.ID)
			}
		}
	}
	sort.Strings(c.SharedTests)
	return c
}

func formatCounts(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s ×%d", k, m[k])
	}
	return strings.Join(parts, ", ")
}
