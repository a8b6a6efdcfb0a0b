package report

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/pyrace/pyrace/internal/results"
)

// State is how far a package's run got.
type State string

// The package states.
const (
	// Done: the package has its verdict.
	Done State = "done"
	// Running: no verdict yet and the run is still going.
	Running State = "running"
	// Interrupted: no verdict and the run stopped.
	Interrupted State = "interrupted"
)

// Summary is one package at a glance: the row of `pyrace show`, the line
// of a CSV export.
type Summary struct {
	Package  string           `json:"package"`
	RunID    string           `json:"run_id"`
	State    State            `json:"state"`
	Category results.Category `json:"category,omitempty"`
	Verdict  string           `json:"verdict,omitempty"`
	// Passes of Iterations free-threaded iterations passed; PassRate is
	// their ratio with its 95% interval.
	Passes     int                      `json:"passes"`
	Iterations int                      `json:"iterations"`
	PassRate   results.Interval         `json:"pass_rate_interval"`
	Outcomes   map[string]int           `json:"outcomes"`
	Crashes    []results.SignatureCount `json:"crash_signatures,omitempty"`
	// Stalls counts the iterations that deadlocked or livelocked.
	Deadlocks int `json:"deadlocks"`
	Livelocks int `json:"livelocks"`
	Timeouts  int `json:"timeouts"`
	// FlakyTests counts the tests that failed in some free-threaded
	// iterations and passed in others.
	FlakyTests int `json:"flaky_tests"`
	// FailingTests counts the tests that failed at least once.
	FailingTests int `json:"failing_tests"`
	// GILBaseline is the --compare-with-gil verdict: "pre-existing",
	// "free-threading only", or "" when the run did not compare.
	GILBaseline string        `json:"gil_baseline,omitempty"`
	GILRate     *results.Rate `json:"gil_rate,omitempty"`
	// TSANRaces counts the distinct ThreadSanitizer signatures.
	TSANRaces int `json:"tsan_races"`
	// GILFallback are the modules whose import re-enabled the GIL.
	GILFallback []string `json:"gil_fallback,omitempty"`
	// Threads is K of a --threads run, 0 otherwise.
	Threads int `json:"threads,omitempty"`
	// Duration is the free-threaded iterations' total wall time, seconds.
	Duration float64 `json:"duration_seconds"`
}

// State says whether p has its verdict, and else whether its run goes on.
func (p *Package) State() State {
	switch {
	case p.Record != nil:
		return Done
	case p.Run.Meta.Status == results.Running:
		return Running
	}
	return Interrupted
}

// FreeThreaded returns p's iterations with the GIL disabled (the threaded
// ones of a --threads run), ordered by index.
func (p *Package) FreeThreaded() []results.Iteration { return p.mode(results.FreeThreaded) }

// WithGIL returns p's --compare-with-gil iterations, ordered by index.
func (p *Package) WithGIL() []results.Iteration { return p.mode(results.WithGIL) }

func (p *Package) mode(m results.Mode) []results.Iteration {
	var out []results.Iteration
	for _, it := range p.Iterations {
		if it.Mode == m {
			out = append(out, it)
		}
	}
	slices.SortStableFunc(out, func(a, b results.Iteration) int { return cmp.Compare(a.Index, b.Index) })
	return out
}

// Category is p's verdict category, "" before its verdict.
func (p *Package) Category() results.Category {
	if p.Record == nil {
		return ""
	}
	return p.Record.Category
}

// Summarize computes p's summary.
func (p *Package) Summarize() Summary {
	ft := p.FreeThreaded()
	s := Summary{
		Package:    p.Name,
		RunID:      p.Run.Meta.RunID,
		State:      p.State(),
		Category:   p.Category(),
		Iterations: len(ft),
		Outcomes:   map[string]int{},
		Threads:    p.Run.Meta.Config.Threads,
	}
	if p.Record != nil {
		s.Verdict = p.Record.Verdict
	}
	crashes := map[string]int{}
	for _, it := range ft {
		s.Outcomes[string(it.Outcome)]++
		s.Duration += it.Duration
		switch it.Outcome {
		case results.OutcomePass:
			s.Passes++
		case results.OutcomeCrash:
			sig := it.CrashSignature
			if sig == "" {
				sig = "(no signature: " + it.Signal + ")"
			}
			crashes[sig]++
		case results.OutcomeDeadlock:
			s.Deadlocks++
		case results.OutcomeLivelock:
			s.Livelocks++
		case results.OutcomeTimeout:
			s.Timeouts++
		}
	}
	s.PassRate = results.Wilson(s.Passes, s.Iterations)
	s.Crashes = countsOf(crashes)
	for _, t := range TestHistories(ft) {
		if t.Failures > 0 {
			s.FailingTests++
			if t.Failures < t.Ran {
				s.FlakyTests++
			}
		}
	}
	if p.Record != nil && p.Record.GILComparison != nil {
		c := p.Record.GILComparison
		s.GILRate = &c.Rate
		s.GILBaseline = "free-threading only"
		if c.PreExisting {
			s.GILBaseline = "pre-existing"
		}
	}
	s.TSANRaces = len(tsanRaces(p))
	s.GILFallback = gilFallback(p)
	return s
}

// countsOf turns counts by name into a list, most frequent first.
func countsOf(m map[string]int) []results.SignatureCount {
	var out []results.SignatureCount
	for sig, n := range m {
		out = append(out, results.SignatureCount{Signature: sig, Count: n})
	}
	slices.SortFunc(out, func(a, b results.SignatureCount) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Signature, b.Signature))
	})
	return out
}

// tsanRaces are p's distinct ThreadSanitizer reports, from its record or,
// before the verdict, from its iterations.
func tsanRaces(p *Package) []results.TSANReport {
	if p.Record != nil {
		return p.Record.TSAN
	}
	by := map[string]*results.TSANReport{}
	var out []results.TSANReport
	for _, it := range p.Iterations {
		for _, r := range it.TSAN {
			if have := by[r.Signature]; have != nil {
				have.Count += r.Count
				continue
			}
			out = append(out, r)
			by[r.Signature] = &out[len(out)-1]
		}
	}
	return out
}

// gilFallback lists the modules that re-enabled the GIL: at the import
// probe, or in an iteration.
func gilFallback(p *Package) []string {
	var mods []string
	add := func(m string) {
		if m != "" && !slices.Contains(mods, m) {
			mods = append(mods, m)
		}
	}
	if p.Record != nil && p.Record.GIL != nil {
		for _, e := range p.Record.GIL.EnabledBy {
			add(e.Module)
		}
	}
	for _, it := range p.Iterations {
		for _, e := range it.GILEnabledBy {
			add(e.Module)
		}
	}
	return mods
}

// PassRateText is "k/n (lo–hi%)": passes of iterations with the 95%
// interval of the pass rate, or "-" without iterations.
func (s Summary) PassRateText() string {
	if s.Iterations == 0 {
		return "-"
	}
	return fmt.Sprintf("%d/%d (%.0f–%.0f%%)", s.Passes, s.Iterations, 100*s.PassRate.Low, 100*s.PassRate.High)
}

// CategoryText is the category, or the state before a verdict.
func (s Summary) CategoryText() string {
	if s.Category != "" {
		return string(s.Category)
	}
	return "(" + string(s.State) + ")"
}
