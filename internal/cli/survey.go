package cli

import (
	"errors"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/pyrace/pyrace/internal/survey"
)

func newSurveyCmd(env Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "survey",
		Short: "Work with a registry of packages for ecosystem surveys: validate, list, import",
		Long: `An ecosystem survey runs pyrace over many packages, described by a registry:
a directory of YAML files, one per package, saying where its source is (a git
repository or a local path), how to install it and how to test it, with an
import name, a timeout, skips (always, or for some Python versions), extra
environment and a popularity that orders the registry for --top N. The
fields are documented in docs/survey.md and by the JSON schema
docs/registry.schema.json.

  pyrace survey validate DIR    check every file: unknown fields (with the
                                known ones), types, duplicates, at file:line
  pyrace survey list DIR        the packages, most popular first
  pyrace survey import SRC DEST convert a labeille/laruche registry`,
	}
	cmd.AddCommand(newSurveyValidateCmd(env), newSurveyListCmd(env), newSurveyImportCmd(env))
	return cmd
}

func newSurveyValidateCmd(env Env) *cobra.Command {
	return &cobra.Command{
		Use:   "validate DIR",
		Short: "Check a registry: every problem of every file, at file:line",
		Long: `Read every *.yaml and *.yml file of the registry DIR and report every
problem at once, as FILE:LINE: MESSAGE: an unknown field (with the known
fields, and the one it is probably a typo of), a value of the wrong type, a
missing name or source, a package given in two files.

Exit status: 0 when the registry is valid, 1 when it has problems, 2 when DIR
cannot be read or on a usage error.`,
		Example: `  pyrace survey validate examples/registry`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			reg, err := survey.Load(args[0])
			var ps survey.Problems
			if errors.As(err, &ps) {
				for _, p := range ps {
					fmt.Fprintln(env.Stdout, p)
				}
				fmt.Fprintf(env.Stderr, "%s %s: %s\n", newStyle(env.Stderr, env.Getenv).errorPrefix(), args[0], plural(len(ps), "problem"))
				return &exitStatus{code: ExitFindings}
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "%s: %s, valid\n", args[0], plural(len(reg.Packages), "package"))
			return nil
		},
	}
}

func newSurveyListCmd(env Env) *cobra.Command {
	var top int
	cmd := &cobra.Command{
		Use:   "list [--top N] DIR",
		Short: "List a registry's packages, most popular first",
		Long: `List the packages of the registry DIR in the order --top N takes them: by
popularity, highest first, then by name; with the source, and why a package
is skipped when it is.`,
		Example: `  pyrace survey list --top 10 examples/registry`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if top < 0 {
				return usagef("--top %d: must be 0 (all) or more", top)
			}
			reg, err := survey.Load(args[0])
			if err != nil {
				return fmt.Errorf("registry %s is not valid (pyrace survey validate %s):\n%w", args[0], args[0], err)
			}
			tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "#\tPACKAGE\tPOPULARITY\tSOURCE\tSKIP")
			for i, p := range reg.Top(top) {
				src := p.Source.Git
				if src == "" {
					src = p.Source.Path
				} else if p.Source.Ref != "" {
					src += "@" + p.Source.Ref
				}
				fmt.Fprintf(tw, "%d\t%s\t%d\t%s\t%s\n", i+1, p.Name, p.Popularity, src, orDashCLI(p.Skip))
			}
			return tw.Flush()
		},
	}
	cmd.Flags().IntVar(&top, "top", 0, "the `N` most popular packages only (0: all)")
	return cmd
}

func orDashCLI(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func newSurveyImportCmd(env Env) *cobra.Command {
	var overwrite bool
	cmd := &cobra.Command{
		Use:   "import [--overwrite] SRC DEST",
		Short: "Convert a labeille/laruche registry into a pyrace registry",
		Long: `Convert the labeille/laruche registry in SRC (index.yaml and
packages/NAME.yaml) into a pyrace registry in DEST, one file per package.
docs/survey.md gives the field mapping. Packages without a repository are
left out; files already in DEST are kept unless --overwrite.`,
		Example: `  pyrace survey import ~/.local/share/labeille/registry registry/`,
		Args:    cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			res, err := survey.Import(args[0], args[1], overwrite)
			if err != nil {
				return err
			}
			for _, s := range res.Skipped {
				fmt.Fprintf(env.Stderr, "%s left out %s\n", newStyle(env.Stderr, env.Getenv).warningPrefix(), s)
			}
			fmt.Fprintf(env.Stdout, "%s written to %s\n", plural(len(res.Written), "package"), args[1])
			return nil
		},
	}
	cmd.Flags().BoolVar(&overwrite, "overwrite", false, "replace files already in DEST")
	return cmd
}
