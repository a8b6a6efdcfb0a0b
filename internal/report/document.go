package report

import (
	"cmp"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/pyrace/pyrace/internal/results"
)

// Document is everything a full report shows, computed once from a Set and
// rendered as text, Markdown or HTML.
type Document struct {
	// Runs describe the run directories, in the order read.
	Runs []RunInfo `json:"runs"`
	// Categories counts packages per category, in severity order, with
	// the packages still without a verdict last (Category "").
	Categories []CategoryCount `json:"categories"`
	// Packages are the packages' summaries, sorted by severity, then name.
	Packages []Summary `json:"packages"`
	// Timelines are each package's free-threaded iterations, in order.
	Timelines []Timeline `json:"timelines"`
	// Flaky is the flaky analysis of the packages with failures, most
	// failing tests first.
	Flaky []Flakiness `json:"flaky,omitempty"`
	// Compat are the packages with extension modules, opt-in declarations
	// or GIL fallback.
	Compat []Compat `json:"compat,omitempty"`
	// StackDumps are the stacks of crashed and stalled iterations.
	StackDumps []StackDump `json:"stack_dumps,omitempty"`
	// Warnings are the Set's warnings.
	Warnings []string `json:"warnings,omitempty"`
}

// RunInfo describes one run directory.
type RunInfo struct {
	RunID       string              `json:"run_id"`
	Dir         string              `json:"dir"`
	Status      results.Status      `json:"status"`
	Started     time.Time           `json:"started"`
	Finished    *time.Time          `json:"finished,omitempty"`
	Argv        []string            `json:"argv"`
	Interpreter results.Interpreter `json:"interpreter"`
	System      results.System      `json:"system"`
	Packages    int                 `json:"packages"`
}

// CategoryCount is how many packages fell in a category.
type CategoryCount struct {
	Category results.Category `json:"category"`
	Count    int              `json:"count"`
}

// Timeline is one package's free-threaded iterations.
type Timeline struct {
	Package    string           `json:"package"`
	Iterations []TimelineEntry  `json:"iterations"`
	Category   results.Category `json:"category,omitempty"`
}

// TimelineEntry is one iteration of a timeline.
type TimelineEntry struct {
	Index    int             `json:"index"`
	Outcome  results.Outcome `json:"outcome"`
	Duration float64         `json:"duration_seconds"`
	Reason   string          `json:"reason,omitempty"`
}

// StackDump is the thread stacks of one crashed or stalled iteration.
type StackDump struct {
	Package   string          `json:"package"`
	Index     int             `json:"index"`
	Mode      results.Mode    `json:"mode"`
	Outcome   results.Outcome `json:"outcome"`
	Signature string          `json:"signature,omitempty"`
	// Path is the dump's file, relative to the run directory.
	Path string `json:"path"`
	// Text is the dump, at most MaxStackDump bytes of it.
	Text      string `json:"text"`
	Truncated bool   `json:"truncated,omitempty"`
}

// MaxStackDump bounds the text of one stack dump in a report.
const MaxStackDump = 64 << 10

// maxStackDumps bounds the stack dumps per package.
const maxStackDumps = 3

// Build computes the document of set.
func Build(set *Set) Document {
	doc := Document{Warnings: set.Warnings}
	perRun := map[*results.Run]int{}
	for _, p := range set.Packages {
		perRun[p.Run]++
	}
	for _, r := range set.Runs {
		m := r.Meta
		doc.Runs = append(doc.Runs, RunInfo{RunID: m.RunID, Dir: r.Dir, Status: m.Status, Started: m.Started,
			Finished: m.Finished, Argv: m.Argv, Interpreter: m.Interpreter, System: m.System, Packages: perRun[r]})
	}
	counts := map[results.Category]int{}
	for _, p := range set.Packages {
		s := p.Summarize()
		doc.Packages = append(doc.Packages, s)
		counts[s.Category]++
		tl := Timeline{Package: p.Name, Category: s.Category}
		for _, it := range p.FreeThreaded() {
			tl.Iterations = append(tl.Iterations, TimelineEntry{Index: it.Index, Outcome: it.Outcome, Duration: it.Duration, Reason: it.Reason})
		}
		doc.Timelines = append(doc.Timelines, tl)
		if fl := p.AnalyzeFlakiness(); fl.Failed > 0 || len(fl.Tests) > 0 {
			doc.Flaky = append(doc.Flaky, fl)
		}
		if c := p.Compatibility(); len(c.Extensions) > 0 || len(c.OptIns) > 0 || c.GILReenabled {
			doc.Compat = append(doc.Compat, c)
		}
		doc.StackDumps = append(doc.StackDumps, stackDumps(p)...)
	}
	for _, c := range append(results.Categories(), "") {
		if counts[c] > 0 {
			doc.Categories = append(doc.Categories, CategoryCount{Category: c, Count: counts[c]})
		}
	}
	SortSummaries(doc.Packages, SortCategory)
	rank := map[string]int{}
	for i, s := range doc.Packages {
		rank[s.Package] = i
	}
	slices.SortStableFunc(doc.Timelines, func(a, b Timeline) int { return cmp.Compare(rank[a.Package], rank[b.Package]) })
	slices.SortStableFunc(doc.Flaky, func(a, b Flakiness) int {
		return cmp.Or(cmp.Compare(len(b.Tests), len(a.Tests)), cmp.Compare(rank[a.Package], rank[b.Package]))
	})
	return doc
}

// stackDumps reads the stacks of p's crashed and stalled iterations: the
// dump pyrace took at a stall or timeout, or what the crash printed at the
// end of the iteration's stderr (faulthandler's "Fatal Python error" and
// the threads' stacks).
func stackDumps(p *Package) []StackDump {
	var out []StackDump
	for _, it := range p.Iterations {
		if len(out) >= maxStackDumps {
			break
		}
		rel := it.StackDump
		crash := rel == "" && it.Outcome == results.OutcomeCrash && it.LogDir != ""
		if crash {
			rel = it.LogDir + "/stderr.txt"
		}
		if rel == "" {
			continue
		}
		d := StackDump{Package: p.Name, Index: it.Index, Mode: it.Mode, Outcome: it.Outcome,
			Signature: it.CrashSignature, Path: rel}
		path := filepath.Join(p.Run.Dir, filepath.FromSlash(rel))
		var text string
		var err error
		if crash {
			text, d.Truncated, err = readCrash(path, MaxStackDump)
		} else {
			text, d.Truncated, err = readCapped(path, MaxStackDump)
		}
		if err != nil {
			text = "(cannot read the stack dump: " + err.Error() + ")"
		}
		d.Text = text
		out = append(out, d)
	}
	return out
}

// readCrash reads what a crash printed: the end of stderr (at most limit
// bytes) from its last "Fatal Python error" line, or all of that end
// when there is none.
func readCrash(path string, limit int) (string, bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", false, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return "", false, err
	}
	start := max(fi.Size()-int64(limit), 0)
	b := make([]byte, fi.Size()-start)
	if _, err := f.ReadAt(b, start); err != nil && err != io.EOF {
		return "", false, err
	}
	text := strings.ToValidUTF8(string(b), "\uFFFD")
	if k := strings.LastIndex(text, "Fatal Python error"); k >= 0 {
		text = text[k:]
	}
	return text, start > 0, nil
}

// readCapped reads at most limit bytes of path, as valid UTF-8.
func readCapped(path string, limit int) (string, bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", false, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, int64(limit)+1))
	if err != nil {
		return "", false, err
	}
	truncated := len(b) > limit
	if truncated {
		b = b[:limit]
	}
	return strings.ToValidUTF8(string(b), "\uFFFD"), truncated, nil
}
