package cli

import (
	"io"

	"github.com/spf13/cobra"

	"github.com/pyrace/pyrace/internal/report"
)

// exportOptions are the flags and arguments of `pyrace export`.
type exportOptions struct {
	dirs   []string
	format string
	output string
}

func newExportCmd(env Env) *cobra.Command {
	var opts exportOptions
	cmd := &cobra.Command{
		Use:   "export [flags] RESULTS...",
		Short: "Export result directories as CSV (one row per package) or JSON (every record)",
		Long: `Export result directories for analysis elsewhere.

--format csv writes one row per package with stable columns (documented in
docs/report.md; new columns are only ever added at the end). --format json
writes every run's metadata and every package's summary and full record,
as described by the JSON schema docs/export.schema.json.

` + resultsArgsHelp,
		Example: `  pyrace export results/ --format csv -o results.csv
  pyrace export shard-0 shard-1 --format json -o results.json`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.dirs = args
			return runExport(opts, env)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.format, "format", "csv", "`FORMAT` of the export: csv or json")
	f.StringVarP(&opts.output, "output", "o", "", "write the export to `FILE` instead of standard output")
	return cmd
}

func runExport(opts exportOptions, env Env) error {
	if opts.format != "csv" && opts.format != "json" {
		return usagef("--format %q: want csv or json", opts.format)
	}
	set, err := loadResults(opts.dirs, env)
	if err != nil {
		return err
	}
	return writeOutput(opts.output, env, func(w io.Writer) error {
		if opts.format == "json" {
			return report.WriteJSON(w, set)
		}
		return report.WriteCSV(w, report.Build(set))
	})
}
