package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/pyrace/pyrace/internal/python"
	"github.com/pyrace/pyrace/internal/scan"
	"github.com/pyrace/pyrace/internal/scan/config"
	"github.com/pyrace/pyrace/internal/scan/format"
	"github.com/pyrace/pyrace/internal/scan/model"
	"github.com/pyrace/pyrace/internal/scan/rules"
)

// scanOptions are the flags and arguments of `pyrace scan`.
type scanOptions struct {
	paths             []string
	selectRules       []string
	extendSelect      []string
	ignore            []string
	minConfidence     string
	assumeThreaded    []string
	format            string
	output            string
	baseline          string
	updateBaseline    bool
	warnUnusedIgnores bool
	noGitignore       bool
	configFile        string
	isolated          bool
	jobs              int
	exitZero          bool
	noSource          bool
	syncDecorators    []string
	lockNames         []string
	// exclude and extendExclude are the configuration's gitignore-style
	// patterns, relative to excludeBase.
	exclude, extendExclude []string
	excludeBase            string
}

var scanFormats = []string{"text", "json", "sarif", "github", "junit"}

func newScanCmd(env Env) *cobra.Command {
	var opts scanOptions
	cmd := &cobra.Command{
		Use:   "scan [flags] [PATH...]",
		Short: "Find thread-safety hazards in Python source without running it",
		Long: `Scan Python files for the shapes of race that free-threaded CPython turns
into crashes and silent corruption: read-modify-write of shared state,
check-then-act, iteration over containers other methods mutate, unlocked
lazy initialisation, inconsistent locking and more (pyrace rules lists them;
docs/rules.md explains each with its fix).

PATH is a file or directory (default "."). Directories are walked for *.py
and *.pyi files, honouring .gitignore files and skipping .git, .venv, venv,
build, dist, node_modules, __pycache__ and site-packages. Files are analysed
in parallel; the output is sorted by path and line. The code is never run.

By default only high-confidence findings are shown: where the code shows it
expects threads (it creates or takes a lock, starts threads or executors,
or writes module globals or class attributes at run time). To audit a
library for free-threading, --assume-threaded PATTERN treats every public
class of the matching modules ("pkg.*") as shared between threads, and
--min-confidence medium shows the rest.

Suppress a finding with "# pyrace: ignore[FT001]" (or "# thread_safe_ok")
on its line or on the first line of its statement. --baseline FILE records
the current findings the first time and afterwards reports only new ones.

Settings come from [tool.pyrace] in the nearest pyproject.toml (see
docs/scan.md); flags win.

Exit status: 0 no findings, 1 findings, 2 usage or configuration error, or a
file that could not be read or parsed (reported after all other files).`,
		Example: `  pyrace scan
  pyrace scan src/ --min-confidence medium
  pyrace scan --assume-threaded 'mylib.*' src/mylib
  pyrace scan --format sarif -o pyrace.sarif
  pyrace scan --baseline .pyrace-baseline.json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.paths = args
			if len(opts.paths) == 0 {
				opts.paths = []string{"."}
			}
			return runScan(cmd.Context(), cmd, opts, env)
		},
	}
	f := cmd.Flags()
	f.StringSliceVar(&opts.selectRules, "select", nil, "only these `RULES` (ids, id prefixes such as FT0, names, or ALL; comma-separated)")
	f.StringSliceVar(&opts.extendSelect, "extend-select", nil, "add these `RULES` to the selection")
	f.StringSliceVar(&opts.ignore, "ignore", nil, "skip these `RULES`")
	f.StringVar(&opts.minConfidence, "min-confidence", "", "report findings of at least `LEVEL`: high, medium or low (default high)")
	f.StringSliceVar(&opts.assumeThreaded, "assume-threaded", nil, "treat the public classes of modules matching `PATTERNS` (\"pkg.*\") as shared between threads")
	f.StringVar(&opts.format, "format", "", "output `FORMAT`: text, json, sarif, github or junit (default text)")
	f.StringVarP(&opts.output, "output", "o", "", "write the report to `FILE` instead of stdout")
	f.StringVar(&opts.baseline, "baseline", "", "report only findings not in `FILE` (written with the current findings when it does not exist)")
	f.BoolVar(&opts.updateBaseline, "update-baseline", false, "rewrite the --baseline file with the current findings")
	f.BoolVar(&opts.warnUnusedIgnores, "warn-unused-ignores", false, "report suppression comments that silence nothing")
	f.BoolVar(&opts.noGitignore, "no-gitignore", false, "do not skip files that .gitignore excludes")
	f.StringVar(&opts.configFile, "config", "", "read settings from this pyproject.toml `FILE`")
	f.BoolVar(&opts.isolated, "isolated", false, "ignore pyproject.toml settings")
	f.IntVarP(&opts.jobs, "jobs", "j", 0, "analyse `N` files in parallel; 0, the default, means one per CPU")
	f.BoolVar(&opts.exitZero, "exit-zero", false, "exit 0 even when findings are reported")
	f.BoolVar(&opts.noSource, "no-source", false, "text format: no code frames")
	f.StringSliceVar(&opts.syncDecorators, "synchronizing-decorators", nil, "decorator `NAMES` that make a function run under a lock (default synchronized,locked)")
	f.StringSliceVar(&opts.lockNames, "lock-names", nil, "extra name `PATTERNS` of attributes and globals that hold locks")
	return cmd
}

func runScan(ctx context.Context, cmd *cobra.Command, opts scanOptions, env Env) error {
	if err := applyScanConfig(cmd, &opts, env); err != nil {
		return err
	}
	if opts.format == "" {
		opts.format = "text"
	}
	if !slices.Contains(scanFormats, opts.format) {
		return usagef("--format %q: want one of %s", opts.format, strings.Join(scanFormats, ", "))
	}
	if opts.minConfidence == "" {
		opts.minConfidence = string(scan.High)
	}
	minConf := scan.Confidence(opts.minConfidence)
	if minConf.Rank() == 0 {
		return usagef("--min-confidence %q: want high, medium or low", opts.minConfidence)
	}
	if opts.updateBaseline && opts.baseline == "" {
		return usagef("--update-baseline needs --baseline FILE")
	}
	if opts.jobs < 0 {
		return usagef("--jobs %d: must not be negative", opts.jobs)
	}
	selected, err := rules.Select(append(slices.Clone(opts.selectRules), opts.extendSelect...), opts.ignore)
	if err != nil {
		return &usageError{err: err}
	}
	if len(opts.selectRules) == 0 && len(opts.extendSelect) > 0 {
		// --extend-select adds to the default (all rules): nothing to do.
		selected, _ = rules.Select(nil, opts.ignore)
	}
	// As for parse: fewer collections of short-lived syntax trees, for
	// memory that still follows the largest files. GOGC overrides it.
	if env.Getenv("GOGC") == "" {
		defer debug.SetGCPercent(debug.SetGCPercent(parseGCPercent))
	}
	res, err := scan.Run(ctx, scan.Options{
		Paths:             opts.paths,
		Rules:             selected,
		MinConfidence:     minConf,
		AssumeThreaded:    opts.assumeThreaded,
		Model:             model.Options{SyncDecorators: opts.syncDecorators, LockNames: opts.lockNames},
		Jobs:              opts.jobs,
		RespectGitignore:  !opts.noGitignore,
		Exclude:           opts.exclude,
		ExtendExclude:     opts.extendExclude,
		ExcludeBase:       opts.excludeBase,
		WarnUnusedIgnores: opts.warnUnusedIgnores,
		KnownRule:         rules.Known,
	})
	if err != nil {
		return err
	}
	baselined := 0
	if opts.baseline != "" {
		exists, err := scan.BaselineExists(opts.baseline)
		if err != nil {
			return err
		}
		if !exists || opts.updateBaseline {
			if err := scan.NewBaseline(res.Findings).Write(opts.baseline); err != nil {
				return err
			}
			fmt.Fprintf(env.Stderr, "pyrace: wrote %d findings to the baseline %s\n", len(res.Findings), opts.baseline)
			baselined = len(res.Findings)
			res.Findings = nil
		} else {
			b, err := scan.ReadBaseline(opts.baseline)
			if err != nil {
				return &usageError{err: err}
			}
			res.Findings, baselined = b.Filter(res.Findings)
		}
	}

	out := env.Stdout
	var file *os.File
	if opts.output != "" {
		file, err = os.Create(opts.output)
		if err != nil {
			return fmt.Errorf("--output: %w", err)
		}
		out = file
	}
	bw := bufio.NewWriter(out)
	root, _ := os.Getwd()
	report := format.Report{
		Findings:    res.Findings,
		Diagnostics: res.Diagnostics,
		Rules:       rules.Metas(),
		Files:       res.Files,
		Root:        root,
		Version:     readBuildVersion().Version,
		Source:      decodedSource,
	}
	if err := render(bw, opts, report, out == env.Stdout, env); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing the report: %w", err)
	}
	if file != nil {
		if err := file.Close(); err != nil {
			return fmt.Errorf("--output: %w", err)
		}
	}
	if baselined > 0 && opts.format == "text" {
		fmt.Fprintf(env.Stderr, "pyrace: %d findings in the baseline not shown\n", baselined)
	}
	for _, d := range res.Diagnostics {
		if d.Kind == scan.ParseError || d.Kind == scan.IOError {
			return &exitStatus{code: ExitError}
		}
	}
	if len(res.Findings) > 0 && !opts.exitZero {
		return &exitStatus{code: ExitFindings}
	}
	return nil
}

func render(w io.Writer, opts scanOptions, r format.Report, toStdout bool, env Env) error {
	switch opts.format {
	case "json":
		return format.JSON(w, r)
	case "sarif":
		return format.SARIF(w, r)
	case "github":
		return format.GitHub(w, r)
	case "junit":
		return format.JUnit(w, r)
	}
	o := format.DefaultOptions()
	o.ShowSource = !opts.noSource
	o.Color = toStdout && newStyle(env.Stdout, env.Getenv).color
	return format.Text(w, r, o)
}

// decodedSource reads a file's decoded text for code frames.
func decodedSource(file string) ([]byte, error) {
	raw, err := os.ReadFile(filepath.FromSlash(file))
	if err != nil {
		return nil, err
	}
	src, derr := python.DecodeSource(file, raw)
	if derr != nil {
		return nil, derr
	}
	return src.Text, nil
}

// applyScanConfig fills the flags the command line did not set from
// [tool.pyrace] in pyproject.toml: --config FILE, else the nearest one
// above the first path; none with --isolated.
func applyScanConfig(cmd *cobra.Command, opts *scanOptions, env Env) error {
	if opts.isolated {
		if opts.configFile != "" {
			return usagef("--isolated and --config exclude each other")
		}
		return nil
	}
	path := opts.configFile
	if path == "" {
		found, err := config.Find(opts.paths[0])
		if err != nil {
			return &usageError{err: err}
		}
		path = found
	}
	if path == "" {
		return nil
	}
	c, err := config.Load(path, rules.KnownSelector)
	if err != nil {
		return &usageError{err: err}
	}
	changed := cmd.Flags().Changed
	if !changed("select") && c.Select != nil {
		opts.selectRules = c.Select
	}
	if !changed("extend-select") && c.ExtendSelect != nil {
		opts.extendSelect = c.ExtendSelect
	}
	if !changed("ignore") && c.Ignore != nil {
		opts.ignore = c.Ignore
	}
	if !changed("min-confidence") && c.MinConfidence != "" {
		opts.minConfidence = c.MinConfidence
	}
	if !changed("assume-threaded") && c.AssumeThreaded != nil {
		opts.assumeThreaded = c.AssumeThreaded
	}
	if !changed("no-gitignore") && c.IsSet("respect-gitignore") {
		opts.noGitignore = !c.RespectGitignore
	}
	if !changed("synchronizing-decorators") && c.IsSet("synchronizing-decorators") {
		opts.syncDecorators = c.SynchronizingDecorators
	}
	if !changed("lock-names") && c.LockNames != nil {
		opts.lockNames = c.LockNames
	}
	if !changed("baseline") && c.Baseline != "" {
		opts.baseline = c.Baseline
	}
	if !changed("format") && c.Format != "" {
		opts.format = c.Format
	}
	opts.exclude, opts.extendExclude, opts.excludeBase = c.Exclude, c.ExtendExclude, c.Dir
	return nil
}
