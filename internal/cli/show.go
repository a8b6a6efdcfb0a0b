package cli

import (
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/pyrace/pyrace/internal/report"
)

// showOptions are the flags and arguments of `pyrace show`.
type showOptions struct {
	dirs  []string
	sort  string
	limit int
}

func newShowCmd(env Env) *cobra.Command {
	var opts showOptions
	cmd := &cobra.Command{
		Use:   "show [flags] RESULTS...",
		Short: "Summarise result directories: runs, counts per category and a table of packages",
		Long: `Summarise result directories: each run's interpreter and machine, the
number of packages per category, and a table of packages with their
category, pass rate k/n with its 95% interval, iterations, distinct crash
signatures, deadlocks (and livelocks), flaky tests, the GIL baseline of
--compare-with-gil (pre-existing failures, or free-threading only), distinct
TSAN races and the modules that re-enabled the GIL.

--sort category (the default) lists the most severe categories first,
pass_rate the lowest pass rates first, name alphabetically.

` + resultsArgsHelp,
		Example: `  pyrace show pyrace-results/
  pyrace show results/ --sort pass_rate --limit 20`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.dirs = args
			return runShow(opts, env)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.sort, "sort", report.SortCategory, "`ORDER` of the packages: "+strings.Join(report.SortOrders(), ", "))
	f.IntVar(&opts.limit, "limit", 0, "show the first `N` packages only (0: all)")
	return cmd
}

func runShow(opts showOptions, env Env) error {
	if err := report.SortSummaries(nil, opts.sort); err != nil {
		return usagef("--sort: %v", err)
	}
	if opts.limit < 0 {
		return usagef("--limit %d: must be 0 (all) or more", opts.limit)
	}
	set, err := loadResults(opts.dirs, env)
	if err != nil {
		return err
	}
	doc := report.Build(set)
	return writeOutput("", env, func(w io.Writer) error {
		return report.WriteShow(w, doc, report.ShowOptions{Sort: opts.sort, Limit: opts.limit})
	})
}
