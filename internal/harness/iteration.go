package harness

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/pyrace/pyrace/internal/results"
	"github.com/pyrace/pyrace/internal/tsan"
)

// Files inside an iteration's directory.
const (
	stdoutFile = "stdout.txt"
	stderrFile = "stderr.txt"
	testsFile  = "tests.jsonl"
	stacksFile = "stacks.txt"
	stateDir   = "state"
)

// runIteration runs the test command once in mode and returns its record.
// The record's LogDir holds the logs. An interrupted iteration returns
// errInterrupted and no record.
func (r *runner) runIteration(ctx context.Context, mode results.Mode, index int) (results.Iteration, error) {
	abs, rel, err := r.w.IterationDir(r.opts.Package, mode, index)
	if err != nil {
		return results.Iteration{}, err
	}
	state := filepath.Join(abs, stateDir)
	if err := os.Mkdir(state, 0o755); err != nil {
		return results.Iteration{}, fmt.Errorf("iteration state directory: %w", err)
	}
	spec := procSpec{
		Argv:      r.opts.Command,
		Dir:       r.opts.Dir,
		Env:       r.iterationEnv(mode, abs, state),
		Stdout:    filepath.Join(abs, stdoutFile),
		Stderr:    filepath.Join(abs, stderrFile),
		StateDir:  state,
		Timeout:   r.opts.Timeout,
		Stall:     r.opts.Stall,
		CPUSample: r.opts.CPUSample,
	}
	proc, err := runProcess(ctx, spec)
	if err != nil {
		return results.Iteration{}, err
	}
	if proc.KilledBy == killedByInterrupt {
		return results.Iteration{}, errInterrupted
	}

	it := results.Iteration{
		Package:  r.opts.Package,
		Mode:     mode,
		Index:    index,
		ExitCode: proc.ExitCode,
		KilledBy: proc.KilledBy,
		Started:  proc.Started.UTC(),
		Duration: proc.Duration.Seconds(),
		LogDir:   rel,
	}
	if proc.Signal != 0 {
		it.Signal = signalName(proc.Signal)
	}
	it.StallCPUSeconds = proc.StallCPU

	if mode != results.Plain {
		it.Threads = r.opts.Threads
	}
	tests := readTests(filepath.Join(abs, testsFile))
	for _, t := range tests {
		countTest(&it.Tests, t)
		if t.Failed() {
			it.FailedTests = append(it.FailedTests, t)
		}
		if t.GILEnabled != nil && it.GILEnabledAt == nil {
			at := *t.GILEnabled
			at.Test = t.ID
			it.GILEnabledAt = &at
		}
		if t.ThreadUnsafe != "" {
			it.ThreadUnsafe = append(it.ThreadUnsafe, results.ThreadUnsafeTest{ID: t.ID, Reason: t.ThreadUnsafe})
		}
	}
	crash := crashEvidenceFromFile(spec.Stderr)
	it.TSAN = tsanFromFile(spec.Stderr)
	it.Outcome, it.Reason = classify(iterationFacts{proc: proc, crash: crash, tests: tests})
	if it.Outcome == results.OutcomeCrash {
		it.CrashSignature = crashSignature(crash, proc.Signal, proc.ExitCode)
	}
	if len(proc.Stacks) > 0 {
		if err := os.WriteFile(filepath.Join(abs, stacksFile), []byte(formatStacks(proc.Stacks)), 0o644); err == nil {
			it.StackDump = filepath.Join(rel, stacksFile)
		}
	}
	exits := readExitStates(state)
	it.GILEnabledAtEnd, it.GILEnabledBy = gilState(exits, proc)
	for _, m := range crash.GILEnabledBy {
		it.GILEnabledBy = addEnabler(it.GILEnabledBy, results.GILEnabler{Module: m})
	}
	os.RemoveAll(state)
	return it, nil
}

// iterationEnv is the environment of one iteration: the user's, then ours,
// then the --env overrides, which win.
func (r *runner) iterationEnv(mode results.Mode, iterDir, state string) []string {
	env := newEnv(r.opts.BaseEnv)
	env.unset("PYTHON_GIL")
	if r.opts.Interpreter.FreeThreaded {
		if mode == results.WithGIL {
			env.set("PYTHON_GIL", "1")
		} else {
			env.set("PYTHON_GIL", "0")
		}
	}
	env.set("PYTHONFAULTHANDLER", "1")
	env.set("PYTHONDONTWRITEBYTECODE", "1")
	// Output must reach us as it is produced, or a busy suite writing to a
	// pipe looks silent and stalls are misread.
	env.set("PYTHONUNBUFFERED", "1")
	env.prependList("PYTHONPATH", string(os.PathListSeparator), r.opts.HelpersDir)
	env.prependList("PYTEST_PLUGINS", ",", "pyrace_pytest")
	// Iterations must not feed each other through pytest's cache (--lf,
	// --ff, stepwise), nor write it into the project from parallel jobs.
	env.prependList("PYTEST_ADDOPTS", " ", "-p no:cacheprovider")
	env.set("PYRACE_TESTS_FILE", filepath.Join(iterDir, testsFile))
	if r.opts.Threads > 0 && mode != results.Plain {
		env.set("PYRACE_THREADS", strconv.Itoa(r.opts.Threads))
		env.set("PYRACE_TEST_ITERATIONS", strconv.Itoa(max(r.opts.TestIterations, 1)))
		if r.opts.TestTimeout > 0 {
			env.set("PYRACE_TEST_TIMEOUT", strconv.FormatFloat(r.opts.TestTimeout.Seconds(), 'f', -1, 64))
		}
		if len(r.opts.UnsafeFixtures) > 0 {
			env.set("PYRACE_UNSAFE_FIXTURES", strings.Join(r.opts.UnsafeFixtures, ","))
		}
	}
	env.set("PYRACE_STATE_DIR", state)
	if dir := filepath.Dir(r.opts.Interpreter.Path); dir != "." && dir != "" {
		env.prependList("PATH", string(os.PathListSeparator), dir)
	}
	// A TSAN build exits with 66 after reporting; the exit status must stay
	// the test suite's own.
	tsanOptions := []string{"exitcode=0"}
	if r.opts.TSAN {
		// Keep going after a report; name both stacks of a lock-order
		// inversion.
		tsanOptions = append(tsanOptions, "halt_on_error=0", "second_deadlock_stack=1")
	}
	if r.opts.TSANSuppressions != "" {
		tsanOptions = append(tsanOptions, "suppressions="+r.opts.TSANSuppressions)
	}
	tso := env.get("TSAN_OPTIONS")
	for _, o := range tsanOptions {
		name, _, _ := strings.Cut(o, "=")
		if !strings.Contains(" "+tso, " "+name+"=") && !strings.Contains(tso, ":"+name+"=") {
			tso = strings.TrimSpace(tso + " " + o)
		}
	}
	env.set("TSAN_OPTIONS", tso)
	for _, kv := range r.opts.Env {
		k, v, _ := strings.Cut(kv, "=")
		env.set(k, v)
	}
	return env.list()
}

func countTest(c *results.TestCounts, t results.TestResult) {
	switch t.Outcome {
	case "passed":
		c.Passed++
	case "failed":
		c.Failed++
	case "error":
		c.Errors++
	case "skipped":
		c.Skipped++
	case "xfailed":
		c.XFailed++
	case "xpassed":
		c.XPassed++
	}
}

// readTests reads the per-test JSONL our plugin wrote; a line cut short by a
// crash is skipped.
func readTests(path string) []results.TestResult {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	var tests []results.TestResult
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for sc.Scan() {
		var t results.TestResult
		if json.Unmarshal(sc.Bytes(), &t) == nil && t.ID != "" {
			tests = append(tests, t)
		}
	}
	return tests
}

func crashEvidenceFromFile(path string) crashEvidence {
	f, err := os.Open(path)
	if err != nil {
		return crashEvidence{}
	}
	defer f.Close()
	return scanCrashEvidence(f)
}

// tsanFromFile groups the ThreadSanitizer reports of a log by signature.
func tsanFromFile(path string) []results.TSANReport {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	var g tsan.Grouper
	g.Read(path, f, nil) // a read error keeps the reports before it
	races := g.Races()
	if len(races) == 0 {
		return nil
	}
	slices.SortStableFunc(races, func(a, b tsan.Race) int { return cmp.Compare(a.First.Line, b.First.Line) })
	out := make([]results.TSANReport, 0, len(races))
	for _, r := range races {
		out = append(out, results.TSANReport{Kind: r.Kind, Signature: r.Signature, Summary: r.Example.Summary, Count: r.Count})
	}
	return out
}

// exitState is what our sitecustomize writes when a Python process exits.
type exitState struct {
	PID              int                  `json:"pid"`
	PPID             int                  `json:"ppid"`
	GILEnabledAtEnd  *bool                `json:"gil_enabled_at_end"`
	GILEnabledAtInit *bool                `json:"gil_enabled_at_start"`
	EnabledBy        []results.GILEnabler `json:"enabled_by"`
}

func readExitStates(dir string) []exitState {
	files, _ := filepath.Glob(filepath.Join(dir, "exit-*.json"))
	sort.Strings(files)
	var states []exitState
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		var st exitState
		if json.Unmarshal(data, &st) == nil {
			states = append(states, st)
		}
	}
	return states
}

// gilState is the GIL state at the end of the main Python process (the one
// pyrace started, else the first whose parent is not a Python process of
// the run) and the modules that re-enabled it in any process.
func gilState(states []exitState, proc procResult) (*bool, []results.GILEnabler) {
	pids := map[int]bool{}
	for _, s := range states {
		pids[s.PID] = true
	}
	var main *exitState
	for i := range states {
		if !pids[states[i].PPID] && (main == nil) {
			main = &states[i]
		}
	}
	var by []results.GILEnabler
	for _, s := range states {
		for _, e := range s.EnabledBy {
			by = addEnabler(by, e)
		}
	}
	if main == nil {
		return nil, by
	}
	return main.GILEnabledAtEnd, by
}

func addEnabler(list []results.GILEnabler, e results.GILEnabler) []results.GILEnabler {
	for i, have := range list {
		if have.Module == e.Module {
			if have.Message == "" {
				list[i].Message = e.Message
			}
			return list
		}
	}
	return append(list, e)
}

// env is an ordered environment with set/unset by key.
type env struct {
	keys []string
	vals map[string]string
}

func newEnv(base []string) *env {
	e := &env{vals: map[string]string{}}
	for _, kv := range base {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			continue
		}
		e.set(k, v)
	}
	return e
}

func (e *env) get(k string) string { return e.vals[k] }

func (e *env) set(k, v string) {
	if _, ok := e.vals[k]; !ok {
		e.keys = append(e.keys, k)
	}
	e.vals[k] = v
}

func (e *env) unset(k string) {
	if _, ok := e.vals[k]; !ok {
		return
	}
	delete(e.vals, k)
	for i, have := range e.keys {
		if have == k {
			e.keys = append(e.keys[:i], e.keys[i+1:]...)
			break
		}
	}
}

// prependList puts item first in a separator-joined list variable.
func (e *env) prependList(k, sep, item string) {
	if old := e.vals[k]; old != "" {
		item += sep + old
	}
	e.set(k, item)
}

func (e *env) list() []string {
	out := make([]string, 0, len(e.keys))
	for _, k := range e.keys {
		out = append(out, k+"="+e.vals[k])
	}
	return out
}

// errInterrupted means the run was stopped (Ctrl-C) before the iteration
// finished; the iteration is not recorded.
var errInterrupted = errors.New("iteration interrupted")
