package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/pyrace/pyrace/internal/interp"
	"github.com/pyrace/pyrace/internal/results"
)

// pythonOptions are the flags of `pyrace python`.
type pythonOptions struct {
	pythons []string
	format  string
}

func newPythonCmd(env Env) *cobra.Command {
	var opts pythonOptions
	cmd := &cobra.Command{
		Use:   "python [--python PATH]... [--format FORMAT]",
		Short: "Find Python interpreters and tell which are free-threaded",
		Long: `Find Python interpreters and describe each by running it: implementation,
version, whether the build is free-threaded (Py_GIL_DISABLED), whether the
GIL is actually off at start-up (with PYTHON_GIL unset), debug and
ThreadSanitizer builds, and whether pytest is importable.

Interpreters are looked for in every PATH directory (python, python3,
python3.N, python3.Nt, pypy, pypy3, pypy3.N), in pyenv ($PYENV_ROOT or
~/.pyenv), in uv's installs ($UV_PYTHON_INSTALL_DIR or
~/.local/share/uv/python) and in pyrace's cache of free-threaded builds
($PYRACE_CACHE/ft-python, $XDG_CACHE_HOME/pyrace/ft-python and
~/.cache/pyrace/ft-python), plus those given with --python. Wrappers such
as pyenv's shims are listed as the interpreter they run. Each interpreter
is listed once, by the real path of its executable: free-threaded builds
first, then by version, newest first. Without --python, ` + "`pyrace run`" + ` uses
the first free-threaded one (preferring one with pytest), else python3.

Exit status: 0, or 2 when an interpreter given with --python could not be
run (its error is on stderr; the others are still listed) or on a usage
error.`,
		Example: `  pyrace python
  pyrace python --python ~/cpython/python --format json`,
		DisableFlagsInUseLine: true,
		Args:                  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch opts.format {
			case "text", "json":
			default:
				return usagef("--format must be text or json, not %q", opts.format)
			}
			return runPython(cmd, opts, env)
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&opts.pythons, "python", nil, "also describe the interpreter at `PATH` (repeatable); by default only those found are listed")
	f.StringVar(&opts.format, "format", "text", "output `FORMAT`: text (a table) or json (an array of objects)")
	return cmd
}

// pythonEntry is one element of `pyrace python --format json`.
type pythonEntry struct {
	results.Interpreter
	// Source is where the interpreter was found: PATH, pyenv, uv,
	// pyrace-cache or flag.
	Source string `json:"source"`
}

func runPython(cmd *cobra.Command, opts pythonOptions, env Env) error {
	found := interp.Discover(cmd.Context(), interp.Options{
		Extra:  opts.pythons,
		Getenv: env.Getenv,
		Home:   env.Getenv("HOME"),
	})
	errStyle := newStyle(env.Stderr, env.Getenv)
	entries := make([]pythonEntry, 0, len(found))
	failed := false
	for _, f := range found {
		if f.Err != nil {
			failed = true
			fmt.Fprintf(env.Stderr, "%s %v\n", errStyle.errorPrefix(), f.Err)
			continue
		}
		entries = append(entries, pythonEntry{Interpreter: f.Interpreter, Source: f.Source})
	}
	var err error
	if opts.format == "json" {
		err = writePythonJSON(env.Stdout, entries)
	} else {
		if len(entries) == 0 {
			fmt.Fprintf(env.Stderr, "%s no Python interpreter found\n", errStyle.warningPrefix())
		} else {
			err = writePythonTable(env.Stdout, entries)
		}
	}
	if err != nil {
		return fmt.Errorf("writing the interpreters: %w", err)
	}
	if failed {
		return &exitStatus{code: ExitError}
	}
	return nil
}

func writePythonJSON(w io.Writer, entries []pythonEntry) error {
	b, err := json.MarshalIndent(entries, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

func writePythonTable(w io.Writer, entries []pythonEntry) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PATH\tIMPLEMENTATION\tVERSION\tFREE-THREADED\tGIL\tDEBUG\tTSAN\tPYTEST\tSOURCE")
	for _, e := range entries {
		in := e.Interpreter
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
			in.Path, in.Implementation, in.Version, yesNo(in.FreeThreaded), gilState(in),
			yesNo(in.Debug), yesNo(in.TSAN), yesNo(in.HasPytest), e.Source)
	}
	return tw.Flush()
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// gilState renders the GIL at start-up: on, off or unknown. A build that
// is not free-threaded always has it on, even where it cannot say so
// (before 3.13, PyPy).
func gilState(in results.Interpreter) string {
	switch {
	case in.GILEnabled == nil && !in.FreeThreaded:
		return "on"
	case in.GILEnabled == nil:
		return "unknown"
	case *in.GILEnabled:
		return "on"
	default:
		return "off"
	}
}
