package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/pyrace/pyrace/internal/harness"
	"github.com/pyrace/pyrace/internal/harness/pyhelpers"
	"github.com/pyrace/pyrace/internal/interp"
	"github.com/pyrace/pyrace/internal/results"
	"github.com/pyrace/pyrace/internal/survey"
)

// surveyOptions are the flags of `pyrace survey`.
type surveyOptions struct {
	registry, python           string
	top                        int
	packages                   []string
	reposDir, venvsDir         string
	resultsDir, runID          string
	iterations, jobs           int
	timeout, stall, cpuSample  string
	compareWithGIL, stopOnPass bool
	threads, testIterations    int
	extraDeps                  []string
	testOverride, testSuffix   string
	env                        []string
	shard                      string
	shardCosts                 []string
	checkStability             bool
	maxLoad, minMemoryGiB      float64
	resume                     string
	tsan                       bool
	tsanSupp                   string
}

func newSurveyCmd(env Env) *cobra.Command {
	var opts surveyOptions
	cmd := &cobra.Command{
		Use:   "survey --registry DIR [flags]",
		Short: "Survey many packages from a registry: fetch, venv, install, then pyrace run for each",
		Long: `An ecosystem survey runs pyrace over many packages, described by a registry:
a directory of YAML files, one per package, saying where its source is (a git
repository or a local path), how to install it and how to test it, with an
import name, a timeout, skips (always, or for some Python versions), extra
environment and a popularity that orders the registry for --top N. The
fields are documented in docs/survey.md and by the JSON schema
docs/registry.schema.json.

For each package of --registry (--top N most popular, or --packages a,b),
pyrace survey fetches the source into --repos-dir (git clone with depth, or
a copy of a local path), makes a venv for the package and the interpreter in
--venvs-dir (python -m venv --system-site-packages: the interpreter's own
test tools, such as pytest, are there without a package index), runs the
install commands with the venv first on PATH, then the pyrace run pipeline
(iterations with PYTHON_GIL=0, --threads, --compare-with-gil...). A source
that cannot be fetched or an install that fails is the package's
install_failure; the survey goes on. Every package's verdict goes into one
run directory, RESULTS_DIR/RUN_ID, read by pyrace show, report and the other
views; each package's setup output is in iterations/NAME/setup-0/setup.log.

  pyrace survey validate DIR    check every file: unknown fields (with the
                                known ones), types, duplicates, at file:line
  pyrace survey list DIR        the packages, most popular first
  pyrace survey import SRC DEST convert a labeille/laruche registry

Exit status: 0 when the survey completed (whatever the verdicts), 2 on a
usage error or an invalid registry, 130 when interrupted.`,
		Example: `  pyrace survey --registry examples/registry --python ~/.cache/pyrace/ft-python/3.13.5-2+deb13u5/bin/python3.13t
  pyrace survey --registry registry/ --top 50 -n 10 --jobs 2 --compare-with-gil`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.resume != "" {
				if cmd.Flags().NFlag() > 1 {
					return usagef("--resume continues a survey with its own settings; give no other flag")
				}
				return resumeSurvey(cmd.Context(), opts.resume, env)
			}
			return runSurvey(cmd.Context(), opts, cmd.Flags(), env)
		},
	}
	surveyFlags(cmd.Flags(), &opts)
	cmd.Flags().StringVar(&opts.resume, "resume", "", "continue the interrupted survey in `RUN_DIR` with its own settings; finished packages are not run again")
	cmd.AddCommand(newSurveyValidateCmd(env), newSurveyListCmd(env), newSurveyImportCmd(env))
	return cmd
}

func runSurvey(ctx context.Context, opts surveyOptions, flags *pflag.FlagSet, env Env) error {
	o, reg, err := prepareSurvey(ctx, opts, env)
	if err != nil {
		return err
	}
	argv := surveyArgv(flags, map[string]string{"registry": opts.registry, "results-dir": opts.resultsDir,
		"repos-dir": o.ReposDir, "venvs-dir": o.VenvsDir})
	pkgs := reg.Top(opts.top)
	if len(opts.packages) > 0 {
		if pkgs, err = reg.Select(opts.packages); err != nil {
			return usagef("--packages: %v", err)
		}
	}
	info := results.SurveyInfo{ID: opts.runID, Shards: 1}
	if info.ID == "" {
		info.ID = results.NewRunID(time.Now(), randomSuffix())
	}
	info.Registry, _ = filepath.Abs(opts.registry)
	runID := info.ID
	if opts.shard != "" {
		if info.Shard, info.Shards, err = survey.ParseShard(opts.shard); err != nil {
			return usagef("--shard %v", err)
		}
		costs, err := survey.Costs(opts.shardCosts)
		if err != nil {
			return usagef("--shard-costs: %v", err)
		}
		pkgs = survey.Shard(pkgs, info.Shard, info.Shards, costs)
		runID = fmt.Sprintf("%s-shard-%d-of-%d", info.ID, info.Shard, info.Shards)
	} else if len(opts.shardCosts) > 0 {
		return usagef("--shard-costs needs --shard")
	}
	for _, p := range pkgs {
		info.Packages = append(info.Packages, p.Name)
	}
	sys := systemProfile()
	if opts.checkStability {
		maxLoad := opts.maxLoad
		if maxLoad <= 0 {
			maxLoad = float64(sys.CPUs)
		}
		check := survey.CheckStability(sys, maxLoad, uint64(opts.minMemoryGiB*(1<<30)))
		if !check.Passed {
			return fmt.Errorf("--check-stability: %s; not starting (wait, or raise --max-load / lower --min-free-memory)", strings.Join(check.Problems, "; "))
		}
		info.Stability = &check
	}
	cfg := configOf(o.Harness)
	cfg.Package = "survey of " + info.Registry
	cfg.Dir = info.Registry
	cfg.Env = opts.env
	w, err := results.Create(opts.resultsDir, runID, results.Meta{
		Argv: argv, Config: cfg, System: sys,
		Interpreter: o.Python, Started: time.Now().UTC(), Survey: &info,
	})
	if err != nil {
		return &usageError{err: err}
	}
	o.Writer, o.Packages = w, pkgs
	return executeSurvey(ctx, o, opts.registry, env)
}

// prepareSurvey checks the flags, reads the registry and chooses the
// interpreter: everything of a survey but its packages and run directory.
func prepareSurvey(ctx context.Context, opts surveyOptions, env Env) (survey.Options, *survey.Registry, error) {
	var o survey.Options
	if opts.registry == "" {
		return o, nil, usagef("--registry DIR is required (or a subcommand: validate, list, import)")
	}
	if opts.top < 0 {
		return o, nil, usagef("--top %d: must be 0 (all) or more", opts.top)
	}
	if opts.top > 0 && len(opts.packages) > 0 {
		return o, nil, usagef("--top and --packages exclude each other")
	}
	if opts.iterations < 1 || opts.jobs < 1 {
		return o, nil, usagef("--iterations and --jobs must be at least 1")
	}
	if opts.threads < 0 || opts.testIterations < 1 || (opts.threads == 0 && opts.testIterations != 1) {
		return o, nil, usagef("--threads must be 1 or more, and --test-iterations needs --threads")
	}
	if err := validateEnv(opts.env); err != nil {
		return o, nil, err
	}
	timeout, err := parseSeconds("timeout", opts.timeout)
	if err != nil {
		return o, nil, err
	}
	stall, err := parseSeconds("stall-threshold", opts.stall)
	if err != nil {
		return o, nil, err
	}
	sample, err := parseSeconds("cpu-sample", opts.cpuSample)
	if err != nil {
		return o, nil, err
	}
	reg, err := survey.Load(opts.registry)
	if err != nil {
		return o, nil, &usageError{err: fmt.Errorf("registry %s is not valid:\n%w", opts.registry, err)}
	}
	tsanSupp := ""
	if opts.tsanSupp != "" {
		if !opts.tsan {
			return o, nil, usagef("--tsan-suppressions needs --tsan")
		}
		if tsanSupp, err = checkTSANSuppressions(opts.tsanSupp); err != nil {
			return o, nil, err
		}
	}
	py, err := chooseInterpreter(ctx, opts.python, env)
	if err != nil {
		return o, nil, err
	}
	if opts.tsan && !py.TSAN {
		return o, nil, usagef("--tsan: %s is not a ThreadSanitizer build of CPython (configure --with-thread-sanitizer)", py.Path)
	}
	if !py.FreeThreaded {
		fmt.Fprintf(env.Stderr, "pyrace: warning: %s is not a free-threaded build; the iterations run with the GIL\n", py.Path)
	}
	for flag, d := range map[string]*string{"--repos-dir": &opts.reposDir, "--venvs-dir": &opts.venvsDir} {
		abs, err := filepath.Abs(*d)
		if err == nil {
			err = os.MkdirAll(abs, 0o755)
		}
		if err != nil {
			return o, nil, usagef("%s: %v", flag, err)
		}
		*d = abs
	}
	h := harness.Options{
		Iterations: opts.iterations, Jobs: 1, Timeout: timeout, Stall: stall, CPUSample: sample,
		StopOnFirstPass: opts.stopOnPass, CompareWithGIL: opts.compareWithGIL,
		Threads: opts.threads, TestIterations: opts.testIterations, TSAN: opts.tsan, TSANSuppressions: tsanSupp,
	}
	if opts.threads == 0 {
		h.TestIterations = 0
	}
	o = survey.Options{
		Python: py, ReposDir: opts.reposDir, VenvsDir: opts.venvsDir, Harness: h,
		ExtraDeps: opts.extraDeps, TestCommandOverride: opts.testOverride, TestCommandSuffix: opts.testSuffix,
		Env: opts.env, Jobs: opts.jobs, Probe: interp.Probe,
		Progress: func(ev survey.Event) { writeSurveyProgress(env, ev) },
	}
	return o, reg, nil
}

// resumeSurvey continues the interrupted survey in dir with the flags it
// was started with: its packages that have a verdict are not run again, and
// the iterations of the one in progress count.
func resumeSurvey(ctx context.Context, dir string, env Env) error {
	run, err := results.ReadRun(dir)
	if err != nil {
		return err
	}
	if run.Meta.Survey == nil || len(run.Meta.Argv) < 2 {
		return usagef("--resume %s: not a survey run (pyrace run --resume continues a pyrace run)", dir)
	}
	if run.Meta.Status == results.Finished {
		return usagef("--resume %s: the survey finished; nothing to continue", dir)
	}
	var opts surveyOptions
	fs := pflag.NewFlagSet("survey", pflag.ContinueOnError)
	surveyFlags(fs, &opts)
	fs.SetOutput(io.Discard)
	if err := fs.Parse(run.Meta.Argv[2:]); err != nil {
		return fmt.Errorf("--resume %s: the survey's own flags (%s): %w", dir, strings.Join(run.Meta.Argv, " "), err)
	}
	o, reg, err := prepareSurvey(ctx, opts, env)
	if err != nil {
		return err
	}
	done := map[string]bool{}
	for _, r := range run.Records {
		done[r.Package] = true
	}
	var todo []string
	for _, name := range run.Meta.Survey.Packages {
		if !done[name] {
			todo = append(todo, name)
		}
	}
	pkgs, err := reg.Select(todo)
	if err != nil {
		return fmt.Errorf("--resume %s: %w", dir, err)
	}
	w, _, err := results.Resume(dir)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "pyrace: resuming %s: %d of %s done\n", w.Dir(), len(done), plural(len(run.Meta.Survey.Packages), "package"))
	o.Writer, o.Packages, o.Previous = w, pkgs, run.Iterations
	return executeSurvey(ctx, o, opts.registry, env)
}

// executeSurvey runs a prepared survey into its run directory and prints
// the counts per category.
func executeSurvey(ctx context.Context, o survey.Options, registry string, env Env) error {
	w := o.Writer
	o.Harness.HelpersDir = filepath.Join(w.Dir(), "helpers")
	if err := pyhelpers.Install(o.Harness.HelpersDir); err != nil {
		w.Close()
		return fmt.Errorf("installing pyrace's Python helpers: %w", err)
	}
	// As for pyrace run: bytecode spares every process compiling the
	// helpers; without it the survey is only slower.
	_ = pyhelpers.Precompile(ctx, o.Python.Path, o.Harness.HelpersDir)
	fmt.Fprintf(env.Stderr, "pyrace: surveying %s from %s with %s (%s), results in %s\n",
		plural(len(o.Packages), "package"), registry, o.Python.Path, o.Python.Describe(), w.Dir())
	res, err := survey.Run(ctx, o)
	if err := closeRun(w, err, "packages", "pyrace survey --resume", env); err != nil {
		return err
	}
	counts := map[results.Category]int{}
	for _, r := range res.Records {
		counts[r.Category]++
	}
	var parts []string
	for _, c := range results.Categories() {
		if counts[c] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[c], c))
		}
	}
	if len(res.Skipped) > 0 {
		parts = append(parts, fmt.Sprintf("%d skipped", len(res.Skipped)))
	}
	if len(parts) == 0 {
		parts = append(parts, "no packages")
	}
	fmt.Fprintf(env.Stdout, "%s: %s\n", w.Dir(), strings.Join(parts, ", "))
	fmt.Fprintf(env.Stdout, "pyrace show %s\n", w.Dir())
	return nil
}

// writeSurveyProgress prints one line per package that ended.
func writeSurveyProgress(env Env, ev survey.Event) {
	prefix := fmt.Sprintf("[%d/%d] %s", ev.Done, ev.Total, ev.Package)
	switch {
	case ev.Skipped != "":
		fmt.Fprintf(env.Stderr, "%s: skipped: %s\n", prefix, ev.Skipped)
	case ev.Record != nil:
		eta := ""
		if ev.Done < ev.Total {
			eta = fmt.Sprintf(", about %s left", ev.ETA.Round(time.Second))
		}
		fmt.Fprintf(env.Stderr, "%s: %s (%s%s)\n", prefix, ev.Record.Verdict, ev.Took.Round(100*time.Millisecond), eta)
	}
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
				fmt.Fprintf(tw, "%d\t%s\t%d\t%s\t%s\n", i+1, p.Name, p.Popularity, src, cmp.Or(p.Skip, "-"))
			}
			return tw.Flush()
		},
	}
	cmd.Flags().IntVar(&top, "top", 0, "the `N` most popular packages only (0: all)")
	return cmd
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

// surveyFlags registers the flags of a survey (also read back from a
// run's argv by --resume).
func surveyFlags(f *pflag.FlagSet, opts *surveyOptions) {
	f.StringVar(&opts.registry, "registry", "", "the registry `DIR` (one YAML file per package)")
	f.StringVar(&opts.python, "python", "", "interpreter `PATH` every venv is made from (default: the first free-threaded interpreter found)")
	f.IntVar(&opts.top, "top", 0, "the `N` most popular packages of the registry (0: all)")
	f.StringSliceVar(&opts.packages, "packages", nil, "these packages only, comma-separated `NAMES`")
	f.StringVar(&opts.reposDir, "repos-dir", "pyrace-repos", "where sources are fetched (`DIR`)")
	f.StringVar(&opts.venvsDir, "venvs-dir", "pyrace-venvs", "where venvs are made (`DIR`), one per package and interpreter")
	f.StringVar(&opts.resultsDir, "results-dir", "pyrace-results", "write the survey's run under `DIR`")
	f.StringVar(&opts.runID, "run-id", "", "name the run directory `ID` (default: start time and a random suffix)")
	f.IntVarP(&opts.iterations, "iterations", "n", 10, "run each package's tests `N` times with the GIL disabled")
	f.IntVarP(&opts.jobs, "jobs", "j", 1, "survey `J` packages at once")
	f.StringVar(&opts.timeout, "timeout", "600", "`SECONDS` for each install command and each test iteration (a package's timeout wins)")
	f.StringVar(&opts.stall, "stall-threshold", "60", "`SECONDS` without output that count as a stall")
	f.StringVar(&opts.cpuSample, "cpu-sample", "3", "`SECONDS` of CPU sampling after a stall")
	f.BoolVar(&opts.compareWithGIL, "compare-with-gil", false, "also run each package's iterations with PYTHON_GIL=1")
	f.BoolVar(&opts.stopOnPass, "stop-on-first-pass", false, "stop a package after its first passing iteration (quick coverage)")
	f.IntVar(&opts.threads, "threads", 0, "run each test body in `K` threads at once (pytest or python -m unittest)")
	f.IntVar(&opts.testIterations, "test-iterations", 1, "with --threads, `M` rounds of each test body")
	f.StringSliceVar(&opts.extraDeps, "extra-deps", nil, "pip-install these `PACKAGES` into every venv after its install commands")
	f.StringVar(&opts.testOverride, "test-command-override", "", "run `COMMAND` instead of every package's test command")
	f.StringVar(&opts.testSuffix, "test-command-suffix", "", "append `ARGS` to every package's test command")
	f.StringArrayVar(&opts.env, "env", nil, "set `K=V` for installs and tests (repeatable; after the registry's env)")
	f.BoolVar(&opts.tsan, "tsan", false, "the interpreter is a ThreadSanitizer build: TSAN's reports are read with signatures")
	f.StringVar(&opts.tsanSupp, "tsan-suppressions", "", "with --tsan: TSAN suppressions `FILE` passed to the runtime")
	f.StringVar(&opts.shard, "shard", "", "survey shard `i/n` only (0 <= i < n): a deterministic, balanced part of the packages")
	f.StringSliceVar(&opts.shardCosts, "shard-costs", nil, "balance --shard by the package durations of earlier `RUNS` (else by name hash)")
	f.BoolVar(&opts.checkStability, "check-stability", false, "check the load average and free memory first, refuse to start when they are off, record them in meta.json")
	f.Float64Var(&opts.maxLoad, "max-load", 0, "with --check-stability, the highest 1-minute `LOAD` average (default: the number of CPUs)")
	f.Float64Var(&opts.minMemoryGiB, "min-free-memory", 2, "with --check-stability, the least available memory in `GiB`")
}

// surveyArgv is the command line of a survey as --resume reads it back:
// every flag that was set, the paths among them (paths) absolute.
func surveyArgv(flags *pflag.FlagSet, paths map[string]string) []string {
	argv := []string{"pyrace", "survey"}
	flags.Visit(func(f *pflag.Flag) {
		if p, ok := paths[f.Name]; ok {
			if abs, err := filepath.Abs(p); err == nil {
				p = abs
			}
			argv = append(argv, "--"+f.Name+"="+p)
			return
		}
		if sv, ok := f.Value.(pflag.SliceValue); ok {
			for _, v := range sv.GetSlice() {
				if f.Name == "shard-costs" {
					if abs, err := filepath.Abs(v); err == nil {
						v = abs
					}
				}
				argv = append(argv, "--"+f.Name+"="+v)
			}
			return
		}
		argv = append(argv, "--"+f.Name+"="+f.Value.String())
	})
	for _, name := range []string{"registry", "results-dir", "repos-dir", "venvs-dir"} {
		p, ok := paths[name]
		if ok && flags.Lookup(name) != nil && !flags.Changed(name) {
			if abs, err := filepath.Abs(p); err == nil {
				argv = append(argv, "--"+name+"="+abs)
			}
		}
	}
	return argv
}
