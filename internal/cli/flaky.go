package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/pyrace/pyrace/internal/report"
)

// flakyOptions are the flags and arguments of `pyrace flaky`.
type flakyOptions struct {
	dirs []string
	pkg  string
}

func newFlakyCmd(env Env) *cobra.Command {
	var opts flakyOptions
	cmd := &cobra.Command{
		Use:   "flaky [flags] RESULTS...",
		Short: "Show which tests fail, how often, how, and the pattern of the failures",
		Long: `For each package that failed, show the outcome of every free-threaded
iteration, the pattern of the failures, and every test that failed: its
history over the iterations (. passed, F failed, C the iteration crashed,
D it deadlocked or timed out, - no per-test results), failures out of the
iterations it ran in, exception types and messages, whether it also failed
with PYTHON_GIL=1 (--compare-with-gil) or only when threaded (--threads),
and its longest failing and passing streaks.

The pattern says what the failures have in common: "consistent test" (one
test fails in every failing iteration), "random tests" (different tests in
different iterations: shared state, or several races), "consistent crash"
(one crash signature), "varied crash" (several), "stalls" (deadlocks,
livelocks, timeouts) or "no failing test named".

` + resultsArgsHelp,
		Example: `  pyrace flaky pyrace-results/
  pyrace flaky results/ --package urllib3`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.dirs = args
			return runFlaky(opts, env)
		},
	}
	cmd.Flags().StringVar(&opts.pkg, "package", "", "show `NAME` only (all its tests, even when nothing failed)")
	return cmd
}

func runFlaky(opts flakyOptions, env Env) error {
	set, err := loadResults(opts.dirs, env)
	if err != nil {
		return err
	}
	var fls []report.Flakiness
	for _, p := range set.Packages {
		if opts.pkg != "" && p.Name != opts.pkg {
			continue
		}
		fl := p.AnalyzeFlakiness()
		if opts.pkg != "" || fl.Failed > 0 || len(fl.Tests) > 0 {
			fls = append(fls, fl)
		}
	}
	if opts.pkg != "" && len(fls) == 0 {
		return fmt.Errorf("--package %s: no such package in %s", opts.pkg, plural(len(set.Packages), "package"))
	}
	report.WriteFlaky(env.Stdout, fls)
	return nil
}
