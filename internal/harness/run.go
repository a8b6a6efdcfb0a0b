// Package harness runs a project's test suite many times under an
// interpreter with the GIL disabled, supervises every iteration (own process
// group, output streamed to files, stall and timeout detection with thread
// stack dumps, CPU sampling to tell deadlock from livelock, a kill and reap
// that leaves no process behind), classifies each iteration and the run as
// a whole, and writes everything to a results directory as it goes.
package harness

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pyrace/pyrace/internal/gilcheck"
	"github.com/pyrace/pyrace/internal/results"
)

// Options configures a run of one package.
type Options struct {
	// Interpreter is the probed interpreter the command runs with.
	Interpreter results.Interpreter
	// Command is the argv of the test command, ready to run.
	Command []string
	// Dir is the working directory.
	Dir string
	// Package names the project in records and directory names.
	Package string
	// ImportName is the package imported by the GIL-fallback probe; empty
	// disables the probe.
	ImportName string
	// BaseEnv is the environment to start from (os.Environ()).
	BaseEnv []string
	// Env are the user's K=V overrides, applied last.
	Env []string
	// HelpersDir holds our sitecustomize, pytest plugin and runners.
	HelpersDir string

	// Iterations is how many free-threaded iterations to run.
	Iterations int
	// Jobs is how many iterations run at once.
	Jobs int
	// Timeout bounds one iteration; Stall is the silence that counts as a
	// stall; CPUSample is how long CPU use is watched after a stall.
	Timeout, Stall, CPUSample time.Duration
	// StopOnFirstPass and UntilFail end the run early.
	StopOnFirstPass, UntilFail bool
	// Adaptive keeps iterating until the 95% upper bound on the failure
	// rate falls below TargetRate, up to MaxIterations.
	Adaptive      bool
	TargetRate    float64
	MaxIterations int
	// CompareWithGIL runs the same number of iterations with PYTHON_GIL=1.
	CompareWithGIL bool

	// Threads, when above 0, runs each test body in Threads threads at a
	// barrier, TestIterations rounds (our pytest plugin or unittest
	// runner), and adds one
	// plain iteration (tests one at a time) as the baseline that tells
	// the tests failing only when threaded. TestTimeout bounds one test
	// (0: no bound); UnsafeFixtures extends the plugin's list of fixtures
	// that make a test run once, single-threaded.
	Threads        int
	TestIterations int
	TestTimeout    time.Duration
	UnsafeFixtures []string

	// TSAN tunes a ThreadSanitizer build's runtime for a test run
	// (TSAN_OPTIONS halt_on_error=0 and second_deadlock_stack=1 unless set);
	// TSANSuppressions, an absolute path, is passed as suppressions=.
	// Reports are read from stderr, with signatures, either way.
	TSAN             bool
	TSANSuppressions string

	// Progress, when set, is called after each iteration (from one
	// goroutine at a time).
	Progress func(Progress)
}

// Progress reports a finished iteration.
type Progress struct {
	Iteration results.Iteration
	// Done and Planned count the iterations of Iteration.Mode.
	Done, Planned int
}

// ErrInterrupted is returned when the context was cancelled: the iterations
// that finished are recorded, the one in flight is not.
var ErrInterrupted = errors.New("interrupted")

type runner struct {
	opts Options
	w    *results.Writer
}

// Run runs the package's iterations, appending each to the writer's
// iterations.jsonl as it finishes, then its verdict to results.jsonl, and
// returns the verdict. previous holds iterations recorded by an earlier,
// interrupted attempt (--resume); they count and are not run again.
func Run(ctx context.Context, w *results.Writer, opts Options, previous []results.Iteration) (results.Record, error) {
	if len(opts.Command) == 0 {
		return results.Record{}, errors.New("no test command")
	}
	opts.Jobs = max(opts.Jobs, 1)
	opts.Iterations = max(opts.Iterations, 1)
	if opts.Adaptive && opts.MaxIterations < opts.Iterations {
		opts.MaxIterations = max(opts.Iterations, 100)
	}
	r := &runner{opts: opts, w: w}

	var gil *results.GILCheck
	if opts.ImportName != "" {
		g, err := gilcheck.Probe(ctx, opts.Interpreter.Path, opts.Dir, opts.ImportName, opts.HelpersDir, r.probeEnv())
		if ctx.Err() != nil {
			return results.Record{}, ErrInterrupted
		}
		if err != nil && g == nil {
			g = &results.GILCheck{ImportName: opts.ImportName, Error: err.Error()}
		}
		gil = g
	}

	var prevFT, prevGIL, prevPlain []results.Iteration
	for _, it := range previous {
		if it.Package != opts.Package {
			continue
		}
		switch it.Mode {
		case results.WithGIL:
			prevGIL = append(prevGIL, it)
		case results.Plain:
			prevPlain = append(prevPlain, it)
		default:
			prevFT = append(prevFT, it)
		}
	}
	var all []results.Iteration
	var err error
	if opts.Threads > 0 {
		// The baseline first: a test failing threaded and not here is a
		// race the threads provoked.
		all, err = r.runMode(ctx, results.Plain, prevPlain, fixedPlan(1))
		if err != nil {
			return results.Record{}, err
		}
	}
	ft, err := r.runMode(ctx, results.FreeThreaded, prevFT, r.freeThreadedPlan())
	all = append(all, ft...)
	if err == nil && opts.CompareWithGIL && opts.Interpreter.FreeThreaded {
		n := len(ft)
		var withGIL []results.Iteration
		withGIL, err = r.runMode(ctx, results.WithGIL, prevGIL, fixedPlan(n))
		all = append(all, withGIL...)
	}
	if err != nil {
		return results.Record{}, err
	}
	rec := buildRecord(verdictInput{
		Package:        opts.Package,
		Iterations:     all,
		GIL:            gil,
		FreeThreaded:   opts.Interpreter.FreeThreaded,
		CompareWithGIL: opts.CompareWithGIL && opts.Interpreter.FreeThreaded,
	})
	rec.RunID = w.Meta().RunID
	rec.Interpreter = opts.Interpreter
	rec.Finished = time.Now().UTC()
	if err := w.AppendRecord(rec); err != nil {
		return rec, err
	}
	return rec, nil
}

// probeEnv is the environment of the GIL probe: the user's, with --env.
func (r *runner) probeEnv() []string {
	e := newEnv(r.opts.BaseEnv)
	for _, kv := range r.opts.Env {
		k, v, _ := strings.Cut(kv, "=")
		e.set(k, v)
	}
	return e.list()
}

// plan decides, from the iterations done so far, whether to start another
// and how many are planned in all (for progress).
type plan func(done []results.Iteration) (more bool, planned int)

func fixedPlan(n int) plan {
	return func(done []results.Iteration) (bool, int) { return len(done) < n, n }
}

func (r *runner) freeThreadedPlan() plan {
	o := r.opts
	return func(done []results.Iteration) (bool, int) {
		failures := 0
		for _, it := range done {
			if it.Failed() {
				failures++
			}
		}
		n := len(done)
		if o.StopOnFirstPass && n > failures {
			return false, n
		}
		if o.UntilFail && failures > 0 {
			return false, n
		}
		if o.Adaptive {
			if n >= o.Iterations && results.UpperBound(failures, n, 0.95) < o.TargetRate {
				return false, n
			}
			return n < o.MaxIterations, o.MaxIterations
		}
		return n < o.Iterations, o.Iterations
	}
}

// runMode runs iterations of one mode until the plan says stop, with up to
// Jobs at once. Indexes continue after the previous iterations.
func (r *runner) runMode(ctx context.Context, mode results.Mode, previous []results.Iteration, more plan) ([]results.Iteration, error) {
	var mu sync.Mutex
	done := append([]results.Iteration{}, previous...)
	used := map[int]bool{}
	for _, it := range previous {
		used[it.Index] = true
	}
	next := 1
	inFlight := 0
	var firstErr error

	// claim returns the next index to run, or 0 when no more should start.
	claim := func() int {
		mu.Lock()
		defer mu.Unlock()
		if firstErr != nil || ctx.Err() != nil {
			return 0
		}
		// Iterations in flight count as planned work: do not overshoot.
		ok, planned := more(done)
		if !ok || (len(done)+inFlight >= planned && planned > 0) {
			return 0
		}
		for used[next] {
			next++
		}
		used[next] = true
		inFlight++
		return next
	}

	var wg sync.WaitGroup
	var progressMu sync.Mutex
	for range r.opts.Jobs {
		wg.Go(func() {
			for {
				idx := claim()
				if idx == 0 {
					return
				}
				it, err := r.runIteration(ctx, mode, idx)
				if err == nil {
					err = r.w.AppendIteration(it)
				}
				mu.Lock()
				inFlight--
				if err != nil {
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					continue
				}
				done = append(done, it)
				_, planned := more(done)
				count := len(done)
				mu.Unlock()
				if r.opts.Progress != nil {
					progressMu.Lock()
					r.opts.Progress(Progress{Iteration: it, Done: count, Planned: max(planned, count)})
					progressMu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	if errors.Is(firstErr, errInterrupted) || (firstErr == nil && ctx.Err() != nil) {
		return done, ErrInterrupted
	}
	if firstErr != nil {
		return done, fmt.Errorf("iteration: %w", firstErr)
	}
	return done, nil
}

// TestCommand turns the user's command into the argv to run: the default
// when empty, "python"/"python3" as the chosen interpreter, and
// "-m unittest" as our runner.
func TestCommand(user []string, py results.Interpreter) ([]string, string) {
	note := ""
	if len(user) == 0 {
		if py.HasPytest {
			return []string{py.Path, "-m", "pytest"}, ""
		}
		user = []string{"python", "-m", "unittest", "discover"}
		note = py.Path + " has no pytest: running python -m unittest discover"
	}
	argv := slices.Clone(user)
	if argv[0] == "python" || argv[0] == "python3" {
		argv[0] = py.Path
	}
	if len(argv) >= 3 && argv[0] == py.Path && argv[1] == "-m" && argv[2] == "unittest" {
		argv[2] = "pyrace_unittest"
	}
	return argv, note
}
