package report

import (
	"math"
	"slices"

	"github.com/pyrace/pyrace/internal/results"
)

// Severity ranks a category: compatible < compatible_gil_fallback <
// tsan_warnings < intermittent < incompatible < crash < deadlock <
// import_failure < install_failure < unknown. A package without a verdict
// ranks -1.
func Severity(c results.Category) int {
	return slices.Index(results.Categories(), c)
}

// The ways a package can change between two sets of runs.
const (
	Improved  = "improved"
	Regressed = "regressed"
	Unchanged = "unchanged"
	Added     = "new"
	Removed   = "removed"
)

// Change is one package compared between an older and a newer set of runs.
type Change struct {
	Package string `json:"package"`
	// Status is improved, regressed, unchanged, new (only in the newer
	// set) or removed (only in the older).
	Status string `json:"status"`
	// Old and New summarise the package on each side (nil when absent).
	Old *Summary `json:"old,omitempty"`
	New *Summary `json:"new,omitempty"`
	// PassRateDelta is the newer pass rate minus the older one;
	// NoiseBand is how large a change the two runs' 95% intervals allow
	// by chance alone: the root of the sum of the squared half-widths.
	// Significant is |PassRateDelta| > NoiseBand.
	PassRateDelta float64 `json:"pass_rate_delta"`
	NoiseBand     float64 `json:"noise_band"`
	Significant   bool    `json:"significant"`
	// What appeared and what went away: crash signatures, TSAN race
	// signatures and flaky tests.
	NewCrashes      []string `json:"new_crashes,omitempty"`
	ResolvedCrashes []string `json:"resolved_crashes,omitempty"`
	NewRaces        []string `json:"new_tsan_races,omitempty"`
	ResolvedRaces   []string `json:"resolved_tsan_races,omitempty"`
	NewFlaky        []string `json:"new_flaky_tests,omitempty"`
	ResolvedFlaky   []string `json:"resolved_flaky_tests,omitempty"`
}

// CategoryChanged reports whether the package's category differs.
func (c Change) CategoryChanged() bool {
	return c.Old != nil && c.New != nil && c.Old.Category != c.New.Category
}

// Comparison is the difference between two sets of runs.
type Comparison struct {
	Changes []Change `json:"changes"`
	// Counts per status.
	Improved  int `json:"improved"`
	Regressed int `json:"regressed"`
	Unchanged int `json:"unchanged"`
	Added     int `json:"new"`
	Removed   int `json:"removed"`
}

// Compare compares the packages of older and newer by name.
func Compare(older, newer *Set) Comparison {
	olds := map[string]*Package{}
	for _, p := range older.Packages {
		olds[p.Name] = p
	}
	var c Comparison
	seen := map[string]bool{}
	for _, np := range newer.Packages {
		seen[np.Name] = true
		ns := np.Summarize()
		op := olds[np.Name]
		if op == nil {
			c.add(Change{Package: np.Name, Status: Added, New: &ns})
			continue
		}
		c.add(comparePackage(op, np))
	}
	for _, op := range older.Packages {
		if !seen[op.Name] {
			old := op.Summarize()
			c.add(Change{Package: op.Name, Status: Removed, Old: &old})
		}
	}
	slices.SortStableFunc(c.Changes, func(a, b Change) int {
		return statusRank(a.Status) - statusRank(b.Status)
	})
	return c
}

// statusRank orders changes: regressions first, then improvements, new,
// removed and unchanged packages.
func statusRank(s string) int {
	return slices.Index([]string{Regressed, Improved, Added, Removed, Unchanged}, s)
}

func (c *Comparison) add(ch Change) {
	c.Changes = append(c.Changes, ch)
	switch ch.Status {
	case Improved:
		c.Improved++
	case Regressed:
		c.Regressed++
	case Unchanged:
		c.Unchanged++
	case Added:
		c.Added++
	case Removed:
		c.Removed++
	}
}

// comparePackage compares one package present on both sides.
func comparePackage(op, np *Package) Change {
	olds, news := op.Summarize(), np.Summarize()
	ch := Change{Package: np.Name, Old: &olds, New: &news}
	if olds.Iterations > 0 && news.Iterations > 0 {
		ch.PassRateDelta = passRate(news) - passRate(olds)
		ch.NoiseBand = math.Hypot(halfWidth(olds.PassRate), halfWidth(news.PassRate))
		ch.Significant = math.Abs(ch.PassRateDelta) > ch.NoiseBand
	}
	ch.NewCrashes, ch.ResolvedCrashes = diff(signatures(olds.Crashes), signatures(news.Crashes))
	ch.NewRaces, ch.ResolvedRaces = diff(raceSignatures(op), raceSignatures(np))
	ch.NewFlaky, ch.ResolvedFlaky = diff(flakyTests(op), flakyTests(np))

	sevOld, sevNew := Severity(olds.Category), Severity(news.Category)
	switch {
	case sevOld >= 0 && sevNew >= 0 && sevNew > sevOld:
		ch.Status = Regressed
	case sevOld >= 0 && sevNew >= 0 && sevNew < sevOld:
		ch.Status = Improved
	case ch.Significant && ch.PassRateDelta < 0:
		ch.Status = Regressed
	case ch.Significant && ch.PassRateDelta > 0:
		ch.Status = Improved
	default:
		ch.Status = Unchanged
	}
	return ch
}

func passRate(s Summary) float64 { return float64(s.Passes) / float64(s.Iterations) }

func halfWidth(iv results.Interval) float64 { return (iv.High - iv.Low) / 2 }

func signatures(cs []results.SignatureCount) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Signature)
	}
	return out
}

func raceSignatures(p *Package) []string {
	var out []string
	for _, r := range tsanRaces(p) {
		out = append(out, r.Signature)
	}
	return out
}

func flakyTests(p *Package) []string {
	var out []string
	for _, t := range TestHistories(p.FreeThreaded()) {
		if t.Flaky() {
			out = append(out, t.ID)
		}
	}
	return out
}

// diff returns what is in b and not in a (new), and what is in a and not
// in b (resolved), each sorted.
func diff(a, b []string) (added, gone []string) {
	for _, s := range b {
		if !slices.Contains(a, s) && !slices.Contains(added, s) {
			added = append(added, s)
		}
	}
	for _, s := range a {
		if !slices.Contains(b, s) && !slices.Contains(gone, s) {
			gone = append(gone, s)
		}
	}
	slices.Sort(added)
	slices.Sort(gone)
	return added, gone
}
