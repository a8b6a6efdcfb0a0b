package cli

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/pyrace/pyrace/internal/pyfiles"
	"github.com/pyrace/pyrace/internal/python"
)

// parseOptions are the flags and arguments of `pyrace parse`.
type parseOptions struct {
	paths  []string
	dump   bool
	stats  bool
	jobs   int // 0 means runtime.NumCPU()
	format string
}

func newParseCmd(env Env) *cobra.Command {
	var opts parseOptions
	cmd := &cobra.Command{
		Use:   "parse [--dump] [--stats] [--jobs N] [--format FORMAT] PATH...",
		Short: "Parse Python files and report syntax and decoding errors",
		Long: `Parse Python files with pyrace's own parser and report every syntax or
decoding error as PATH:LINE:COL: MESSAGE on stderr, sorted by path and line.

PATH is a file or a directory. Directories are walked for *.py and *.pyi
files, following symbolic links, skipping .git, .venv, venv, build, dist,
node_modules, __pycache__, site-packages, .tox, .nox and .mypy_cache unless
such a directory is named explicitly. Files named explicitly are parsed
whatever their extension. Missing paths, unreadable files and directories,
broken symbolic links and symbolic link loops are reported like syntax
errors (at 1:1) and do not stop the run.

Exit status: 0 when every file parsed, 2 when any file had an error or could
not be read (reported after every other file was processed), or on a usage
error.`,
		Example: `  pyrace parse src/
  pyrace parse --stats --jobs 1 /usr/lib/python3.11
  pyrace parse --stats --format json src/ > stats.json
  pyrace parse --dump example.py`,
		DisableFlagsInUseLine: true,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("%s needs at least one PATH", cmd.CommandPath())
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.paths = args
			if err := opts.validate(); err != nil {
				return err
			}
			if opts.dump {
				return runDump(opts.paths[0], env)
			}
			return runParse(cmd.Context(), opts, env)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&opts.dump, "dump", false, "print the AST of the single file PATH to stdout")
	f.BoolVar(&opts.stats, "stats", false, "print files, lines, bytes, errors, wall time and MB/s to stdout")
	f.IntVarP(&opts.jobs, "jobs", "j", 0, "parse `N` files in parallel; 0, the default, means one per CPU")
	f.StringVar(&opts.format, "format", "text", "`FORMAT` of --stats: text or json")
	return cmd
}

func (o *parseOptions) validate() error {
	switch o.format {
	case "text", "json":
	default:
		return usagef("--format must be text or json, not %q", o.format)
	}
	if o.format == "json" && !o.stats {
		return usagef("--format json applies to --stats; add --stats")
	}
	if o.dump && o.stats {
		return usagef("--dump and --stats cannot be used together")
	}
	if o.jobs < 0 {
		return usagef("--jobs must be 0 (one per CPU) or more, not %d", o.jobs)
	}
	if o.jobs == 0 {
		o.jobs = runtime.NumCPU()
	}
	if o.dump {
		if len(o.paths) != 1 {
			return usagef("--dump needs exactly one file, got %d paths", len(o.paths))
		}
		if fi, err := os.Stat(o.paths[0]); err == nil && fi.IsDir() {
			return usagef("--dump needs a file, and %s is a directory", o.paths[0])
		}
	}
	return nil
}

// diagnostic is one line of output on stderr.
type diagnostic struct {
	path      string
	line, col int    // 1-based, for ordering
	text      string // "path:line:col: message"
}

// fileResult is what is kept of one file once it has been processed: counts
// and diagnostics, never its source or AST.
type fileResult struct {
	parsed   bool // read and parsed; false for I/O problems
	bytes    int64
	lines    int
	synErrs  int // syntax and decoding errors
	ioErrs   int // discovery and read problems
	internal int // parser failures (panics)
	diags    []diagnostic
}

// parseGCPercent is the GC target of `pyrace parse` when GOGC is not set.
const parseGCPercent = 400

// parseStats summarises a run of `pyrace parse`.
type parseStats struct {
	Files           int     `json:"files"`
	Lines           int     `json:"lines"`
	Bytes           int64   `json:"bytes"`
	FilesWithErrors int     `json:"files_with_errors"`
	Errors          int     `json:"errors"`
	IOErrors        int     `json:"io_errors"`
	InternalErrors  int     `json:"internal_errors"`
	Jobs            int     `json:"jobs"`
	WallSeconds     float64 `json:"wall_seconds"`
	MBPerSecond     float64 `json:"mb_per_second"`
	MBPerSecondCore float64 `json:"mb_per_second_per_core"`
	// LargestFile and PeakMemory show that memory follows the largest
	// file, not the corpus: sources and trees are dropped once parsed.
	LargestFile int64 `json:"largest_file_bytes"`
	PeakMemory  int64 `json:"peak_memory_bytes,omitempty"`
}

func (s *parseStats) add(r fileResult) {
	if r.parsed {
		s.Files++
		s.Lines += r.lines
		s.Bytes += r.bytes
		s.LargestFile = max(s.LargestFile, r.bytes)
		if r.synErrs > 0 {
			s.FilesWithErrors++
		}
	}
	s.Errors += r.synErrs
	s.IOErrors += r.ioErrs
	s.InternalErrors += r.internal
}

func (s *parseStats) finish(wall time.Duration, jobs int) {
	s.Jobs = jobs
	s.WallSeconds = wall.Seconds()
	if s.WallSeconds > 0 {
		s.MBPerSecond = float64(s.Bytes) / 1e6 / s.WallSeconds
		s.MBPerSecondCore = s.MBPerSecond / float64(jobs)
	}
}

func (s *parseStats) failed() bool {
	return s.Errors > 0 || s.IOErrors > 0 || s.InternalErrors > 0
}

// runParse parses every file under opts.paths with opts.jobs workers, then
// prints the sorted diagnostics and, if asked, the statistics.
func runParse(ctx context.Context, opts parseOptions, env Env) error {
	// Parsing allocates many small objects per file and keeps none across
	// files, so a GC target above Go's default buys about 40% throughput
	// for memory that still follows the largest file. GOGC overrides it.
	if env.Getenv("GOGC") == "" {
		defer debug.SetGCPercent(debug.SetGCPercent(parseGCPercent))
	}
	start := time.Now()
	stats, diags := parseAll(ctx, opts.paths, opts.jobs)
	stats.finish(time.Since(start), opts.jobs)
	stats.PeakMemory = peakMemory()
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("parse interrupted: %w", err)
	}

	errStyle := newStyle(env.Stderr, env.Getenv)
	if err := writeDiagnostics(env.Stderr, errStyle, diags); err != nil {
		return err
	}
	if stats.Files == 0 && len(diags) == 0 {
		fmt.Fprintf(env.Stderr, "%s no Python files found under the given paths\n", errStyle.warningPrefix())
	}
	if opts.stats {
		var err error
		if opts.format == "json" {
			err = writeStatsJSON(env.Stdout, stats)
		} else {
			err = writeStatsText(env.Stdout, stats)
		}
		if err != nil {
			return fmt.Errorf("writing statistics: %w", err)
		}
	}
	if stats.failed() {
		return &exitStatus{code: ExitError}
	}
	return nil
}

// parseAll streams discovered paths to jobs workers and gathers their
// results. Memory holds at most one source and AST per worker.
func parseAll(ctx context.Context, roots []string, jobs int) (parseStats, []diagnostic) {
	paths := make(chan string, jobs)
	results := make(chan fileResult, jobs)

	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(paths)
		for path, err := range pyfiles.Walk(roots, pyfiles.Options{}) {
			var ok bool
			if err != nil {
				ok = send(ctx, results, ioResult(path, walkMessage(err)))
			} else {
				ok = send(ctx, paths, path)
			}
			if !ok {
				return
			}
		}
	})
	for range jobs {
		wg.Go(func() {
			for path := range paths {
				results <- parseFile(path)
			}
		})
	}
	go func() {
		wg.Wait()
		close(results)
	}()

	var stats parseStats
	var diags []diagnostic
	for r := range results {
		stats.add(r)
		diags = append(diags, r.diags...)
	}
	slices.SortStableFunc(diags, func(a, b diagnostic) int {
		return cmp.Or(strings.Compare(a.path, b.path), cmp.Compare(a.line, b.line), cmp.Compare(a.col, b.col))
	})
	return stats, diags
}

// send sends v on ch unless ctx is done first, and reports whether it sent.
func send[T any](ctx context.Context, ch chan<- T, v T) bool {
	select {
	case ch <- v:
		return true
	case <-ctx.Done():
		return false
	}
}

// walkMessage describes a discovery problem without its path.
func walkMessage(err error) string {
	var d *pyfiles.Diagnostic
	if errors.As(err, &d) {
		return d.Msg
	}
	return err.Error()
}

// ioResult is the result for a path that could not be read.
func ioResult(path, msg string) fileResult {
	return fileResult{ioErrs: 1, diags: []diagnostic{{
		path: path, line: 1, col: 1, text: path + ":1:1: " + msg,
	}}}
}

// parseFile reads and parses one file.
func parseFile(path string) fileResult {
	src, err := os.ReadFile(path)
	if err != nil {
		return ioResult(path, "cannot read file: "+errText(err))
	}
	return parseSource(path, src)
}

// parseSource parses src, keeping only counts and diagnostics.
func parseSource(path string, src []byte) fileResult {
	r := fileResult{parsed: true, bytes: int64(len(src))}
	f, err := safeParse(path, src)
	if err != nil {
		r.internal++
		r.diags = append(r.diags, diagnostic{path: path, line: 1, col: 1, text: path + ":1:1: " + err.Error()})
		return r
	}
	r.lines = f.Lines
	r.synErrs = len(f.Errors)
	r.diags = errorDiagnostics(path, f.Errors)
	return r
}

// safeParse calls python.ParseFile, turning a parser panic into an error so
// that one bad file cannot end a run.
func safeParse(path string, src []byte) (f *python.File, err error) {
	defer func() {
		if p := recover(); p != nil {
			f, err = nil, fmt.Errorf("internal error: the parser failed on this file (%v); please report it", p)
		}
	}()
	f = python.ParseFile(path, src)
	if f == nil || f.Module == nil {
		return nil, errors.New("internal error: the parser returned no module; please report it")
	}
	return f, nil
}

// errorDiagnostics converts the parser's errors for path to diagnostics.
func errorDiagnostics(path string, errs []*python.Error) []diagnostic {
	diags := make([]diagnostic, 0, len(errs))
	for _, e := range errs {
		diags = append(diags, diagnostic{path: path, line: e.Line, col: e.Col + 1, text: e.Error()})
	}
	return diags
}

// errText returns the innermost description of err: "permission denied"
// rather than "open x: permission denied".
func errText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// writeDiagnostics prints diagnostics, one per line, with the path in bold
// on a colour terminal.
func writeDiagnostics(w io.Writer, st style, diags []diagnostic) error {
	var b strings.Builder
	for _, d := range diags {
		if rest, ok := strings.CutPrefix(d.text, d.path); ok && st.color {
			b.WriteString(st.bold(d.path))
			b.WriteString(rest)
		} else {
			b.WriteString(d.text)
		}
		b.WriteByte('\n')
		if b.Len() >= 64<<10 {
			if _, err := io.WriteString(w, b.String()); err != nil {
				return fmt.Errorf("writing diagnostics: %w", err)
			}
			b.Reset()
		}
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("writing diagnostics: %w", err)
	}
	return nil
}

func writeStatsJSON(w io.Writer, s parseStats) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(s)
}

func writeStatsText(w io.Writer, s parseStats) error {
	rows := [][2]string{
		{"files", thousands(int64(s.Files))},
		{"lines", thousands(int64(s.Lines))},
		{"bytes", thousands(s.Bytes)},
		{"files with errors", thousands(int64(s.FilesWithErrors))},
		{"errors", thousands(int64(s.Errors))},
		{"I/O errors", thousands(int64(s.IOErrors))},
	}
	if s.InternalErrors > 0 {
		rows = append(rows, [2]string{"internal errors", thousands(int64(s.InternalErrors))})
	}
	rows = append(rows,
		[2]string{"wall time", formatDuration(time.Duration(s.WallSeconds * float64(time.Second)))},
		[2]string{"MB/s", strconv.FormatFloat(s.MBPerSecond, 'f', 2, 64)},
		[2]string{fmt.Sprintf("MB/s per core (%s)", plural(s.Jobs, "job")), strconv.FormatFloat(s.MBPerSecondCore, 'f', 2, 64)},
		[2]string{"largest file", formatMB(s.LargestFile)},
	)
	if s.PeakMemory > 0 {
		rows = append(rows, [2]string{"peak memory", formatMB(s.PeakMemory)})
	}
	labelW, valueW := 0, 0
	for _, r := range rows {
		labelW = max(labelW, len(r[0]))
		valueW = max(valueW, len(r[1]))
	}
	var b strings.Builder
	for _, r := range rows {
		fmt.Fprintf(&b, "%-*s  %*s\n", labelW, r[0], valueW, r[1])
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// plural returns "1 job", "2 jobs".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// thousands formats n with commas between groups of three digits.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// formatDuration rounds d to a precision a person can read.
func formatDuration(d time.Duration) string {
	switch {
	case d >= time.Second:
		return d.Round(time.Millisecond).String()
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond).String()
	default:
		return d.Round(time.Microsecond).String()
	}
}

// formatMB prints a byte count in megabytes (10^6 bytes).
func formatMB(n int64) string {
	return strconv.FormatFloat(float64(n)/1e6, 'f', 2, 64) + " MB"
}
