package report

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/pyrace/pyrace/internal/results"
)

// CSVColumns are the columns of a CSV export, in order. They are part of
// pyrace's interface: columns are only ever added at the end (see
// docs/report.md for their meaning).
func CSVColumns() []string {
	return []string{
		"run_id", "package", "state", "category",
		"passes", "iterations", "pass_rate", "pass_rate_low", "pass_rate_high",
		"pass", "fail", "crash", "deadlock", "livelock", "timeout",
		"crash_signatures", "flaky_tests", "failing_tests",
		"gil_baseline", "gil_failures", "gil_iterations",
		"tsan_races", "gil_fallback_modules", "threads", "duration_seconds", "verdict",
	}
}

// WriteCSV writes one row per package under a header of CSVColumns.
func WriteCSV(w io.Writer, doc Document) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVColumns()); err != nil {
		return err
	}
	for _, s := range doc.Packages {
		if err := cw.Write(csvRow(s)); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func csvRow(s Summary) []string {
	f := func(x float64) string { return strconv.FormatFloat(x, 'f', 4, 64) }
	d := strconv.Itoa
	rate, gilFailures, gilIterations := "", "", ""
	if s.Iterations > 0 {
		rate = f(passRate(s))
	}
	if s.GILRate != nil {
		gilFailures, gilIterations = d(s.GILRate.Failures), d(s.GILRate.Iterations)
	}
	o := func(out results.Outcome) string { return d(s.Outcomes[string(out)]) }
	return []string{
		s.RunID, s.Package, string(s.State), string(s.Category),
		d(s.Passes), d(s.Iterations), rate, f(s.PassRate.Low), f(s.PassRate.High),
		o(results.OutcomePass), o(results.OutcomeFail), o(results.OutcomeCrash), o(results.OutcomeDeadlock),
		o(results.OutcomeLivelock), o(results.OutcomeTimeout),
		d(len(s.Crashes)), d(s.FlakyTests), d(s.FailingTests),
		s.GILBaseline, gilFailures, gilIterations,
		d(s.TSANRaces), strings.Join(s.GILFallback, ";"), d(s.Threads), strconv.FormatFloat(s.Duration, 'f', 3, 64), s.Verdict,
	}
}

// ExportVersion is the version of the JSON export's layout
// (docs/export.schema.json).
const ExportVersion = 1

// Export is the JSON export: every run's metadata and every package's
// summary and full record.
type Export struct {
	ExportVersion int               `json:"export_version"`
	SchemaVersion int               `json:"schema_version"`
	Runs          []results.Meta    `json:"runs"`
	Packages      []ExportedPackage `json:"packages"`
	Warnings      []string          `json:"warnings"`
}

// ExportedPackage is one package of a JSON export.
type ExportedPackage struct {
	Summary Summary `json:"summary"`
	// Record is the package's record as the run wrote it; null before its
	// verdict.
	Record *results.Record `json:"record"`
	// Iterations are the package's iterations when it has no record yet
	// (a record holds its own).
	Iterations []results.Iteration `json:"iterations,omitempty"`
}

// WriteJSON writes the JSON export of set.
func WriteJSON(w io.Writer, set *Set) error {
	ex := Export{ExportVersion: ExportVersion, SchemaVersion: results.SchemaVersion, Runs: []results.Meta{},
		Packages: []ExportedPackage{}, Warnings: set.Warnings}
	if ex.Warnings == nil {
		ex.Warnings = []string{}
	}
	for _, r := range set.Runs {
		ex.Runs = append(ex.Runs, r.Meta)
	}
	for _, p := range set.Packages {
		ep := ExportedPackage{Summary: p.Summarize(), Record: p.Record}
		if p.Record == nil {
			ep.Iterations = p.Iterations
		}
		ex.Packages = append(ex.Packages, ep)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(ex); err != nil {
		return fmt.Errorf("writing the JSON export: %w", err)
	}
	return nil
}
