package report

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"unicode"

	"github.com/pyrace/pyrace/internal/results"
)

// clean makes a string from a run safe for a terminal: control characters
// (escape sequences included) are shown as \xNN, and newlines as "⏎" so a
// value stays on its line.
func clean(s string) string {
	if !strings.ContainsFunc(s, unicode.IsControl) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n':
			b.WriteString("⏎")
		case r == '\t':
			b.WriteByte(' ')
		case unicode.IsControl(r):
			fmt.Fprintf(&b, "\\x%02x", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// cleanBlock is clean for multi-line text (a stack dump): newlines stay.
func cleanBlock(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = clean(strings.TrimRight(l, "\r"))
	}
	return strings.Join(lines, "\n")
}

// orDash is s, or "-" when s is empty.
func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// categoryLabel names a category in counts; "" is a package without a
// verdict yet.
func categoryLabel(c results.Category) string {
	if c == "" {
		return "no verdict yet"
	}
	return string(c)
}

// ShowOptions are `pyrace show`'s choices.
type ShowOptions struct {
	// Sort is one of SortOrders (default SortCategory).
	Sort string
	// Limit shows only the first Limit packages (0: all).
	Limit int
}

// WriteShow writes the summary of `pyrace show`: the runs, the counts per
// category and a table of packages.
func WriteShow(w io.Writer, doc Document, opts ShowOptions) error {
	pkgs := slices.Clone(doc.Packages)
	if err := SortSummaries(pkgs, cmpOr(opts.Sort, SortCategory)); err != nil {
		return err
	}
	writeRuns(w, doc)
	fmt.Fprintln(w, categoryLine(doc))
	if len(pkgs) == 0 {
		return nil
	}
	fmt.Fprintln(w)
	shown := pkgs
	if opts.Limit > 0 && len(pkgs) > opts.Limit {
		shown = pkgs[:opts.Limit]
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PACKAGE\tCATEGORY\tPASS RATE (95%)\tITER\tCRASHES\tDEADLOCKS\tFLAKY\tGIL BASELINE\tTSAN\tGIL FALLBACK")
	for _, s := range shown {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%d\t%s\t%d\t%s\n", clean(s.Package), s.CategoryText(), s.PassRateText(),
			s.Iterations, len(s.Crashes), s.Deadlocks+s.Livelocks, s.FlakyTests, orDash(gilBaselineText(s)),
			s.TSANRaces, orDash(clean(strings.Join(s.GILFallback, ", "))))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(shown) < len(pkgs) {
		fmt.Fprintf(w, "... and %d more (--limit %d)\n", len(pkgs)-len(shown), opts.Limit)
	}
	return nil
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// gilBaselineText is the GIL baseline with the rate under the GIL.
func gilBaselineText(s Summary) string {
	if s.GILBaseline == "" || s.GILRate == nil {
		return ""
	}
	return fmt.Sprintf("%s (%d/%d failed)", s.GILBaseline, s.GILRate.Failures, s.GILRate.Iterations)
}

// writeRuns writes one line per run: id, state, interpreter, machine and
// times.
func writeRuns(w io.Writer, doc Document) {
	for _, r := range doc.Runs {
		interp := r.Interpreter.Describe()
		when := r.Started.UTC().Format("2006-01-02 15:04:05Z")
		if r.Finished != nil {
			when += fmt.Sprintf(" (%s)", r.Finished.Sub(r.Started).Round(1e9))
		}
		host := r.System.Hostname
		if host == "" {
			host = r.System.OS + "/" + r.System.Arch
		}
		fmt.Fprintf(w, "run %s [%s]: %s; %s, %d CPUs, load %.2f, started %s, %s\n", clean(r.RunID), r.Status,
			clean(interp), clean(host), r.System.CPUs, r.System.LoadAverage[0], when, plural(r.Packages, "package"))
	}
}

// categoryLine is "N packages: 2 compatible, 1 crash, ...".
func categoryLine(doc Document) string {
	total := 0
	var parts []string
	for _, c := range doc.Categories {
		total += c.Count
		parts = append(parts, fmt.Sprintf("%d %s", c.Count, categoryLabel(c.Category)))
	}
	if total == 0 {
		return "no packages yet"
	}
	return plural(total, "package") + ": " + strings.Join(parts, ", ")
}

func writeWarnings(w io.Writer, warnings []string) {
	for _, wn := range warnings {
		fmt.Fprintf(w, "warning: %s\n", clean(wn))
	}
}

// WriteFlaky writes the flaky analysis of `pyrace flaky`: for each package
// that failed, its pattern, outcomes and tests.
func WriteFlaky(w io.Writer, fls []Flakiness) {
	if len(fls) == 0 {
		fmt.Fprintln(w, "no failing tests and no crashes")
		return
	}
	for i, fl := range fls {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%s: %d/%d iterations failed, pattern: %s\n", clean(fl.Package), fl.Failed, fl.Iterations, fl.Pattern)
		fmt.Fprintf(w, "  iterations  %s   (. pass, F fail, C crash, D deadlock/livelock, T timeout)\n", fl.Outcomes)
		for _, c := range fl.Crashes {
			fmt.Fprintf(w, "  crash ×%d: %s\n", c.Count, clean(c.Signature))
		}
		for _, t := range fl.Tests {
			flags := []string{fmt.Sprintf("%d/%d", t.Failures, t.Ran)}
			if t.Flaky() {
				flags = append(flags, "flaky")
			}
			if t.FailsWithGIL {
				flags = append(flags, "also fails with the GIL")
			}
			if t.OnlyThreaded {
				flags = append(flags, "only when threaded")
			}
			if t.Flaky() {
				flags = append(flags, fmt.Sprintf("longest streaks: %d failing, %d passing", t.LongestFail, t.LongestPass))
			}
			fmt.Fprintf(w, "  %s  %s\n", t.Marks, clean(t.ID))
			fmt.Fprintf(w, "    %s\n", strings.Join(flags, "; "))
			if len(t.ExcTypes) > 0 {
				fmt.Fprintf(w, "    %s\n", clean(excTypesText(t.ExcTypes)))
			}
			for _, m := range t.Messages {
				fmt.Fprintf(w, "    %s\n", clean(truncate(m, 200)))
			}
		}
	}
}

// excTypesText is "AssertionError ×5, KeyError ×1", most frequent first.
func excTypesText(m map[string]int) string {
	var cs []results.SignatureCount
	for k, v := range m {
		cs = append(cs, results.SignatureCount{Signature: k, Count: v})
	}
	slices.SortFunc(cs, func(a, b results.SignatureCount) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		return strings.Compare(a.Signature, b.Signature)
	})
	var parts []string
	for _, c := range cs {
		parts = append(parts, fmt.Sprintf("%s ×%d", c.Signature, c.Count))
	}
	return strings.Join(parts, ", ")
}

func truncate(s string, n int) string {
	if len([]rune(s)) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// WriteCompat writes `pyrace compat`: per package, its extension modules,
// opt-in declarations and whether the GIL came back, and which module
// brought it back.
func WriteCompat(w io.Writer, cs []Compat) {
	if len(cs) == 0 {
		fmt.Fprintln(w, "no packages to show")
		return
	}
	for i, c := range cs {
		if i > 0 {
			fmt.Fprintln(w)
		}
		verdict := "GIL stays disabled"
		switch {
		case c.GILReenabled:
			verdict = "GIL re-enabled"
		case !c.Probed:
			verdict = "not probed"
		}
		fmt.Fprintf(w, "%s: %s\n", clean(c.Package), verdict)
		if c.ImportName != "" {
			fmt.Fprintf(w, "  import name  %s\n", clean(c.ImportName))
		}
		if c.ProbeError != "" {
			fmt.Fprintf(w, "  probe error  %s\n", clean(c.ProbeError))
		}
		fmt.Fprintf(w, "  extensions   %s\n", orDash(clean(strings.Join(c.Extensions, ", "))))
		if len(c.OptIns) == 0 {
			fmt.Fprintln(w, "  opt-ins      none declared")
		}
		for _, o := range c.OptIns {
			fmt.Fprintf(w, "  opt-in       %s:%d %s: %s\n", clean(o.File), o.Line, o.Form, clean(o.Text))
		}
		for _, e := range c.EnabledBy {
			line := "  enabled by   " + clean(e.Module)
			if e.Message != "" {
				line += ": " + clean(truncate(e.Message, 200))
			}
			fmt.Fprintln(w, line)
		}
		if d := c.EnabledDuring; d != nil {
			fmt.Fprintf(w, "  during tests the GIL was back %s %s", d.When, clean(orDash(d.Test)))
			if len(d.Modules) > 0 {
				fmt.Fprintf(w, " (modules loaded: %s)", clean(strings.Join(d.Modules, ", ")))
			}
			fmt.Fprintln(w)
		}
		for _, e := range c.ImportErrors {
			fmt.Fprintf(w, "  import error %s\n", clean(e))
		}
	}
}

// HasExtensions reports whether c is about a package with extension
// modules (or one whose import re-enabled the GIL, which only an extension
// does).
func (c Compat) HasExtensions() bool { return len(c.Extensions) > 0 || c.GILReenabled }

// WriteCompare writes `pyrace compare`: the counts, then each change,
// regressions first.
func WriteCompare(w io.Writer, cmp Comparison, older, newer string) {
	fmt.Fprintf(w, "%s -> %s: %d regressed, %d improved, %d unchanged, %d new, %d removed\n",
		clean(older), clean(newer), cmp.Regressed, cmp.Improved, cmp.Unchanged, cmp.Added, cmp.Removed)
	for _, ch := range cmp.Changes {
		if ch.Status == Unchanged && !ch.hasNews() {
			continue
		}
		fmt.Fprintln(w)
		fmt.Fprintf(w, "%s %s: %s\n", statusMark(ch.Status), clean(ch.Package), ch.Status)
		switch {
		case ch.Old != nil && ch.New != nil:
			if ch.CategoryChanged() {
				fmt.Fprintf(w, "  category   %s -> %s\n", ch.Old.CategoryText(), ch.New.CategoryText())
			} else {
				fmt.Fprintf(w, "  category   %s\n", ch.New.CategoryText())
			}
			if ch.Old.Iterations > 0 && ch.New.Iterations > 0 {
				note := "within noise"
				if ch.Significant {
					note = "beyond noise"
				}
				fmt.Fprintf(w, "  pass rate  %s -> %s: %+.0f points (%s: ±%.0f)\n", ch.Old.PassRateText(), ch.New.PassRateText(),
					100*ch.PassRateDelta, note, 100*ch.NoiseBand)
			}
		case ch.New != nil:
			fmt.Fprintf(w, "  category   %s, pass rate %s\n", ch.New.CategoryText(), ch.New.PassRateText())
		case ch.Old != nil:
			fmt.Fprintf(w, "  was        %s, pass rate %s\n", ch.Old.CategoryText(), ch.Old.PassRateText())
		}
		list := func(label string, xs []string) {
			for _, x := range xs {
				fmt.Fprintf(w, "  %-10s %s\n", label, clean(x))
			}
		}
		list("new crash", ch.NewCrashes)
		list("fixed crash", ch.ResolvedCrashes)
		list("new race", ch.NewRaces)
		list("gone race", ch.ResolvedRaces)
		list("new flaky", ch.NewFlaky)
		list("no longer flaky", ch.ResolvedFlaky)
	}
}

// hasNews reports whether an unchanged package still gained or lost a
// crash, race or flaky test.
func (c Change) hasNews() bool {
	return len(c.NewCrashes)+len(c.ResolvedCrashes)+len(c.NewRaces)+len(c.ResolvedRaces)+len(c.NewFlaky)+len(c.ResolvedFlaky) > 0
}

func statusMark(s string) string {
	switch s {
	case Regressed:
		return "-"
	case Improved:
		return "+"
	case Added:
		return "*"
	case Removed:
		return "x"
	}
	return "="
}

// WriteText writes the full report as plain text: show, then flakiness,
// compatibility and stack dumps.
func WriteText(w io.Writer, doc Document) error {
	if err := WriteShow(w, doc, ShowOptions{}); err != nil {
		return err
	}
	for _, s := range doc.Packages {
		if s.Verdict != "" {
			fmt.Fprintf(w, "\n%s: %s", clean(s.Package), clean(s.Verdict))
		}
	}
	if len(doc.Packages) > 0 {
		fmt.Fprintln(w)
	}
	if len(doc.Flaky) > 0 {
		fmt.Fprintln(w, "\n== Failures")
		WriteFlaky(w, doc.Flaky)
	}
	if len(doc.Compat) > 0 {
		fmt.Fprintln(w, "\n== Extensions and the GIL")
		WriteCompat(w, doc.Compat)
	}
	if len(doc.Warnings) > 0 {
		fmt.Fprintln(w, "\n== Warnings")
		writeWarnings(w, doc.Warnings)
	}
	if len(doc.StackDumps) > 0 {
		fmt.Fprintln(w, "\n== Stack dumps")
		for _, d := range doc.StackDumps {
			fmt.Fprintf(w, "\n-- %s %s iteration %d (%s) %s\n", clean(d.Package), d.Mode, d.Index, d.Outcome, clean(d.Path))
			fmt.Fprintln(w, strings.TrimRight(cleanBlock(d.Text), "\n"))
			if d.Truncated {
				fmt.Fprintf(w, "[cut at %d bytes]\n", MaxStackDump)
			}
		}
	}
	return nil
}
