package cli

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/pyrace/pyrace/internal/scan/rules"
)

func newRulesCmd(env Env) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "rules [RULE...]",
		Short: "List pyrace scan's rules, or explain some",
		Long: `List the rules of pyrace scan (id, name, shape, default confidence), or
explain the RULEs given by id or name: what they flag, why it breaks without
the GIL, and how to fix it. docs/rules.md holds the same text.`,
		Example: `  pyrace rules
  pyrace rules FT005
  pyrace rules --format json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return usagef("--format %q: want text or json", format)
			}
			metas := rules.Metas()
			if len(args) > 0 {
				selected, err := rules.Select(args, nil)
				if err != nil {
					return &usageError{err: err}
				}
				metas = metas[:0]
				for _, r := range selected {
					metas = append(metas, r.Meta())
				}
			}
			if format == "json" {
				enc := json.NewEncoder(env.Stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(metas)
			}
			if len(args) == 0 {
				tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tNAME\tSHAPE\tCONFIDENCE")
				for _, m := range metas {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", m.ID, m.Name, m.Shape, m.Confidence)
				}
				return tw.Flush()
			}
			for i, m := range metas {
				if i > 0 {
					fmt.Fprintln(env.Stdout)
				}
				fmt.Fprintf(env.Stdout, "%s %s (%s; default confidence %s)\n\n%s\n\nWhy: %s\n\nFix: %s\n\nFlagged:\n%s\nFixed:\n%s",
					m.ID, m.Name, m.Shape, m.Confidence, m.Summary, m.Rationale, m.Fix,
					indent(m.Example), indent(m.FixedExample))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "`FORMAT`: text or json")
	return cmd
}

func indent(code string) string {
	var b strings.Builder
	for _, l := range strings.Split(strings.TrimRight(code, "\n"), "\n") {
		b.WriteString("    " + l + "\n")
	}
	return b.String()
}
