package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/pyrace/pyrace/internal/report"
)

// reportOptions are the flags and arguments of `pyrace report`.
type reportOptions struct {
	dirs   []string
	format string
	output string
}

func newReportCmd(env Env) *cobra.Command {
	var opts reportOptions
	cmd := &cobra.Command{
		Use:   "report [flags] RESULTS...",
		Short: "Write a full report of result directories: text, Markdown or a self-contained HTML page",
		Long: `Write everything the result directories hold as one report: the runs
(interpreter, machine, times), the counts per category, a table of packages
(category, pass rate with its 95% interval, crashes, deadlocks, flaky tests,
GIL baseline, TSAN races, GIL fallback), each failing package's tests and
their history, extension modules and the GIL, and the stacks of crashed and
stalled iterations.

--format html writes one self-contained file (inline CSS, JavaScript and SVG,
nothing fetched from the network) with charts: the category breakdown, the
pass-rate distribution, a per-iteration timeline of every package and a test
failure heat map of each flaky package; its tables sort on a click and stack
dumps fold. Every string from a run is escaped. --format markdown is ready to
paste into an issue or a compatibility tracker.

` + resultsArgsHelp,
		Example: `  pyrace report pyrace-results/20261122T101500Z-3f9a
  pyrace report results/ --format html -o report.html
  pyrace report shard-0 shard-1 shard-2 --format markdown -o ft-compat-report.md`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.dirs = args
			return runReport(opts, env)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.format, "format", "text", "`FORMAT` of the report: text, markdown or html")
	f.StringVarP(&opts.output, "output", "o", "", "write the report to `FILE` instead of standard output")
	return cmd
}

// resultsArgsHelp explains the RESULTS arguments of every view.
const resultsArgsHelp = `RESULTS are run directories (pyrace-results/RUN_ID) or directories of runs
(pyrace-results/, a survey's shards); they are read as one, a package found in
several runs being taken from the latest. A run that is still going, or was
interrupted, is read up to its last complete line; its packages without a
verdict show as running or interrupted.

Exit status: 0 on success, 2 when a directory is not a run, holds a newer
schema than this pyrace reads, cannot be read, or on a usage error.`

func runReport(opts reportOptions, env Env) error {
	switch opts.format {
	case "text", "markdown", "html":
	default:
		return usagef("--format %q: want text, markdown or html", opts.format)
	}
	set, err := loadResults(opts.dirs, env)
	if err != nil {
		return err
	}
	doc := report.Build(set)
	return writeOutput(opts.output, env, func(w io.Writer) error {
		switch opts.format {
		case "markdown":
			return report.WriteMarkdown(w, doc)
		case "html":
			return report.WriteHTML(w, doc)
		}
		return report.WriteText(w, doc)
	})
}

// loadResults reads the result directories and reports their warnings on
// stderr.
func loadResults(dirs []string, env Env) (*report.Set, error) {
	set, err := report.Load(dirs)
	if err != nil {
		return nil, err
	}
	warn := newStyle(env.Stderr, env.Getenv).warningPrefix()
	for _, w := range set.Warnings {
		fmt.Fprintf(env.Stderr, "%s %s\n", warn, w)
	}
	return set, nil
}

// writeOutput calls write with standard output, or with a temporary file
// beside path that replaces path once write succeeded: a failed report
// never leaves half a file.
func writeOutput(path string, env Env, write func(io.Writer) error) error {
	if path == "" {
		return write(env.Stdout)
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer os.Remove(f.Name()) // after a successful rename, a no-op
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
