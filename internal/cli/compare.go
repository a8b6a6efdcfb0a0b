package cli

import (
	"encoding/json"
	"strings"

	"github.com/spf13/cobra"

	"github.com/pyrace/pyrace/internal/report"
)

// compareOptions are the flags and arguments of `pyrace compare`.
type compareOptions struct {
	older, newer string
	format       string
}

func newCompareCmd(env Env) *cobra.Command {
	var opts compareOptions
	cmd := &cobra.Command{
		Use:   "compare [flags] OLD NEW",
		Short: "Compare two sets of results: category transitions, pass-rate changes, new and resolved problems",
		Long: `Compare the packages of OLD and NEW (each a run directory or a directory of
runs, such as a survey's shards): "3.14 vs 3.15 nightly", or "before vs
after my fix".

A package regressed when its category got more severe (compatible <
compatible_gil_fallback < tsan_warnings < intermittent < incompatible < crash
< deadlock < import_failure < install_failure < unknown), or kept its
category while its pass rate fell by more than the noise band; it improved
the other way round. The noise band comes from both runs' 95% intervals (the
root of the sum of their squared half-widths): with few iterations only a
large change counts. For each package the new and resolved crash signatures,
TSAN races and flaky tests are listed. Packages in only one of the two are
new or removed.

Exit status: 0 on success (whatever changed), 2 on a usage or input error.`,
		Example: `  pyrace compare results/ft_314a1 results/ft_314b2
  pyrace compare pyrace-results/before pyrace-results/after --format json`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.older, opts.newer = args[0], args[1]
			return runCompare(opts, env)
		},
	}
	cmd.Flags().StringVar(&opts.format, "format", "text", "`FORMAT` of the comparison: text or json")
	return cmd
}

func runCompare(opts compareOptions, env Env) error {
	if opts.format != "text" && opts.format != "json" {
		return usagef("--format %q: want text or json", opts.format)
	}
	older, err := loadResults([]string{opts.older}, env)
	if err != nil {
		return err
	}
	newer, err := loadResults([]string{opts.newer}, env)
	if err != nil {
		return err
	}
	cmp := report.Compare(older, newer)
	if opts.format == "json" {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(cmp)
	}
	report.WriteCompare(env.Stdout, cmp, strings.TrimSuffix(opts.older, "/"), strings.TrimSuffix(opts.newer, "/"))
	return nil
}
