package cli

import (
	"github.com/spf13/cobra"

	"github.com/pyrace/pyrace/internal/report"
)

// compatOptions are the flags and arguments of `pyrace compat`.
type compatOptions struct {
	dirs           []string
	extensionsOnly bool
}

func newCompatCmd(env Env) *cobra.Command {
	var opts compatOptions
	cmd := &cobra.Command{
		Use:   "compat [flags] RESULTS...",
		Short: "Show extension modules, their free-threading declarations and whether the GIL came back",
		Long: `For each package: the extension modules found under it, the free-threading
opt-in declarations found in its source (Py_mod_gil slots,
PyUnstable_Module_SetGIL, Cython freethreading_compatible, pybind11
mod_gil_not_used, PyO3 gil_used = false, nanobind FREE_THREADED), whether
importing it (pyrace run's probe, with PYTHON_GIL unset) or running its tests
re-enabled the GIL, and which module did, with the interpreter's warning.

` + resultsArgsHelp,
		Example: `  pyrace compat pyrace-results/
  pyrace compat results/ --extensions-only`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.dirs = args
			return runCompat(opts, env)
		},
	}
	cmd.Flags().BoolVar(&opts.extensionsOnly, "extensions-only", false, "only packages with extension modules (or whose import re-enabled the GIL)")
	return cmd
}

func runCompat(opts compatOptions, env Env) error {
	set, err := loadResults(opts.dirs, env)
	if err != nil {
		return err
	}
	var cs []report.Compat
	for _, p := range set.Packages {
		c := p.Compatibility()
		if opts.extensionsOnly && !c.HasExtensions() {
			continue
		}
		cs = append(cs, c)
	}
	report.WriteCompat(env.Stdout, cs)
	return nil
}
