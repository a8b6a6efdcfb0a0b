package report

import (
	"fmt"
	"io"
	"strings"
)

// md escapes a string from a run for Markdown text and table cells: HTML
// is written as entities (a test named "<script>" stays text), Markdown
// punctuation is backslash-escaped, and the line stays one line.
func md(s string) string {
	s = clean(s)
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '\\', '`', '*', '_', '[', ']', '|', '#', '~', '!', '{', '}':
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// fence returns a code fence longer than any run of backticks in text.
func fence(text string) string {
	longest, cur := 0, 0
	for _, r := range text {
		if r == '`' {
			cur++
			longest = max(longest, cur)
		} else {
			cur = 0
		}
	}
	return strings.Repeat("`", max(3, longest+1))
}

// WriteMarkdown writes the full report as Markdown, ready to paste into an
// issue or a compatibility tracker: runs, counts, the package table, then
// failures, extensions and stack dumps (in collapsible blocks).
func WriteMarkdown(w io.Writer, doc Document) error {
	fmt.Fprintln(w, "# pyrace report")
	fmt.Fprintln(w)
	for _, r := range doc.Runs {
		interp := r.Interpreter.Describe()
		fmt.Fprintf(w, "- run `%s` (%s): %s; %s, %d CPUs, started %s, %s\n", strings.ReplaceAll(clean(r.RunID), "`", "'"), r.Status,
			md(interp), md(orDash(r.System.Hostname)), r.System.CPUs, r.Started.UTC().Format("2006-01-02 15:04Z"), plural(r.Packages, "package"))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, md(categoryLine(doc)))
	if len(doc.Packages) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, "| package | category | pass rate (95%) | iterations | crashes | deadlocks | flaky tests | GIL baseline | TSAN races | GIL fallback |")
		fmt.Fprintln(w, "|---|---|---|---:|---:|---:|---:|---|---:|---|")
		for _, s := range doc.Packages {
			fmt.Fprintf(w, "| %s | %s | %s | %d | %d | %d | %d | %s | %d | %s |\n", md(s.Package), md(s.CategoryText()), s.PassRateText(),
				s.Iterations, len(s.Crashes), s.Deadlocks+s.Livelocks, s.FlakyTests, md(orDash(gilBaselineText(s))), s.TSANRaces,
				md(orDash(strings.Join(s.GILFallback, ", "))))
		}
		fmt.Fprintln(w)
		for _, s := range doc.Packages {
			if s.Verdict != "" {
				fmt.Fprintf(w, "- **%s**: %s\n", md(s.Package), md(s.Verdict))
			}
		}
	}
	if len(doc.Flaky) > 0 {
		fmt.Fprintln(w, "\n## Failures")
		for _, fl := range doc.Flaky {
			fmt.Fprintf(w, "\n### %s\n\n", md(fl.Package))
			fmt.Fprintf(w, "%d/%d iterations failed; pattern: %s; iterations: `%s`\n", fl.Failed, fl.Iterations, fl.Pattern, fl.Outcomes)
			for _, c := range fl.Crashes {
				fmt.Fprintf(w, "\n- crash ×%d: %s", c.Count, md(c.Signature))
			}
			if len(fl.Crashes) > 0 {
				fmt.Fprintln(w)
			}
			if len(fl.Tests) > 0 {
				fmt.Fprintln(w)
				fmt.Fprintln(w, "| test | history | failed | exceptions | also with the GIL | only threaded |")
				fmt.Fprintln(w, "|---|---|---:|---|---|---|")
				for _, t := range fl.Tests {
					fmt.Fprintf(w, "| %s | `%s` | %d/%d | %s | %s | %s |\n", md(t.ID), t.Marks, t.Failures, t.Ran,
						md(orDash(excTypesText(t.ExcTypes))), yesNo(t.FailsWithGIL), yesNo(t.OnlyThreaded))
				}
			}
		}
	}
	if len(doc.Compat) > 0 {
		fmt.Fprintln(w, "\n## Extensions and the GIL")
		fmt.Fprintln(w)
		fmt.Fprintln(w, "| package | extensions | opt-in declarations | GIL re-enabled by |")
		fmt.Fprintln(w, "|---|---|---|---|")
		for _, c := range doc.Compat {
			var optins, by []string
			for _, o := range c.OptIns {
				optins = append(optins, fmt.Sprintf("%s:%d %s", o.File, o.Line, o.Form))
			}
			for _, e := range c.EnabledBy {
				by = append(by, e.Module)
			}
			fmt.Fprintf(w, "| %s | %s | %s | %s |\n", md(c.Package), md(orDash(strings.Join(c.Extensions, ", "))),
				md(orDash(strings.Join(optins, ", "))), md(orDash(strings.Join(by, ", "))))
		}
	}
	if len(doc.StackDumps) > 0 {
		fmt.Fprintln(w, "\n## Stack dumps")
		for _, d := range doc.StackDumps {
			text := strings.TrimRight(cleanBlock(d.Text), "\n")
			f := fence(text)
			fmt.Fprintf(w, "\n<details><summary>%s, %s iteration %d: %s</summary>\n\n%s\n%s\n%s\n\n</details>\n",
				md(d.Package), d.Mode, d.Index, d.Outcome, f, text, f)
		}
	}
	if len(doc.Warnings) > 0 {
		fmt.Fprintln(w, "\n## Warnings")
		fmt.Fprintln(w)
		for _, wn := range doc.Warnings {
			fmt.Fprintf(w, "- %s\n", md(wn))
		}
	}
	return nil
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "-"
}
