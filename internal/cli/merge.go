package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/pyrace/pyrace/internal/survey"
)

func newMergeCmd(env Env) *cobra.Command {
	var out, dup string
	cmd := &cobra.Command{
		Use:   "merge RUN... -o RUN",
		Short: "Combine the run directories of a survey's shards into one",
		Long: `Combine the run directories that the shards of one survey wrote (pyrace
survey --shard i/n, each on its own machine) into one run directory, for
pyrace show, report and the other views. The shards must agree: the same
survey id (--run-id), shard count and interpreter. A package found in two
shards is an error unless --on-duplicate says which to keep: first (the run
given first) or latest (the run that started last). A missing shard is a
warning. The merged run is written beside -o and renamed into place when
complete: a failed merge leaves nothing behind.

Exit status: 0 on success, 2 when the runs cannot be merged or on a usage
error.`,
		Example: `  pyrace merge results/ft-314-shard-0-of-3 results/ft-314-shard-1-of-3 results/ft-314-shard-2-of-3 -o results/ft-314`,
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return usagef("-o RUN is required: the merged run directory to write")
			}
			res, err := survey.Merge(args, out, dup)
			if err != nil {
				return err
			}
			warn := newStyle(env.Stderr, env.Getenv).warningPrefix()
			for _, w := range res.Warnings {
				fmt.Fprintf(env.Stderr, "%s %s\n", warn, w)
			}
			fmt.Fprintf(env.Stdout, "%s: %s from %s\n", res.Dir, plural(res.Packages, "package"), plural(len(args), "run"))
			return nil
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "the merged run directory `RUN` (must not exist)")
	cmd.Flags().StringVar(&dup, "on-duplicate", survey.DuplicateError, "a package in two shards: `POLICY` error, first or latest")
	return cmd
}
