// Package cli implements pyrace's command line: one file per command, each
// turning flags into an options struct, calling the package that does the
// work and rendering the result.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

// Exit statuses, as in ruff.
const (
	// ExitOK means the command succeeded and found nothing.
	ExitOK = 0
	// ExitFindings means the command found problems in the code it examined.
	ExitFindings = 1
	// ExitError means a usage, configuration or input error.
	ExitError = 2
)

// Env is what a command runs with: its output streams and environment.
type Env struct {
	// Stdout receives results; machine formats write nothing else there.
	Stdout io.Writer
	// Stderr receives diagnostics, progress and errors.
	Stderr io.Writer
	// Getenv looks up an environment variable, as os.Getenv does.
	Getenv func(key string) string
	// Stdin is read by commands given "-" as a file (nil: no input).
	Stdin io.Reader
}

// Main runs pyrace with args (without the program name) and returns the
// process exit status.
func Main(ctx context.Context, args []string, env Env) int {
	if env.Getenv == nil {
		env.Getenv = func(string) string { return "" }
	}
	errStyle := newStyle(env.Stderr, env.Getenv)

	// validated is set once flags and arguments have been accepted, so that
	// errors before that point are reported as usage errors.
	validated := false
	root := newRootCmd(env)
	root.PersistentPreRun = func(*cobra.Command, []string) { validated = true }
	root.SetArgs(args)

	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return ExitOK
	}
	var st *exitStatus
	if errors.As(err, &st) {
		return st.code
	}
	fmt.Fprintf(env.Stderr, "%s %v\n", errStyle.errorPrefix(), err)
	var ue *usageError
	if errors.As(err, &ue) || !validated {
		if cmd == nil {
			cmd = root
		}
		fmt.Fprintf(env.Stderr, "Run '%s --help' for usage.\n", cmd.CommandPath())
	}
	return ExitError
}

// newRootCmd builds the command tree.
func newRootCmd(env Env) *cobra.Command {
	root := &cobra.Command{
		Use:   "pyrace",
		Short: "Find thread-safety bugs in Python code for free-threaded CPython",
		Long: `pyrace finds thread-safety bugs in Python code for free-threaded CPython
(PYTHON_GIL=0): races on shared state such as unlocked read-modify-write
counters, check-then-act sequences and iteration over containers that other
threads mutate.

Exit status: 0 when all went well, 1 when findings were reported, 2 on usage,
configuration or input errors.`,
		Version:       versionString(),
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.SetOut(env.Stdout)
	root.SetErr(env.Stderr)
	root.SetVersionTemplate("{{.Version}}\n")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return &usageError{err: err}
	})
	root.AddCommand(
		newVersionCmd(env),
		newParseCmd(env),
		newRunCmd(env),
		newScanCmd(env),
		newRulesCmd(env),
		newPythonCmd(env),
		newStressCmd(env),
		newTsanCmd(env),
		newShowCmd(env),
		newFlakyCmd(env),
		newCompatCmd(env),
		newCompareCmd(env),
		newReportCmd(env),
		newExportCmd(env),
		newSurveyCmd(env),
		newMergeCmd(env),
	)
	return root
}

// usageError is a mistake in the command line: exit status 2 with a hint to
// read the help.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// usagef returns a usage error with a formatted message.
func usagef(format string, args ...any) error {
	return &usageError{err: fmt.Errorf(format, args...)}
}

// exitStatus ends a command with a status whose reason has already been
// reported (diagnostics, findings).
type exitStatus struct{ code int }

func (e *exitStatus) Error() string { return fmt.Sprintf("exit status %d", e.code) }
