package survey

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pyrace/pyrace/internal/gilcheck"
	"github.com/pyrace/pyrace/internal/harness"
	"github.com/pyrace/pyrace/internal/results"
)

// Options configure a survey run.
type Options struct {
	// Packages are the packages to survey, in order.
	Packages []Package
	// Python is the (probed) interpreter every venv is made from.
	Python results.Interpreter
	// ReposDir holds the sources, VenvsDir one venv per package and
	// interpreter.
	ReposDir, VenvsDir string
	// Writer is the survey's run directory: one record per package.
	Writer *results.Writer
	// Harness is the template of each package's pyrace run (iterations,
	// timeouts, threads, --compare-with-gil...); Run sets its command,
	// directory, package, import name, interpreter and environment per
	// package. Its HelpersDir must hold pyrace's helpers.
	Harness harness.Options
	// ExtraDeps are pip-installed into every venv after its install
	// commands.
	ExtraDeps []string
	// TestCommandOverride replaces every package's test command;
	// TestCommandSuffix is appended to it (split like a shell).
	TestCommandOverride, TestCommandSuffix string
	// Env are K=V settings for installs and tests, after the registry's.
	Env []string
	// Jobs is how many packages are surveyed at once.
	Jobs int
	// Probe probes an interpreter (interp.Probe).
	Probe func(ctx context.Context, path string) (results.Interpreter, error)
	// Progress, when set, is called as each package ends (from one
	// goroutine at a time).
	Progress func(Event)
	// Previous are the iterations an interrupted attempt recorded
	// (--resume): a package's count and are not run again.
	Previous []results.Iteration
}

// Event reports a package that ended.
type Event struct {
	Package string
	// Done of Total packages have ended.
	Done, Total int
	// Record is the package's verdict; nil when it was skipped.
	Record *results.Record
	// Skipped says why the package was left out.
	Skipped string
	// Took is this package's time; ETA the estimate for the rest.
	Took, ETA time.Duration
}

// Result is what a survey did.
type Result struct {
	Records []results.Record
	// Skipped are the packages left out, "name: why".
	Skipped []string
}

// Run surveys the packages: for each, its source is fetched, a venv made
// and the install commands run (a failure is an install_failure record, and
// the survey goes on), then the pyrace run pipeline, whose verdict is
// appended to the run directory. With Jobs above 1, packages run at once. A
// cancelled context stops the survey: finished packages are kept.
func Run(ctx context.Context, o Options) (Result, error) {
	jobs := max(o.Jobs, 1)
	var (
		mu    sync.Mutex
		res   Result
		done  int
		spent time.Duration
		first error
	)
	next := make(chan Package)
	var wg sync.WaitGroup
	for range min(jobs, max(len(o.Packages), 1)) {
		wg.Go(func() {
			for p := range next {
				start := time.Now()
				rec, skipped, err := o.surveyOne(ctx, p)
				took := time.Since(start)
				mu.Lock()
				done++
				ev := Event{Package: p.Name, Done: done, Total: len(o.Packages), Skipped: skipped, Took: took}
				switch {
				case err != nil:
					if first == nil {
						first = err
					}
				case skipped != "":
					res.Skipped = append(res.Skipped, p.Name+": "+skipped)
				default:
					spent += took
					res.Records = append(res.Records, rec)
					ev.Record = &res.Records[len(res.Records)-1]
					ran := len(res.Records)
					ev.ETA = spent / time.Duration(ran) * time.Duration(len(o.Packages)-done) / time.Duration(jobs)
				}
				if err == nil && o.Progress != nil {
					o.Progress(ev)
				}
				mu.Unlock()
			}
		})
	}
	for _, p := range o.Packages {
		mu.Lock()
		stop := first != nil
		mu.Unlock()
		if stop || ctx.Err() != nil {
			break
		}
		next <- p
	}
	close(next)
	wg.Wait()
	if first == nil && ctx.Err() != nil {
		first = harness.ErrInterrupted
	}
	return res, first
}

// surveyOne surveys one package: its record, or why it was skipped; an
// error stops the survey (interrupted, or the run directory failing).
func (o Options) surveyOne(ctx context.Context, p Package) (results.Record, string, error) {
	if why := p.SkipReason(o.Python.Version); why != "" {
		return results.Record{}, why, nil
	}
	timeout := o.Harness.Timeout
	if p.Timeout > 0 {
		timeout = time.Duration(p.Timeout * float64(time.Second))
	}
	setupDir, rel, err := o.Writer.IterationDir(p.Name, "setup", 0)
	if err != nil {
		return results.Record{}, "", err
	}
	log, err := os.Create(filepath.Join(setupDir, "setup.log"))
	if err != nil {
		return results.Record{}, "", err
	}
	defer log.Close()

	env := append(append(os.Environ(), envList(p.Env)...), o.Env...)
	dir, err := Fetch(ctx, p, o.ReposDir, timeout, log)
	var venv Venv
	if err == nil {
		venv, err = MakeVenv(ctx, o.Python.Path, filepath.Join(o.VenvsDir, p.Name+"-"+interpreterTag(o.Python)), timeout, log)
	}
	if err == nil {
		err = Install(ctx, venv, p, dir, o.ExtraDeps, env, timeout, log)
	}
	if ctx.Err() != nil {
		return results.Record{}, "", harness.ErrInterrupted
	}
	if err != nil {
		return o.installFailure(p, err, filepath.ToSlash(filepath.Join(rel, "setup.log")))
	}
	py, err := o.Probe(ctx, venv.Python)
	if err != nil {
		return o.installFailure(p, &StepError{Step: "venv", Command: venv.Python, Err: err}, filepath.ToSlash(filepath.Join(rel, "setup.log")))
	}
	test := p.TestCommand
	if test == "" {
		test = DefaultTestCommand
	}
	if o.TestCommandOverride != "" {
		test = o.TestCommandOverride
	}
	if o.TestCommandSuffix != "" {
		test += " " + o.TestCommandSuffix
	}
	argv, err := SplitCommand(test)
	if err != nil {
		return o.installFailure(p, &StepError{Step: "install", Command: "test command " + test, Err: err}, filepath.ToSlash(filepath.Join(rel, "setup.log")))
	}
	h := o.Harness
	h.Interpreter = py
	h.Command, _ = harness.TestCommand(argv, py)
	h.Dir = dir
	h.Package = p.Name
	h.ImportName = p.ImportName
	if h.ImportName == "" {
		h.ImportName = gilcheck.FindImportName(dir)
	}
	h.BaseEnv = venv.Env(os.Environ())
	h.Env = append(envList(p.Env), o.Env...)
	h.Timeout = timeout
	h.Progress = nil
	rec, err := harness.Run(ctx, o.Writer, h, o.Previous)
	if err != nil {
		return results.Record{}, "", err
	}
	return rec, "", nil
}

// installFailure records a package whose source, venv or install failed.
func (o Options) installFailure(p Package, err error, logRel string) (results.Record, string, error) {
	var se *StepError
	rec := results.Record{
		SchemaVersion: results.SchemaVersion,
		RunID:         o.Writer.Meta().RunID,
		Package:       p.Name,
		Category:      results.InstallFailure,
		Rate:          results.NewRate(0, 0),
		Outcomes:      map[results.Outcome]int{},
		Interpreter:   o.Python,
		Finished:      time.Now().UTC(),
	}
	if errors.As(err, &se) {
		rec.Verdict = fmt.Sprintf("install_failure: %s failed: %s (%v)", se.Step, truncateLine(se.Command, 200), se.Err)
		rec.Evidence = append(rec.Evidence, "the full output is in "+logRel)
		for _, l := range lastLines(se.Output, 20) {
			rec.Evidence = append(rec.Evidence, l)
		}
	} else {
		rec.Verdict = "install_failure: " + err.Error()
	}
	if werr := o.Writer.AppendRecord(rec); werr != nil {
		return rec, "", werr
	}
	return rec, "", nil
}

// envList turns a map of variables into sorted K=V settings.
func envList(m map[string]string) []string {
	var out []string
	for k, v := range m {
		out = append(out, k+"="+v)
	}
	slices.Sort(out)
	return out
}

// interpreterTag names an interpreter in venv directories:
// "cpython-3.13.5t" for a free-threaded CPython 3.13.5.
func interpreterTag(py results.Interpreter) string {
	tag := py.Implementation + "-" + py.Version
	if py.FreeThreaded {
		tag += "t"
	}
	return strings.ReplaceAll(tag, "/", "_")
}

func lastLines(s string, n int) []string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	var out []string
	for _, l := range lines {
		if strings.TrimSpace(l) != "" {
			out = append(out, truncateLine(l, 300))
		}
	}
	return out
}

func truncateLine(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
