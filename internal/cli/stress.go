package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/pyrace/pyrace/internal/harness"
	"github.com/pyrace/pyrace/internal/harness/pyhelpers"
)

// stressOptions are the flags and argument of `pyrace stress`.
type stressOptions struct {
	target  string
	dir     string
	python  string
	threads int
	rounds  int
	args    string
	timeout string
	format  string
}

func newStressCmd(env Env) *cobra.Command {
	var opts stressOptions
	cmd := &cobra.Command{
		Use:   "stress [flags] MODULE:CALLABLE",
		Short: "Call a function from many threads at once and report every exception",
		Long: `Import CALLABLE from MODULE in the chosen interpreter and call it from
--threads threads that wait at a barrier before each of --rounds rounds, with
sys.setswitchinterval(1e-6) and, on a free-threaded build, PYTHON_GIL=0: the
explicit concurrent test, without writing one. CALLABLE may be a dotted path
("pkg.cache:Cache.get" needs arguments; a module-level function or a
staticmethod is the usual target). --args gives the arguments as JSON: a list
of positional arguments, or {"args": [...], "kwargs": {...}}; every call gets
the same ones. --dir (default .) is the working directory, first on sys.path.

The report counts the calls, the threads that failed in how many rounds, and
each distinct exception (type, message, the frame that raised it) with its
count. A run still going after --timeout is reported with the stack of every
thread still running.

Exit status: 0 when no call raised, 1 when some did (or the run timed out),
2 when the target cannot be imported or called, or on a usage error.`,
		Example: `  pyrace stress mylib.cache:warm --threads 32 --rounds 100
  pyrace stress mylib:parse --args '{"args": ["x = 1"], "kwargs": {"strict": true}}'`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.target = args[0]
			return runStress(cmd.Context(), opts, env)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&opts.dir, "dir", "C", ".", "run in `DIR`, first on sys.path")
	f.StringVar(&opts.python, "python", "", "interpreter `PATH` (default: the first free-threaded interpreter found, else python3 with a warning)")
	f.IntVar(&opts.threads, "threads", 8, "call from `K` threads at once")
	f.IntVar(&opts.rounds, "rounds", 10, "`M` rounds, the threads meeting at the barrier before each")
	f.StringVar(&opts.args, "args", "[]", "the arguments of every call, as `JSON`: a list, or {\"args\": [...], \"kwargs\": {...}}")
	f.StringVar(&opts.timeout, "timeout", "60", "stop waiting after `SECONDS` and report the stacks of the threads still running")
	f.StringVar(&opts.format, "format", "text", "`FORMAT` of the report: text or json")
	return cmd
}

func runStress(ctx context.Context, opts stressOptions, env Env) error {
	if opts.format != "text" && opts.format != "json" {
		return usagef("--format %q: want text or json", opts.format)
	}
	if opts.threads < 1 {
		return usagef("--threads %d: must be at least 1", opts.threads)
	}
	if opts.rounds < 1 {
		return usagef("--rounds %d: must be at least 1", opts.rounds)
	}
	module, attr, ok := strings.Cut(opts.target, ":")
	if !ok || module == "" || attr == "" {
		return usagef("%q: want MODULE:CALLABLE, as in mypkg.cache:warm", opts.target)
	}
	if !validArgs(opts.args) {
		return usagef(`--args %q: want a JSON list of arguments or {"args": [...], "kwargs": {...}}`, opts.args)
	}
	timeout, err := parseSeconds("timeout", opts.timeout)
	if err != nil {
		return err
	}
	dir, err := filepath.Abs(opts.dir)
	if err != nil {
		return fmt.Errorf("--dir: %w", err)
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return usagef("--dir %s: not a directory", opts.dir)
	}
	py, err := chooseInterpreter(ctx, opts.python, env)
	if err != nil {
		return err
	}
	helpers, err := os.MkdirTemp("", "pyrace-helpers-")
	if err != nil {
		return fmt.Errorf("installing pyrace's Python helpers: %w", err)
	}
	defer os.RemoveAll(helpers)
	if err := pyhelpers.Install(helpers); err != nil {
		return fmt.Errorf("installing pyrace's Python helpers: %w", err)
	}
	res, err := harness.Stress(ctx, harness.StressOptions{
		Interpreter: py, Target: opts.target, Threads: opts.threads, Rounds: opts.rounds,
		Args: opts.args, Timeout: timeout, Dir: dir, HelpersDir: helpers, BaseEnv: os.Environ(),
	})
	var inputErr *harness.StressInputError
	if errors.As(err, &inputErr) {
		fmt.Fprintf(env.Stderr, "pyrace: %s\n", inputErr.Msg)
		return &exitStatus{code: ExitError}
	}
	if err != nil {
		return err
	}
	if opts.format == "json" {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			return err
		}
	} else {
		desc := fmt.Sprintf("%s (%s %s", py.Path, py.Implementation, py.Version)
		if py.FreeThreaded {
			desc += ", free-threaded, PYTHON_GIL=0"
		}
		printStress(env, opts.target, desc+")", res)
	}
	if res.Failures > 0 || res.TimedOut || res.StartError != "" {
		return &exitStatus{code: ExitFindings}
	}
	return nil
}

// validArgs reports whether s is the JSON --args wants.
func validArgs(s string) bool {
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return false
	}
	switch v := v.(type) {
	case []any:
		return true
	case map[string]any:
		for k := range v {
			if k != "args" && k != "kwargs" {
				return false
			}
		}
		_, listOK := v["args"].([]any)
		_, mapOK := v["kwargs"].(map[string]any)
		return (v["args"] == nil || listOK) && (v["kwargs"] == nil || mapOK)
	}
	return false
}

// printStress writes the text report.
func printStress(env Env, target, interpreter string, r harness.StressResult) {
	st := newStyle(env.Stdout, env.Getenv)
	perCall := ""
	if r.Calls > 0 {
		perCall = fmt.Sprintf(" (%.3f ms of thread time per call)", 1000*r.Duration*float64(r.Threads)/float64(r.Calls))
	}
	fmt.Fprintf(env.Stdout, "%s with %s: %d threads × %d rounds, %d calls in %.3f s%s\n",
		target, interpreter, r.Threads, r.Rounds, r.Calls, r.Duration, perCall)
	if r.Failures == 0 && !r.TimedOut && r.StartError == "" {
		fmt.Fprintln(env.Stdout, st.wrap(sgrGreen, "no call raised"))
		return
	}
	fmt.Fprintln(env.Stdout, st.wrap(sgrRed, r.Summary))
	for _, e := range r.Exceptions {
		line := fmt.Sprintf("  %d × %s", e.Count, e.Type)
		if e.Message != "" {
			line += ": " + strings.SplitN(e.Message, "\n", 2)[0]
		}
		if e.Where != "" {
			line += " (at " + e.Where
			if e.Function != "" {
				line += " in " + e.Function
			}
			line += ")"
		}
		fmt.Fprintln(env.Stdout, line)
	}
	if r.Stacks != "" {
		fmt.Fprintln(env.Stdout, r.Stacks)
	}
}
