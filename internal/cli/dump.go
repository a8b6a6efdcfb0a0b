package cli

import (
	"fmt"
	"io"
	"os"

	"github.com/pyrace/pyrace/internal/python"
)

// runDump parses the file at path, prints its AST to stdout and its
// diagnostics to stderr.
func runDump(path string, env Env) error {
	src, err := os.ReadFile(path)
	if err != nil {
		r := ioResult(path, "cannot read file: "+errText(err))
		if err := writeDiagnostics(env.Stderr, newStyle(env.Stderr, env.Getenv), r.diags); err != nil {
			return err
		}
		return &exitStatus{code: ExitError}
	}
	f, err := safeParse(path, src)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := dumpModule(env.Stdout, f.Module); err != nil {
		return fmt.Errorf("dumping the AST of %s: %w", path, err)
	}
	diags := errorDiagnostics(path, f.Errors)
	if err := writeDiagnostics(env.Stderr, newStyle(env.Stderr, env.Getenv), diags); err != nil {
		return err
	}
	if len(f.Errors) > 0 {
		return &exitStatus{code: ExitError}
	}
	return nil
}

// dumpModule writes m to w in python.Dump's format.
func dumpModule(w io.Writer, m *python.Module) error {
	return python.Dump(w, m, python.DumpOptions{})
}
