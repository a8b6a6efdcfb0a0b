package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/pyrace/pyrace/internal/tsan"
)

// tsanOptions are the flags and arguments of `pyrace tsan`.
type tsanOptions struct {
	logs        []string
	format      string
	example     bool
	output      string
	writeSup    string
	applySup    string
	jobs        int
	suppression []tsan.Suppression
}

func newTsanCmd(env Env) *cobra.Command {
	var opts tsanOptions
	cmd := &cobra.Command{
		Use:   "tsan [flags] LOG...",
		Short: "Read ThreadSanitizer reports from logs and list the distinct races",
		Long: `Read the ThreadSanitizer reports in LOG files (- for standard input), among
whatever else the logs hold (test output, tracebacks, other processes), and
list the distinct races: reports grouped by signature (the kind and, for
each of the two accesses, the first frame that is not TSAN's, an
allocator's or an atomic helper's, as function and file; never addresses,
pids, thread ids or directories), most frequent first, with the count, the
first and last occurrence (log:line), the two frames and the component each
belongs to (interpreter, extension NAME, other).

--example adds one whole report per race. --format markdown is ready to paste
into a bug report (the example stacks in collapsible blocks); json holds
everything. --suppressions FILE writes a TSAN suppressions file with one
line per race (race:function, thread:..., deadlock:..., a comment giving
the count and signature); --apply-suppressions FILE drops the reports such
a file silences, with TSAN's matching rules (a substring of a frame's
function, file or module; * and ^ $ as in TSAN).

Logs are read in parallel (a large one in sections at once), each streamed
with memory that does not grow with its length.

Exit status: 0 when no report remains, 1 when some do, 2 when a log could
not be read (the others are still reported) or on a usage error.`,
		Example: `  pyrace tsan test-output.log
  pyrace tsan --format markdown --example logs/*.txt > races.md
  pyrace tsan --suppressions tsan.supp build.log
  pyrace tsan --apply-suppressions tsan.supp new.log`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.logs = args
			return runTsan(cmd.Context(), opts, env)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.format, "format", "text", "`FORMAT` of the report: text, json or markdown")
	f.BoolVar(&opts.example, "example", false, "show one whole report per race")
	f.StringVarP(&opts.output, "output", "o", "", "write the report to `FILE` instead of standard output")
	f.StringVar(&opts.writeSup, "suppressions", "", "write a TSAN suppressions file for the races found to `FILE`")
	f.StringVar(&opts.applySup, "apply-suppressions", "", "drop the reports the TSAN suppressions `FILE` silences")
	f.IntVarP(&opts.jobs, "jobs", "j", 0, "read `N` logs in parallel; 0, the default, means one per CPU")
	return cmd
}

// tsanLog is what reading one log gave.
type tsanLog struct {
	name       string
	group      tsan.Grouper
	warnings   int // the "ThreadSanitizer: reported N warnings" trailers
	suppressed int
	err        error
}

func runTsan(ctx context.Context, opts tsanOptions, env Env) error {
	switch opts.format {
	case "text", "json", "markdown":
	default:
		return usagef("--format %q: want text, json or markdown", opts.format)
	}
	if opts.jobs < 0 {
		return usagef("--jobs %d: must be 0 (one per CPU) or more", opts.jobs)
	}
	if opts.applySup != "" {
		b, err := os.ReadFile(opts.applySup)
		if err != nil {
			return &usageError{err: fmt.Errorf("--apply-suppressions: %w", err)}
		}
		sups, err := tsan.ParseSuppressions(string(b))
		if err != nil {
			return &usageError{err: fmt.Errorf("--apply-suppressions %s: %w", opts.applySup, err)}
		}
		opts.suppression = sups
	}
	stdin := 0
	for _, l := range opts.logs {
		if l == "-" {
			stdin++
		}
	}
	if stdin > 1 {
		return usagef("standard input (-) can be read once")
	}
	stdinReader := env.Stdin
	if stdinReader == nil {
		stdinReader = strings.NewReader("")
	}
	// Parsing allocates a little per report and keeps one report per
	// race: a GC target above Go's default costs a few megabytes and saves
	// about a quarter of the time on large logs. GOGC overrides it.
	if env.Getenv("GOGC") == "" {
		defer debug.SetGCPercent(debug.SetGCPercent(parseGCPercent))
	}
	logs := readTsanLogs(ctx, opts, stdinReader)
	if err := ctx.Err(); err != nil {
		return err
	}

	var all tsan.Grouper
	suppressed, unreadable := 0, 0
	for i := range logs {
		l := &logs[i]
		if l.err != nil {
			unreadable++
			fmt.Fprintf(env.Stderr, "pyrace: %s: %v\n", l.name, l.err)
		}
		all.Merge(&l.group)
		suppressed += l.suppressed
	}
	races := all.Races()

	out := env.Stdout
	var file *os.File
	if opts.output != "" {
		f, err := os.Create(opts.output)
		if err != nil {
			return &usageError{err: fmt.Errorf("-o: %w", err)}
		}
		file = f
		out = f
	}
	w := bufio.NewWriter(out)
	var werr error
	switch opts.format {
	case "json":
		werr = writeTsanJSON(w, logs, &all, races, suppressed, opts.example)
	case "markdown":
		writeTsanMarkdown(w, logs, &all, races, suppressed, opts.example)
	default:
		writeTsanText(w, logs, &all, races, suppressed, opts.example)
	}
	if err := errors.Join(werr, w.Flush()); err != nil {
		return fmt.Errorf("writing the report: %w", err)
	}
	if file != nil {
		if err := file.Close(); err != nil {
			return fmt.Errorf("writing %s: %w", opts.output, err)
		}
	}
	if opts.writeSup != "" {
		if err := os.WriteFile(opts.writeSup, []byte(suppressionsFile(races)), 0o644); err != nil {
			return fmt.Errorf("--suppressions: %w", err)
		}
	}
	switch {
	case unreadable > 0:
		return &exitStatus{code: ExitError}
	case len(races) > 0:
		return &exitStatus{code: ExitFindings}
	}
	return nil
}

// readTsanLogs parses the logs with up to opts.jobs at once; results keep
// the order of the arguments.
func readTsanLogs(ctx context.Context, opts tsanOptions, stdin io.Reader) []tsanLog {
	logs := make([]tsanLog, len(opts.logs))
	jobs := opts.jobs
	if jobs == 0 {
		jobs = runtime.NumCPU()
	}
	// Fewer logs than jobs: the large ones are read in sections at once.
	parts := max(1, jobs/max(len(logs), 1))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(jobs, len(logs)) {
		wg.Go(func() {
			for i := range next {
				logs[i] = readTsanLog(opts.logs[i], opts.suppression, stdin, parts)
			}
		})
	}
	for i := range logs {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	return logs
}

// readTsanLog parses one log (name "-": stdin), a large file in up to
// parts sections at once.
func readTsanLog(name string, sups []tsan.Suppression, stdin io.Reader, parts int) tsanLog {
	l := tsanLog{name: name}
	var in io.Reader = stdin
	display := name
	if name == "-" {
		display = "<stdin>"
		l.name = display
	} else {
		f, err := os.Open(name)
		if err != nil {
			l.err = errors.Unwrap(err)
			if l.err == nil {
				l.err = err
			}
			return l
		}
		defer f.Close()
		fi, err := f.Stat()
		if err == nil && fi.IsDir() {
			l.err = errors.New("is a directory, not a log")
			return l
		}
		if err == nil && fi.Mode().IsRegular() && parts > 1 {
			if cuts := tsan.SplitPoints(f, fi.Size(), parts); len(cuts) > 0 {
				l.warnings, l.suppressed, err = l.group.ReadSections(display, f, fi.Size(), cuts, suppressionFilter(sups))
				l.setReadError(err)
				return l
			}
		}
		in = f
	}
	var err error
	l.warnings, l.suppressed, err = l.group.Read(display, in, suppressionFilter(sups))
	l.setReadError(err)
	return l
}

// setReadError records an error that ended reading a log.
func (l *tsanLog) setReadError(err error) {
	if err != nil {
		l.err = fmt.Errorf("reading: %w (the reports before the error are kept)", err)
	}
}

// suppressionFilter is the filter that leaves out the reports sups silence, nil
// when there are none.
func suppressionFilter(sups []tsan.Suppression) func(tsan.Report) bool {
	if len(sups) == 0 {
		return nil
	}
	return func(r tsan.Report) bool {
		_, ok := tsan.Suppressed(r, sups)
		return ok
	}
}

// tsanHeadline is the first line of every format.
func tsanHeadline(logs []tsanLog, all *tsan.Grouper, races []tsan.Race, suppressed int) string {
	if all.Reports() == 0 {
		line := "no ThreadSanitizer reports in " + plural(len(logs), "log")
		if suppressed > 0 {
			line += fmt.Sprintf(" (%d suppressed)", suppressed)
		}
		return line
	}
	line := fmt.Sprintf("%s in %s from %s", plural(len(races), "distinct race"), plural(all.Reports(), "report"), plural(len(logs), "log"))
	if suppressed > 0 {
		line += fmt.Sprintf(" (%d suppressed)", suppressed)
	}
	return line
}

// frameText is "function file:line:col [component]".
func frameText(f tsan.KeyFrame) string {
	var b strings.Builder
	b.WriteString(f.Function)
	switch {
	case f.File != "":
		fmt.Fprintf(&b, " %s", f.File)
		if f.Line > 0 {
			fmt.Fprintf(&b, ":%d", f.Line)
			if f.Column > 0 {
				fmt.Fprintf(&b, ":%d", f.Column)
			}
		}
	case f.Module != "":
		fmt.Fprintf(&b, " (%s)", f.Module)
	}
	fmt.Fprintf(&b, " [%s]", f.Component)
	return b.String()
}

// accessesText is "write by main thread vs atomic write by T7".
func accessesText(r tsan.Report) string {
	var parts []string
	for _, a := range r.Accesses {
		op := a.Op
		if a.Atomic {
			op = "atomic " + op
		}
		who := "thread " + a.Thread
		if a.Thread == "main" {
			who = "the main thread"
		}
		s := op
		if a.Size > 0 {
			s += fmt.Sprintf(" of %d bytes", a.Size)
		}
		s += " by " + who
		if len(a.Mutexes) > 0 {
			s += " holding " + strings.Join(a.Mutexes, ", ")
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " vs ")
}

func locationText(l *tsan.Location) string {
	if l == nil {
		return ""
	}
	switch l.Kind {
	case "global":
		name := l.Name
		if name == "" {
			name = "(unnamed)"
		}
		s := "global " + name
		if l.Module != "" {
			s += " in " + l.Module
		}
		return s
	case "heap":
		return fmt.Sprintf("heap block of %d bytes allocated by %s", l.Size, l.Thread)
	case "fd":
		return fmt.Sprintf("file descriptor %d", l.FD)
	case "stack", "tls":
		return fmt.Sprintf("%s of %s", l.Kind, l.Thread)
	}
	return l.Text
}

func writeTsanText(w io.Writer, logs []tsanLog, all *tsan.Grouper, races []tsan.Race, suppressed int, example bool) {
	fmt.Fprintln(w, tsanHeadline(logs, all, races, suppressed))
	for i, r := range races {
		fmt.Fprintf(w, "\n%d. %s ×%d: %s\n", i+1, r.Kind, r.Count, strings.TrimPrefix(r.Signature, r.Kind+": "))
		seen := "   first " + occurrenceText(r.First)
		if r.Count > 1 {
			seen += ", last " + occurrenceText(r.Last)
		}
		fmt.Fprintln(w, seen)
		if a := accessesText(r.Example); a != "" {
			fmt.Fprintln(w, "   "+a)
		}
		if l := locationText(r.Example.Location); l != "" {
			fmt.Fprintln(w, "   location: "+l)
		}
		for _, f := range r.Frames {
			fmt.Fprintln(w, "   "+frameText(f))
		}
		if example {
			fmt.Fprintln(w, "   example:")
			for _, line := range r.Example.Lines {
				fmt.Fprintln(w, "     "+line)
			}
		}
	}
}

func occurrenceText(o tsan.Occurrence) string {
	s := o.String()
	if o.PID != 0 {
		s += fmt.Sprintf(" (pid %d)", o.PID)
	}
	return s
}

// tsanJSON is the --format json document.
type tsanJSON struct {
	SchemaVersion int            `json:"schema_version"`
	Logs          []tsanJSONLog  `json:"logs"`
	Reports       int            `json:"reports"`
	Suppressed    int            `json:"suppressed"`
	Races         []tsanJSONRace `json:"races"`
}

type tsanJSONLog struct {
	Name  string `json:"name"`
	Races int    `json:"races"`
	// Warnings is the sum of the "reported N warnings" trailers.
	Warnings int    `json:"warnings,omitempty"`
	Error    string `json:"error,omitempty"`
}

type tsanJSONRace struct {
	tsan.Race
	Accesses     []tsan.Access      `json:"accesses,omitempty"`
	Location     *tsan.Location     `json:"location,omitempty"`
	Threads      []tsan.Thread      `json:"threads,omitempty"`
	Mutexes      []tsan.Mutex       `json:"mutexes,omitempty"`
	Cycle        []string           `json:"cycle,omitempty"`
	Acquisitions []tsan.Acquisition `json:"acquisitions,omitempty"`
	Example      []string           `json:"example,omitempty"`
}

func writeTsanJSON(w io.Writer, logs []tsanLog, all *tsan.Grouper, races []tsan.Race, suppressed int, example bool) error {
	doc := tsanJSON{SchemaVersion: 1, Reports: all.Reports(), Suppressed: suppressed, Races: []tsanJSONRace{}}
	for _, l := range logs {
		jl := tsanJSONLog{Name: l.name, Races: len(l.group.Races()), Warnings: max(l.warnings, 0)}
		if l.err != nil {
			jl.Error = l.err.Error()
		}
		doc.Logs = append(doc.Logs, jl)
	}
	for _, r := range races {
		e := r.Example
		jr := tsanJSONRace{Race: r, Accesses: e.Accesses, Location: e.Location, Threads: e.Threads,
			Mutexes: e.Mutexes, Cycle: e.Cycle, Acquisitions: e.Acquisitions}
		if example {
			jr.Example = e.Lines
		}
		doc.Races = append(doc.Races, jr)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// mdEscape makes s safe in a Markdown table cell or line.
func mdEscape(s string) string {
	r := strings.NewReplacer("|", `\|`, "<", "&lt;", ">", "&gt;", "*", `\*`, "_", `\_`, "`", "'", "\n", " ")
	return r.Replace(s)
}

func writeTsanMarkdown(w io.Writer, logs []tsanLog, all *tsan.Grouper, races []tsan.Race, suppressed int, example bool) {
	fmt.Fprintf(w, "## ThreadSanitizer: %s\n", tsanHeadline(logs, all, races, suppressed))
	if len(races) == 0 {
		return
	}
	fmt.Fprintln(w, "\n| # | kind | count | frames | components | first seen |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|")
	for i, r := range races {
		var frames, comps []string
		for _, f := range r.Frames {
			frames = append(frames, "`"+strings.ReplaceAll(f.Function, "`", "'")+"`")
			comps = append(comps, mdEscape(f.Component))
		}
		fmt.Fprintf(w, "| %d | %s | %d | %s | %s | %s |\n", i+1, mdEscape(r.Kind), r.Count,
			strings.Join(frames, " vs "), strings.Join(comps, ", "), mdEscape(r.First.String()))
	}
	for i, r := range races {
		fmt.Fprintf(w, "\n### %d. %s: %s\n\n", i+1, mdEscape(r.Kind), mdEscape(strings.TrimPrefix(r.Signature, r.Kind+": ")))
		if a := accessesText(r.Example); a != "" {
			fmt.Fprintf(w, "- %s\n", mdEscape(a))
		}
		if l := locationText(r.Example.Location); l != "" {
			fmt.Fprintf(w, "- location: %s\n", mdEscape(l))
		}
		for _, f := range r.Frames {
			fmt.Fprintf(w, "- `%s`\n", strings.ReplaceAll(frameText(f), "`", "'"))
		}
		fmt.Fprintf(w, "- seen %s, first %s, last %s\n", plural(r.Count, "time"), mdEscape(r.First.String()), mdEscape(r.Last.String()))
		if example {
			fmt.Fprintln(w, "\n<details><summary>Example report</summary>\n\n```")
			for _, line := range r.Example.Lines {
				fmt.Fprintln(w, strings.ReplaceAll(line, "```", "'''"))
			}
			fmt.Fprintln(w, "```\n\n</details>")
		}
	}
}

// suppressionsFile is a TSAN suppressions file silencing races: one line
// per distinct suppression, each after comments giving the races it covers.
func suppressionsFile(races []tsan.Race) string {
	type entry struct {
		line     string
		comments []string
	}
	var order []string
	byLine := map[string]*entry{}
	var none []string
	for _, r := range races {
		if r.Suppression == "" {
			none = append(none, fmt.Sprintf("# no suppression for %s ×%d: %s", r.Kind, r.Count, r.Signature))
			continue
		}
		e := byLine[r.Suppression]
		if e == nil {
			e = &entry{line: r.Suppression}
			byLine[r.Suppression] = e
			order = append(order, r.Suppression)
		}
		e.comments = append(e.comments, fmt.Sprintf("# ×%d %s", r.Count, r.Signature))
	}
	sort.Strings(order)
	var b strings.Builder
	b.WriteString("# ThreadSanitizer suppressions written by pyrace tsan; use with\n# TSAN_OPTIONS=suppressions=FILE\n")
	for _, line := range order {
		b.WriteString("\n")
		for _, c := range byLine[line].comments {
			b.WriteString(c + "\n")
		}
		b.WriteString(line + "\n")
	}
	for _, c := range none {
		b.WriteString("\n" + c + "\n")
	}
	return b.String()
}
