package cli

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/pyrace/pyrace/internal/gilcheck"
	"github.com/pyrace/pyrace/internal/harness"
	"github.com/pyrace/pyrace/internal/harness/pyhelpers"
	"github.com/pyrace/pyrace/internal/interp"
	"github.com/pyrace/pyrace/internal/results"
	"github.com/pyrace/pyrace/internal/tsan"
)

// runOptions are the flags and arguments of `pyrace run`.
type runOptions struct {
	dir            string
	python         string
	iterations     int
	jobs           int
	timeout        string
	stall          string
	cpuSample      string
	env            []string
	stopOnPass     bool
	untilFail      bool
	adaptive       bool
	targetRate     float64
	maxIterations  int
	compareWithGIL bool
	threads        int
	threadsSet     bool // --threads was given (0 is then an error)
	testIterations int
	testTimeout    string
	unsafeFixtures []string
	tsan           bool
	tsanSupp       string
	pkg            string
	importName     string
	noGILProbe     bool
	resultsDir     string
	runID          string
	resume         string
	format         string
	failOn         string
	command        []string
}

func newRunCmd(env Env) *cobra.Command {
	var opts runOptions
	cmd := &cobra.Command{
		Use:   "run [flags] [-- COMMAND...]",
		Short: "Run a test suite many times with the GIL disabled and classify the outcome",
		Long: `Run a project's test suite --iterations times under a free-threaded
interpreter with PYTHON_GIL=0, supervise every iteration and classify the run:
compatible, compatible_gil_fallback, tsan_warnings, intermittent,
incompatible, crash, deadlock, import_failure or unknown.

COMMAND defaults to "python -m pytest" with the chosen interpreter. A
COMMAND starting with "python" or "python3" runs the chosen interpreter;
"python -m unittest ..." runs pyrace's unittest runner, which takes the same
arguments and also records per-test outcomes. When the interpreter has no
pytest, the default is "python -m unittest discover".

Every iteration runs in its own process group with PYTHON_GIL=0 (only on a
free-threaded build: other builds refuse it), PYTHONFAULTHANDLER=1,
PYTHONUNBUFFERED=1, PYTHONDONTWRITEBYTECODE=1 and pyrace's helpers first on
PYTHONPATH (a sitecustomize that dumps every thread's stack on request and
records GIL state, a pytest plugin and a unittest runner that write per-test
results); --env K=V overrides any of these. When neither stdout nor stderr
has printed anything for --stall-threshold, pyrace dumps every Python
thread's stack, samples the process tree's CPU time to tell a deadlock (idle)
from a livelock (busy), then kills the whole group. --timeout bounds an
iteration. Ctrl-C stops cleanly and keeps the finished iterations.

With --threads K, pyrace's pytest plugin (or its unittest runner, for
"python -m unittest") runs every test body in K threads
that start together at a barrier, --test-iterations rounds, keeps every
thread's exception with counts, runs thread-unsafe tests (marker
thread_unsafe, fixtures such as monkeypatch or capsys, warnings.catch_warnings
or mock.patch in their code) once, single-threaded, and adds one plain
iteration as the baseline: the verdict names the tests that fail only when
threaded.

Before the iterations, the project's package and all its submodules are
imported once with PYTHON_GIL unset, to see which extension module re-enables
the GIL (with PYTHON_GIL=0 CPython never re-enables it), and the source is
scanned for free-threading opt-in declarations.

Results go to RESULTS_DIR/RUN_ID/: meta.json (written at start, finalised at
the end), iterations.jsonl (one line per iteration, as each finishes),
results.jsonl (the verdict) and iterations/ (stdout, stderr, per-test JSONL
and stack dumps of each iteration). A run killed half-way keeps every
finished iteration; --resume RUN_DIR completes it with its original settings.

Exit status: 0 when the run completed (whatever the verdict), 1 when the
verdict is one of --fail-on, 2 on a usage or input error, 130 when
interrupted.`,
		Example: `  pyrace run -C examples/counters
  pyrace run --python ~/.cache/pyrace/ft-python/3.13.5-2+deb13u5/bin/python3.13t -n 20 -- python -m pytest -x tests/
  pyrace run --threads 8 --test-iterations 5
  pyrace run --compare-with-gil --fail-on intermittent,crash,deadlock
  pyrace run --adaptive --target-rate 0.05 --max-iterations 200
  pyrace run --resume pyrace-results/20261122T101500Z-3f9a`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if dash := cmd.ArgsLenAtDash(); dash >= 0 {
				if dash > 0 {
					return usagef("unexpected arguments before --: %s", strings.Join(args[:dash], " "))
				}
				opts.command = args[dash:]
			} else if len(args) > 0 {
				return usagef("put the test command after --, as in: pyrace run -- %s", strings.Join(args, " "))
			}
			opts.threadsSet = cmd.Flags().Changed("threads")
			return runRun(cmd.Context(), cmd, opts, env)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&opts.dir, "dir", "C", ".", "run the command in `DIR`, the project's directory")
	f.StringVar(&opts.python, "python", "", "interpreter `PATH` (default: the first free-threaded interpreter found, else python3 with a warning)")
	f.IntVarP(&opts.iterations, "iterations", "n", 10, "run the test command `N` times with the GIL disabled")
	f.IntVarP(&opts.jobs, "jobs", "j", 1, "run `J` iterations at once (parallel runs change contention)")
	f.StringVar(&opts.timeout, "timeout", "600", "kill an iteration after `SECONDS` (or a duration such as 10m)")
	f.StringVar(&opts.stall, "stall-threshold", "60", "`SECONDS` without output on stdout and stderr that count as a stall")
	f.StringVar(&opts.cpuSample, "cpu-sample", "3", "`SECONDS` of CPU sampling after a stall, to tell deadlock from livelock")
	f.StringArrayVar(&opts.env, "env", nil, "set `K=V` in the test command's environment (repeatable; wins over pyrace's own)")
	f.BoolVar(&opts.stopOnPass, "stop-on-first-pass", false, "stop after the first passing iteration (quick coverage)")
	f.BoolVar(&opts.untilFail, "until-fail", false, "stop after the first failing iteration")
	f.BoolVar(&opts.adaptive, "adaptive", false, "after --iterations, keep going until the 95% upper bound on the failure rate is below --target-rate")
	f.Float64Var(&opts.targetRate, "target-rate", 0.05, "failure `RATE` --adaptive must bound from above")
	f.IntVar(&opts.maxIterations, "max-iterations", 100, "stop --adaptive after `N` iterations")
	f.BoolVar(&opts.compareWithGIL, "compare-with-gil", false, "also run the iterations with PYTHON_GIL=1 and mark failures that happen there too as pre-existing")
	f.IntVar(&opts.threads, "threads", 0, "run each test body in `K` threads at once, started together at a barrier (pytest or python -m unittest; adds one plain iteration as the baseline)")
	f.IntVar(&opts.testIterations, "test-iterations", 1, "with --threads, run each test body `M` rounds, the threads meeting at the barrier before each")
	f.StringVar(&opts.testTimeout, "test-timeout", "", "with --threads, fail a test still running after `SECONDS`, with every thread's stack (default 30, at most half of --stall-threshold)")
	f.StringSliceVar(&opts.unsafeFixtures, "thread-unsafe-fixtures", nil, "with --threads, also run tests using these `FIXTURES` once, single-threaded (comma-separated; monkeypatch, capsys, capfd, recwarn, caplog... always are)")
	f.BoolVar(&opts.tsan, "tsan", false, "the interpreter is a ThreadSanitizer build: keep going after a report (halt_on_error=0) and print both stacks of a lock-order inversion (reports are read either way)")
	f.StringVar(&opts.tsanSupp, "tsan-suppressions", "", "with --tsan, pass the TSAN suppressions `FILE` (checked first) to the runtime")
	f.StringVar(&opts.pkg, "package", "", "`NAME` of the project in the results (default: the directory's name)")
	f.StringVar(&opts.importName, "import", "", "import `NAME` of the package probed for GIL fallback (default: found in DIR or DIR/src)")
	f.BoolVar(&opts.noGILProbe, "no-gil-probe", false, "skip the GIL-fallback import probe")
	f.StringVar(&opts.resultsDir, "results-dir", "pyrace-results", "write the run under `DIR`")
	f.StringVar(&opts.runID, "run-id", "", "name the run directory `ID` (default: start time and a random suffix)")
	f.StringVar(&opts.resume, "resume", "", "finish the interrupted run in `RUN_DIR` with its own settings")
	f.StringVar(&opts.format, "format", "text", "`FORMAT` of the summary on stdout: text or json")
	f.StringVar(&opts.failOn, "fail-on", "", "exit 1 when the verdict is one of these comma-separated `CATEGORIES` (\"any\": anything but compatible)")
	return cmd
}

// parseSeconds accepts "60", "2.5" or a Go duration such as "10m".
func parseSeconds(flag, s string) (time.Duration, error) {
	if v, err := strconv.ParseFloat(s, 64); err == nil {
		if v < 0 {
			return 0, usagef("--%s %s: must not be negative", flag, s)
		}
		return time.Duration(v * float64(time.Second)), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, usagef("--%s %q: want seconds (60) or a duration (1m30s)", flag, s)
	}
	return d, nil
}

// failOnSet parses --fail-on.
func failOnSet(s string) (map[results.Category]bool, error) {
	set := map[results.Category]bool{}
	if strings.TrimSpace(s) == "" {
		return set, nil
	}
	for _, part := range strings.Split(s, ",") {
		c := results.Category(strings.TrimSpace(part))
		if c == "any" {
			for _, k := range results.Categories() {
				if k != results.Compatible {
					set[k] = true
				}
			}
			continue
		}
		if !slices.Contains(results.Categories(), c) {
			return nil, usagef("--fail-on %q: unknown category (one of %s, or any)", c, joinCategories())
		}
		set[c] = true
	}
	return set, nil
}

func joinCategories() string {
	var names []string
	for _, c := range results.Categories() {
		names = append(names, string(c))
	}
	return strings.Join(names, ", ")
}

func validateEnv(kvs []string) error {
	for _, kv := range kvs {
		k, _, ok := strings.Cut(kv, "=")
		if !ok || k == "" || strings.ContainsAny(k, " \t\n\x00") {
			return usagef("--env %q: want KEY=VALUE", kv)
		}
	}
	return nil
}

func runRun(ctx context.Context, cmd *cobra.Command, opts runOptions, env Env) error {
	if opts.format != "text" && opts.format != "json" {
		return usagef("--format %q: want text or json", opts.format)
	}
	failOn, err := failOnSet(opts.failOn)
	if err != nil {
		return err
	}
	if opts.resume != "" {
		return resumeRun(ctx, cmd, opts, failOn, env)
	}
	hopts, meta, err := prepareRun(ctx, opts, env)
	if err != nil {
		return err
	}
	runID := opts.runID
	if runID == "" {
		runID = results.NewRunID(time.Now(), randomSuffix())
	}
	w, err := results.Create(opts.resultsDir, runID, meta)
	if err != nil {
		return &usageError{err: err}
	}
	return executeRun(ctx, w, hopts, nil, opts.format, failOn, env)
}

// prepareRun validates the flags, picks and probes the interpreter and
// builds the harness options and the run's metadata.
func prepareRun(ctx context.Context, opts runOptions, env Env) (harness.Options, results.Meta, error) {
	var h harness.Options
	if opts.iterations < 1 {
		return h, results.Meta{}, usagef("--iterations %d: must be at least 1", opts.iterations)
	}
	if opts.jobs < 1 {
		return h, results.Meta{}, usagef("--jobs %d: must be at least 1", opts.jobs)
	}
	if opts.adaptive && (opts.targetRate <= 0 || opts.targetRate >= 1) {
		return h, results.Meta{}, usagef("--target-rate %v: must be between 0 and 1", opts.targetRate)
	}
	if opts.adaptive && opts.maxIterations < opts.iterations {
		return h, results.Meta{}, usagef("--max-iterations %d is below --iterations %d", opts.maxIterations, opts.iterations)
	}
	if opts.stopOnPass && opts.untilFail {
		return h, results.Meta{}, usagef("--stop-on-first-pass and --until-fail exclude each other")
	}
	if err := validateEnv(opts.env); err != nil {
		return h, results.Meta{}, err
	}
	if opts.threads < 0 || opts.threads == 0 && opts.threadsSet {
		return h, results.Meta{}, usagef("--threads %d: must be at least 1", opts.threads)
	}
	if opts.testIterations < 1 {
		return h, results.Meta{}, usagef("--test-iterations %d: must be at least 1", opts.testIterations)
	}
	if opts.threads == 0 && (opts.testIterations != 1 || opts.testTimeout != "" || len(opts.unsafeFixtures) > 0) {
		return h, results.Meta{}, usagef("--test-iterations, --test-timeout and --thread-unsafe-fixtures need --threads")
	}
	timeout, err := parseSeconds("timeout", opts.timeout)
	if err != nil {
		return h, results.Meta{}, err
	}
	stall, err := parseSeconds("stall-threshold", opts.stall)
	if err != nil {
		return h, results.Meta{}, err
	}
	sample, err := parseSeconds("cpu-sample", opts.cpuSample)
	if err != nil {
		return h, results.Meta{}, err
	}
	testTimeout, err := testTimeoutOf(opts.testTimeout, stall)
	if err != nil {
		return h, results.Meta{}, err
	}
	tsanSupp := ""
	if opts.tsanSupp != "" {
		if !opts.tsan {
			return h, results.Meta{}, usagef("--tsan-suppressions needs --tsan")
		}
		if tsanSupp, err = checkTSANSuppressions(opts.tsanSupp); err != nil {
			return h, results.Meta{}, err
		}
	}
	dir, err := filepath.Abs(opts.dir)
	if err != nil {
		return h, results.Meta{}, fmt.Errorf("--dir: %w", err)
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return h, results.Meta{}, usagef("--dir %s: not a directory", opts.dir)
	}

	py, err := chooseInterpreter(ctx, opts.python, env)
	if err != nil {
		return h, results.Meta{}, err
	}
	command, note := harness.TestCommand(opts.command, py)
	if err := checkCommand(command[0], dir, filepath.Dir(py.Path)); err != nil {
		return h, results.Meta{}, usagef("test command: %v", err)
	}
	if opts.tsan && !py.TSAN {
		return h, results.Meta{}, usagef("--tsan: %s is not a ThreadSanitizer build of CPython (configure --with-thread-sanitizer)", py.Path)
	}
	if opts.threads > 0 && !runsPytest(command) && !slices.Contains(command, "pyrace_unittest") {
		return h, results.Meta{}, usagef("--threads needs pytest or python -m unittest as the test command (our plugin and runner run the threads); %q is neither", strings.Join(command, " "))
	}
	if note != "" {
		fmt.Fprintf(env.Stderr, "pyrace: %s\n", note)
	}
	if !py.FreeThreaded {
		fmt.Fprintf(env.Stderr, "pyrace: warning: %s is not a free-threaded build; the iterations run with the GIL (races show less often)\n", py.Path)
		if opts.compareWithGIL {
			fmt.Fprintf(env.Stderr, "pyrace: warning: --compare-with-gil needs a free-threaded interpreter; skipped\n")
		}
	}
	pkg := opts.pkg
	if pkg == "" {
		pkg = filepath.Base(dir)
	}
	importName := ""
	if !opts.noGILProbe {
		importName = opts.importName
		if importName == "" {
			importName = gilcheck.FindImportName(dir)
		}
	}
	h = harness.Options{
		Interpreter:      py,
		Command:          command,
		Dir:              dir,
		Package:          pkg,
		ImportName:       importName,
		BaseEnv:          os.Environ(),
		Env:              opts.env,
		Iterations:       opts.iterations,
		Jobs:             opts.jobs,
		Timeout:          timeout,
		Stall:            stall,
		CPUSample:        sample,
		StopOnFirstPass:  opts.stopOnPass,
		UntilFail:        opts.untilFail,
		Adaptive:         opts.adaptive,
		TargetRate:       opts.targetRate,
		MaxIterations:    opts.maxIterations,
		CompareWithGIL:   opts.compareWithGIL,
		Threads:          opts.threads,
		TestIterations:   opts.testIterations,
		TestTimeout:      testTimeout,
		UnsafeFixtures:   opts.unsafeFixtures,
		TSAN:             opts.tsan,
		TSANSuppressions: tsanSupp,
	}
	if opts.threads == 0 {
		h.TestIterations, h.TestTimeout = 0, 0
	}
	meta := results.Meta{
		Argv:        append([]string{"pyrace"}, os.Args[1:]...),
		Config:      configOf(h),
		System:      systemProfile(),
		Interpreter: py,
		Started:     time.Now().UTC(),
	}
	return h, meta, nil
}

func configOf(h harness.Options) results.Config {
	return results.Config{
		Dir:                h.Dir,
		Package:            h.Package,
		ImportName:         h.ImportName,
		Command:            h.Command,
		Env:                h.Env,
		Iterations:         h.Iterations,
		Jobs:               h.Jobs,
		TimeoutSeconds:     h.Timeout.Seconds(),
		StallSeconds:       h.Stall.Seconds(),
		StopOnFirstPass:    h.StopOnFirstPass,
		UntilFail:          h.UntilFail,
		Adaptive:           h.Adaptive,
		TargetRate:         h.TargetRate,
		MaxIterations:      h.MaxIterations,
		CompareWithGIL:     h.CompareWithGIL,
		GILProbe:           h.ImportName != "",
		Threads:            h.Threads,
		TestIterations:     h.TestIterations,
		TestTimeoutSeconds: h.TestTimeout.Seconds(),
		UnsafeFixtures:     h.UnsafeFixtures,
		TSAN:               h.TSAN,
		TSANSuppressions:   h.TSANSuppressions,
	}
}

// checkTSANSuppressions reads a TSAN suppressions file, so that a mistake
// is reported with its line before any iteration runs, and returns its
// absolute path.
func checkTSANSuppressions(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", &usageError{err: fmt.Errorf("--tsan-suppressions: %w", err)}
	}
	if _, err := tsan.ParseSuppressions(string(b)); err != nil {
		return "", &usageError{err: fmt.Errorf("--tsan-suppressions %s: %w", path, err)}
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("--tsan-suppressions: %w", err)
	}
	return abs, nil
}

// defaultTestTimeout bounds one test of a --threads run unless
// --test-timeout says otherwise.
const defaultTestTimeout = 30 * time.Second

// testTimeoutOf parses --test-timeout. The default is 30 s, at most half the
// stall threshold; a test timeout at or above the stall threshold would let
// a deadlocked test stall the whole iteration first, so it is refused.
func testTimeoutOf(flag string, stall time.Duration) (time.Duration, error) {
	if flag == "" {
		d := defaultTestTimeout
		if stall > 0 && d > stall/2 {
			d = stall / 2
		}
		return d, nil
	}
	d, err := parseSeconds("test-timeout", flag)
	if err != nil {
		return 0, err
	}
	if stall > 0 && d >= stall {
		return 0, usagef("--test-timeout %s must be below --stall-threshold (%s): a stuck test must fail before the iteration counts as stalled", flag, stall)
	}
	return d, nil
}

// runsPytest reports whether a test command runs pytest: "python -m pytest",
// "pytest", "py.test", possibly through a path.
func runsPytest(argv []string) bool {
	for i, a := range argv {
		base := filepath.Base(a)
		if base == "pytest" || base == "py.test" {
			return true
		}
		if a == "-m" && i+1 < len(argv) && (argv[i+1] == "pytest" || argv[i+1] == "py.test") {
			return true
		}
	}
	return false
}

// chooseInterpreter probes --python, or finds the default interpreter.
func chooseInterpreter(ctx context.Context, path string, env Env) (results.Interpreter, error) {
	if path != "" {
		py, err := interp.Probe(ctx, path)
		if err != nil {
			return py, &usageError{err: fmt.Errorf("--python: %w", err)}
		}
		return py, nil
	}
	py, warning, err := interp.Default(ctx, interp.Options{Getenv: env.Getenv})
	if err != nil {
		return py, &usageError{err: fmt.Errorf("no interpreter: %w (use --python PATH)", err)}
	}
	if warning != "" {
		fmt.Fprintf(env.Stderr, "pyrace: warning: %s\n", warning)
	}
	return py, nil
}

// checkCommand reports whether name can be run as the iterations will run
// it: a path is relative to the working directory dir, and a bare name is
// looked up on PATH after the interpreter's own directory.
func checkCommand(name, dir, interpreterDir string) error {
	if strings.ContainsRune(name, '/') {
		if !filepath.IsAbs(name) {
			name = filepath.Join(dir, name)
		}
		_, err := exec.LookPath(name)
		return err
	}
	if _, err := exec.LookPath(filepath.Join(interpreterDir, name)); err == nil {
		return nil
	}
	if _, err := exec.LookPath(name); err != nil {
		return fmt.Errorf("%q not found on PATH", name)
	}
	return nil
}

func resumeRun(ctx context.Context, cmd *cobra.Command, opts runOptions, failOn map[results.Category]bool, env Env) error {
	for _, name := range []string{"python", "iterations", "dir", "env", "jobs", "run-id", "results-dir", "threads", "test-iterations", "test-timeout", "thread-unsafe-fixtures", "tsan", "tsan-suppressions"} {
		if cmd.Flags().Changed(name) {
			return usagef("--resume continues a run with its own settings; --%s cannot be changed", name)
		}
	}
	if len(opts.command) > 0 {
		return usagef("--resume continues a run with its own command; drop the command after --")
	}
	w, run, err := results.Resume(opts.resume)
	if err != nil {
		return &usageError{err: fmt.Errorf("--resume: %w", err)}
	}
	for _, warn := range run.Warnings {
		fmt.Fprintf(env.Stderr, "pyrace: warning: %s\n", warn)
	}
	c := run.Meta.Config
	for _, rec := range run.Records {
		if rec.Package == c.Package {
			w.Finish(results.Finished, time.Now())
			fmt.Fprintf(env.Stderr, "pyrace: %s is already complete\n", opts.resume)
			return finishOutput(w.Dir(), rec, opts.format, failOn, env)
		}
	}
	py, err := interp.Probe(ctx, run.Meta.Interpreter.Path)
	if err != nil {
		w.Close()
		return &usageError{err: fmt.Errorf("--resume: the run's interpreter: %w", err)}
	}
	h := harness.Options{
		Interpreter: py, Command: c.Command, Dir: c.Dir, Package: c.Package, ImportName: c.ImportName,
		BaseEnv: os.Environ(), Env: c.Env, Iterations: c.Iterations, Jobs: max(c.Jobs, 1),
		Timeout:         time.Duration(c.TimeoutSeconds * float64(time.Second)),
		Stall:           time.Duration(c.StallSeconds * float64(time.Second)),
		CPUSample:       3 * time.Second,
		StopOnFirstPass: c.StopOnFirstPass, UntilFail: c.UntilFail, Adaptive: c.Adaptive,
		TargetRate: c.TargetRate, MaxIterations: c.MaxIterations, CompareWithGIL: c.CompareWithGIL,
		Threads: c.Threads, TestIterations: c.TestIterations, UnsafeFixtures: c.UnsafeFixtures,
		TSAN: c.TSAN, TSANSuppressions: c.TSANSuppressions,
		TestTimeout: time.Duration(c.TestTimeoutSeconds * float64(time.Second)),
	}
	if s, err := parseSeconds("cpu-sample", opts.cpuSample); err == nil {
		h.CPUSample = s
	}
	fmt.Fprintf(env.Stderr, "pyrace: resuming %s: %d iterations already recorded\n", opts.resume, len(run.Iterations))
	return executeRun(ctx, w, h, run.Iterations, opts.format, failOn, env)
}

// executeRun installs the helpers, runs the harness with progress on stderr
// and prints the summary.
func executeRun(ctx context.Context, w *results.Writer, h harness.Options, previous []results.Iteration, format string, failOn map[results.Category]bool, env Env) error {
	h.HelpersDir = filepath.Join(w.Dir(), "helpers")
	if err := pyhelpers.Install(h.HelpersDir); err != nil {
		w.Close()
		return fmt.Errorf("installing pyrace's Python helpers: %w", err)
	}
	// Bytecode for the helpers saves every Python process of the run from
	// compiling them (PYTHONDONTWRITEBYTECODE is set); without it the run
	// is only slower.
	_ = pyhelpers.Precompile(ctx, h.Interpreter.Path, h.HelpersDir)
	bar := newProgressBar(env.Stderr, env.Getenv)
	h.Progress = bar.update
	fmt.Fprintf(env.Stderr, "pyrace: running %s in %s with %s (%s), results in %s\n",
		strings.Join(h.Command, " "), h.Dir, h.Interpreter.Path, h.Interpreter.Describe(), w.Dir())
	rec, err := harness.Run(ctx, w, h, previous)
	bar.finish()
	if err := closeRun(w, err, "iterations", "pyrace run --resume", env); err != nil {
		return err
	}
	return finishOutput(w.Dir(), rec, format, failOn, env)
}

// closeRun records in meta.json how a run or survey ended, given the error
// its work returned: finished, or interrupted (exit 130, with how to
// resume; kept names what was kept), or failed.
func closeRun(w *results.Writer, err error, kept, resume string, env Env) error {
	switch {
	case errors.Is(err, harness.ErrInterrupted):
		w.Finish(results.Interrupted, time.Now())
		fmt.Fprintf(env.Stderr, "pyrace: interrupted; finished %s are kept in %s (continue with: %s %s)\n", kept, w.Dir(), resume, w.Dir())
		return &exitStatus{code: 130}
	case err != nil:
		w.Finish(results.Interrupted, time.Now())
		return fmt.Errorf("%s: %w", w.Dir(), err)
	}
	return w.Finish(results.Finished, time.Now())
}

func finishOutput(dir string, rec results.Record, format string, failOn map[results.Category]bool, env Env) error {
	if format == "json" {
		out := struct {
			RunDir  string           `json:"run_dir"`
			Records []results.Record `json:"records"`
		}{dir, []results.Record{rec}}
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return err
		}
	} else {
		writeRunSummary(env.Stdout, newStyle(env.Stdout, env.Getenv), dir, rec)
	}
	if failOn[rec.Category] {
		return &exitStatus{code: ExitFindings}
	}
	return nil
}

// writeRunSummary prints the one-screen summary of a run.
func writeRunSummary(w io.Writer, st style, dir string, rec results.Record) {
	fmt.Fprintf(w, "%s %s\n", st.wrap(sgrBold, rec.Package+":"), st.wrap(categoryColor(rec.Category), rec.Verdict))
	for _, line := range rec.Evidence {
		fmt.Fprintf(w, "  %s\n", line)
	}
	var counts []string
	for _, o := range []results.Outcome{results.OutcomePass, results.OutcomeFail, results.OutcomeCrash,
		results.OutcomeDeadlock, results.OutcomeLivelock, results.OutcomeTimeout} {
		if n := rec.Outcomes[o]; n > 0 {
			counts = append(counts, fmt.Sprintf("%s %d", o, n))
		}
	}
	if len(counts) > 0 {
		fmt.Fprintf(w, "  iterations: %s\n", strings.Join(counts, ", "))
	}
	if g := rec.GIL; g != nil && g.Probed {
		state := "stayed disabled"
		if g.Fallback() {
			state = "was re-enabled"
		}
		fmt.Fprintf(w, "  GIL probe: imported %s (%d modules): the GIL %s", g.ImportName, g.Modules, state)
		if len(g.OptIns) > 0 {
			fmt.Fprintf(w, "; %d opt-in declarations in source", len(g.OptIns))
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "  results: %s\n", dir)
}

func categoryColor(c results.Category) string {
	switch c {
	case results.Compatible:
		return sgrBold
	case results.CompatibleGILFallback, results.TSANWarnings, results.Intermittent:
		return sgrYellow
	}
	return sgrRed
}

func randomSuffix() string {
	var b [2]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// systemProfile describes this machine for meta.json.
func systemProfile() results.System {
	s := results.System{
		OS:            runtime.GOOS,
		Arch:          runtime.GOARCH,
		CPUs:          runtime.NumCPU(),
		PyraceVersion: readBuildVersion().Version,
	}
	s.Hostname, _ = os.Hostname()
	if data, err := os.ReadFile("/proc/loadavg"); err == nil {
		fields := strings.Fields(string(data))
		for i := 0; i < 3 && i < len(fields); i++ {
			s.LoadAverage[i], _ = strconv.ParseFloat(fields[i], 64)
		}
	}
	if data, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			f := strings.Fields(line)
			if len(f) < 2 {
				continue
			}
			kb, _ := strconv.ParseUint(f[1], 10, 64)
			switch f[0] {
			case "MemTotal:":
				s.MemoryTotal = kb << 10
			case "MemAvailable:":
				s.MemoryFree = kb << 10
			}
		}
	}
	if data, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		s.Kernel = strings.TrimSpace(string(data))
	}
	return s
}
