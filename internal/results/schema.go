// Package results is the on-disk language of pyrace's runtime side: the
// records the harness writes into a run directory and the views read back.
//
// A run directory holds
//
//	meta.json          the run's metadata, written at start and finalised at the end
//	iterations.jsonl   one Iteration per finished iteration, appended and fsynced
//	results.jsonl      one Record per package, appended and fsynced when it is done
//	iterations/<package>/<mode>-<n>/   stdout, stderr, tests.jsonl, stack dumps
//
// Every line and file carries SchemaVersion. Readers accept a torn last line
// (the writer was killed mid-write) with a warning.
package results

import (
	"strings"
	"time"
)

// SchemaVersion is the version of every record this package writes.
const SchemaVersion = 1

// Category is a package's verdict over all its iterations.
type Category string

// The categories, as in seed 001 and DESIGN §4.
const (
	Compatible            Category = "compatible"
	CompatibleGILFallback Category = "compatible_gil_fallback"
	TSANWarnings          Category = "tsan_warnings"
	Intermittent          Category = "intermittent"
	Incompatible          Category = "incompatible"
	Crash                 Category = "crash"
	Deadlock              Category = "deadlock"
	ImportFailure         Category = "import_failure"
	InstallFailure        Category = "install_failure"
	Unknown               Category = "unknown"
)

// Categories lists every category from least to most severe.
func Categories() []Category {
	return []Category{Compatible, CompatibleGILFallback, TSANWarnings, Intermittent,
		Incompatible, Crash, Deadlock, ImportFailure, InstallFailure, Unknown}
}

// Outcome is how one iteration ended.
type Outcome string

// The iteration outcomes.
const (
	OutcomePass     Outcome = "pass"
	OutcomeFail     Outcome = "fail"
	OutcomeCrash    Outcome = "crash"
	OutcomeDeadlock Outcome = "deadlock"
	OutcomeLivelock Outcome = "livelock"
	OutcomeTimeout  Outcome = "timeout"
)

// Mode says whether an iteration ran with the GIL disabled or enabled.
type Mode string

// The modes of an iteration.
const (
	// FreeThreaded iterations run with PYTHON_GIL=0.
	FreeThreaded Mode = "free_threaded"
	// WithGIL iterations run with PYTHON_GIL=1 (--compare-with-gil).
	WithGIL Mode = "gil"
	// Plain iterations run each test once, in one thread, with the GIL
	// disabled: the baseline of a --threads run, against which a test
	// that fails only when threaded is told apart.
	Plain Mode = "plain"
)

// Interpreter describes a Python interpreter as probed by running it.
type Interpreter struct {
	// Path is the path the user gave or discovery found.
	Path string `json:"path"`
	// Executable is sys.executable, symlinks resolved.
	Executable string `json:"executable,omitempty"`
	// Implementation is sys.implementation.name: "cpython", "pypy"...
	Implementation string `json:"implementation"`
	// Version is the language version, "3.13.5".
	Version string `json:"version"`
	// FreeThreaded is true for a build configured with --disable-gil
	// (sysconfig Py_GIL_DISABLED).
	FreeThreaded bool `json:"free_threaded"`
	// GILEnabled is sys._is_gil_enabled() at start-up with PYTHON_GIL unset;
	// nil when the interpreter cannot tell (before 3.13, PyPy).
	GILEnabled *bool `json:"gil_enabled"`
	// Debug is true for a --with-pydebug build.
	Debug bool `json:"debug"`
	// TSAN is true for a build with ThreadSanitizer.
	TSAN bool `json:"tsan"`
	// HasPytest is true when `import pytest` works.
	HasPytest bool `json:"has_pytest"`
	// Platform is sys.platform plus the machine, "linux-x86_64".
	Platform string `json:"platform,omitempty"`
}

// Describe is "cpython 3.13.5, free-threaded, debug, ThreadSanitizer":
// what pyrace's messages and reports say about an interpreter.
func (i Interpreter) Describe() string {
	impl := i.Implementation
	if impl == "" {
		impl = "python"
	}
	parts := []string{strings.TrimSpace(impl + " " + i.Version)}
	if i.FreeThreaded {
		parts = append(parts, "free-threaded")
	} else {
		parts = append(parts, "with the GIL (not a free-threaded build)")
	}
	if i.Debug {
		parts = append(parts, "debug")
	}
	if i.TSAN {
		parts = append(parts, "ThreadSanitizer")
	}
	return strings.Join(parts, ", ")
}

// System describes the machine a run happened on.
type System struct {
	Hostname      string     `json:"hostname,omitempty"`
	OS            string     `json:"os"`
	Arch          string     `json:"arch"`
	Kernel        string     `json:"kernel,omitempty"`
	CPUs          int        `json:"cpus"`
	LoadAverage   [3]float64 `json:"load_average"`
	MemoryTotal   uint64     `json:"memory_total_bytes,omitempty"`
	MemoryFree    uint64     `json:"memory_available_bytes,omitempty"`
	PyraceVersion string     `json:"pyrace_version"`
}

// Config is what a run was asked to do; --resume continues with it.
type Config struct {
	// Dir is the working directory the command ran in, absolute.
	Dir string `json:"dir"`
	// Package names the package/project the record is about.
	Package string `json:"package"`
	// ImportName is the importable package probed for GIL fallback; ""
	// when none was found or the probe was disabled.
	ImportName string `json:"import_name,omitempty"`
	// Command is the test command as run (after interpreter substitution).
	Command []string `json:"command"`
	// Env holds the --env overrides, "K=V".
	Env []string `json:"env,omitempty"`
	// Iterations is the number of free-threaded iterations asked for.
	Iterations int `json:"iterations"`
	// Jobs is the number of iterations run at once.
	Jobs int `json:"jobs"`
	// TimeoutSeconds bounds one iteration.
	TimeoutSeconds float64 `json:"timeout_seconds"`
	// StallSeconds is the silence on stdout and stderr that counts as a stall.
	StallSeconds float64 `json:"stall_threshold_seconds"`
	// StopOnFirstPass stops after the first passing iteration.
	StopOnFirstPass bool `json:"stop_on_first_pass,omitempty"`
	// UntilFail stops after the first failing iteration.
	UntilFail bool `json:"until_fail,omitempty"`
	// Adaptive keeps iterating until the failure-rate bound is tight enough.
	Adaptive bool `json:"adaptive,omitempty"`
	// TargetRate is the failure rate the 95% upper bound must fall below in
	// adaptive mode.
	TargetRate float64 `json:"target_rate,omitempty"`
	// MaxIterations caps adaptive mode.
	MaxIterations int `json:"max_iterations,omitempty"`
	// CompareWithGIL also runs the iterations with PYTHON_GIL=1.
	CompareWithGIL bool `json:"compare_with_gil,omitempty"`
	// GILProbe is true when the GIL-fallback probe ran.
	GILProbe bool `json:"gil_probe"`
	// Threads is K of --threads: each test body runs in K threads at once
	// (0: tests run as the suite runs them).
	Threads int `json:"threads,omitempty"`
	// TestIterations is M of --test-iterations: the rounds of each test
	// body in a --threads run.
	TestIterations int `json:"test_iterations,omitempty"`
	// TestTimeoutSeconds bounds one test of a --threads run.
	TestTimeoutSeconds float64 `json:"test_timeout_seconds,omitempty"`
	// UnsafeFixtures are fixtures added to the built-in list of those that
	// make a test run once, single-threaded.
	UnsafeFixtures []string `json:"unsafe_fixtures,omitempty"`
	// TSAN is set by --tsan; TSANSuppressions is --tsan-suppressions as an
	// absolute path.
	TSAN             bool   `json:"tsan,omitempty"`
	TSANSuppressions string `json:"tsan_suppressions,omitempty"`
}

// Status is the state of a run.
type Status string

// The run states.
const (
	Running     Status = "running"
	Finished    Status = "finished"
	Interrupted Status = "interrupted"
)

// Meta is meta.json: the run's metadata.
type Meta struct {
	SchemaVersion int         `json:"schema_version"`
	Tool          string      `json:"tool"`
	RunID         string      `json:"run_id"`
	Argv          []string    `json:"argv"`
	Config        Config      `json:"config"`
	System        System      `json:"system"`
	Interpreter   Interpreter `json:"interpreter"`
	Started       time.Time   `json:"started"`
	Finished      *time.Time  `json:"finished,omitempty"`
	Status        Status      `json:"status"`
	// Survey is set on the run directories of pyrace survey.
	Survey *SurveyInfo `json:"survey,omitempty"`
}

// SurveyInfo describes a survey run: which survey, which shard of it, and
// the packages it was given.
type SurveyInfo struct {
	// ID names the survey; its shards share it (their run ids differ).
	ID string `json:"id"`
	// Registry is the registry directory, absolute.
	Registry string `json:"registry"`
	// Shard is this run's 0-based shard index of Shards (1: unsharded).
	Shard  int `json:"shard"`
	Shards int `json:"shards"`
	// Packages are the packages this run was given, in order.
	Packages []string `json:"packages"`
	// Stability is the system check made before the survey
	// (--check-stability), nil when none was made.
	Stability *StabilityCheck `json:"stability,omitempty"`
}

// StabilityCheck is the system's state before a survey against the
// thresholds it had to meet.
type StabilityCheck struct {
	Passed bool `json:"passed"`
	// Load is the 1-minute load average, MaxLoad its threshold.
	Load    float64 `json:"load"`
	MaxLoad float64 `json:"max_load"`
	// AvailableMemory and MinMemory are in bytes.
	AvailableMemory uint64 `json:"available_memory_bytes"`
	MinMemory       uint64 `json:"min_memory_bytes"`
	// Problems say which thresholds were not met.
	Problems []string `json:"problems,omitempty"`
}

// ToolName is the value of Meta.Tool: how a reader knows a directory is ours.
const ToolName = "pyrace"

// TestCounts counts per-test outcomes in one iteration.
type TestCounts struct {
	Passed  int `json:"passed"`
	Failed  int `json:"failed"`
	Errors  int `json:"errors"`
	Skipped int `json:"skipped"`
	XFailed int `json:"xfailed,omitempty"`
	XPassed int `json:"xpassed,omitempty"`
}

// Total is the number of tests counted.
func (c TestCounts) Total() int {
	return c.Passed + c.Failed + c.Errors + c.Skipped + c.XFailed + c.XPassed
}

// TestResult is one line of tests.jsonl, written by pyrace's pytest plugin or
// unittest runner for each test.
type TestResult struct {
	// ID is the test id, pytest's nodeid ("tests/test_x.py::TestC::test_y[p]")
	// or unittest's ("tests.test_x.TestC.test_y"), with pytest-repeat's
	// "[i-N]" suffix removed.
	ID string `json:"id"`
	// Outcome is passed, failed, error, skipped, xfailed or xpassed.
	Outcome string `json:"outcome"`
	// Duration is the test's duration in seconds (setup+call+teardown).
	Duration float64 `json:"duration"`
	// When is the phase that failed: setup, call or teardown.
	When string `json:"when,omitempty"`
	// ExcType is the exception's qualified type name, "AssertionError".
	ExcType string `json:"exc_type,omitempty"`
	// Message is the exception's message, first 500 characters.
	Message string `json:"message,omitempty"`
	// Repeat is the pytest-repeat index ("3" of "[3-10]"), 0 when absent.
	Repeat int `json:"repeat,omitempty"`
	// Threads is what the test body's threads did in a --threads run.
	Threads *ThreadedRun `json:"threads,omitempty"`
	// ThreadUnsafe says why the test ran once, single-threaded, in a
	// --threads run ("uses the monkeypatch fixture").
	ThreadUnsafe string `json:"thread_unsafe,omitempty"`
	// GILEnabled is set on the first test that found the GIL re-enabled
	// (free-threaded build, PYTHON_GIL unset): from there on the run was
	// not free-threaded.
	GILEnabled *GILFlip `json:"gil_enabled,omitempty"`
}

// GILFlip says where a test run found the GIL re-enabled.
type GILFlip struct {
	// Test is the test's id (set in Iteration.GILEnabledAt).
	Test string `json:"test,omitempty"`
	// When is "during" the test or "before" it (collection, an earlier
	// fixture).
	When string `json:"when"`
	// Modules are the extension modules loaded since the previous test
	// started, in import order: the GIL came back for the first of them
	// that does not declare free-threading support.
	Modules []string `json:"modules,omitempty"`
}

// ThreadedRun is one test body run in Threads threads for Rounds rounds.
type ThreadedRun struct {
	Threads int `json:"threads"`
	Rounds  int `json:"rounds"`
	// FailedThreads and FailedRounds count the threads that failed at least
	// once and the rounds in which at least one thread failed.
	FailedThreads int `json:"failed_threads"`
	FailedRounds  int `json:"failed_rounds"`
	// Failures counts the calls that raised; Calls all calls that ended.
	Failures int `json:"failures"`
	Calls    int `json:"calls"`
	// Duration is the threads' wall time in seconds.
	Duration float64 `json:"duration"`
	// Exceptions are the distinct exceptions, in order of first occurrence.
	Exceptions []ThreadException `json:"exceptions,omitempty"`
	// TimedOut is set when the test outlived --test-timeout; RoundsRun is
	// then the number of rounds started.
	TimedOut  bool `json:"timed_out,omitempty"`
	RoundsRun int  `json:"rounds_run,omitempty"`
	// StartError says why the threads could not all be started.
	StartError string `json:"start_error,omitempty"`
}

// ThreadException is one distinct exception of a threaded test body: its
// type, message and the frame that raised it, with how often it happened.
type ThreadException struct {
	Type    string `json:"type"`
	Message string `json:"message,omitempty"`
	// Where is "file.py:12", the innermost frame; Function its function.
	Where    string `json:"where,omitempty"`
	Function string `json:"function,omitempty"`
	Count    int    `json:"count"`
}

// ThreadUnsafeTest is a test that ran once, single-threaded, in a --threads
// run, and why.
type ThreadUnsafeTest struct {
	ID     string `json:"id"`
	Reason string `json:"reason"`
}

// Failed reports whether the test failed or errored.
func (t TestResult) Failed() bool { return t.Outcome == "failed" || t.Outcome == "error" }

// GILEnabler is a module whose import re-enabled the GIL.
type GILEnabler struct {
	Module  string `json:"module"`
	Message string `json:"message,omitempty"`
}

// TSANReport summarises a ThreadSanitizer report seen in an iteration.
type TSANReport struct {
	Kind      string `json:"kind"`
	Signature string `json:"signature"`
	Summary   string `json:"summary,omitempty"`
	Count     int    `json:"count"`
}

// Iteration is one run of the test command: a line of iterations.jsonl and
// an element of Record.Iterations.
type Iteration struct {
	SchemaVersion int     `json:"schema_version"`
	Package       string  `json:"package"`
	Mode          Mode    `json:"mode"`
	Index         int     `json:"index"`
	Outcome       Outcome `json:"outcome"`
	// ExitCode is the exit status; nil when the process died of a signal.
	ExitCode *int `json:"exit_code"`
	// Signal names the signal that ended the process, "SIGSEGV"; for our
	// own kills (stall, timeout) it is empty and KilledBy says why.
	Signal string `json:"signal,omitempty"`
	// KilledBy is "stall" or "timeout" when pyrace killed the process group.
	KilledBy string    `json:"killed_by,omitempty"`
	Started  time.Time `json:"started"`
	Duration float64   `json:"duration_seconds"`
	// CPUSeconds is the process tree's CPU time during the stall sample.
	StallCPUSeconds *float64 `json:"stall_cpu_seconds,omitempty"`
	// Reason is the evidence for the outcome in one line.
	Reason string `json:"reason,omitempty"`
	// CrashSignature identifies a crash by its top frames.
	CrashSignature string `json:"crash_signature,omitempty"`
	// StackDump is the path (relative to the run directory) of the
	// thread stacks dumped at a stall or timeout, or printed by a crash.
	StackDump string     `json:"stack_dump,omitempty"`
	Tests     TestCounts `json:"tests"`
	// FailedTests are the tests that failed or errored.
	FailedTests []TestResult `json:"failed_tests,omitempty"`
	// Threads is K when the test bodies ran in K threads (--threads).
	Threads int `json:"threads,omitempty"`
	// ThreadUnsafe lists the tests a --threads iteration ran once,
	// single-threaded.
	ThreadUnsafe []ThreadUnsafeTest `json:"thread_unsafe,omitempty"`
	// TSAN summarises the ThreadSanitizer reports on stderr.
	TSAN []TSANReport `json:"tsan,omitempty"`
	// GILEnabledAtEnd is sys._is_gil_enabled() when the main interpreter
	// process exited; nil when unknown.
	GILEnabledAtEnd *bool `json:"gil_enabled_at_end,omitempty"`
	// GILEnabledBy lists the modules that re-enabled the GIL during the run.
	GILEnabledBy []GILEnabler `json:"gil_enabled_by,omitempty"`
	// GILEnabledAt is the test at which the run found the GIL re-enabled.
	GILEnabledAt *GILFlip `json:"gil_enabled_at,omitempty"`
	// LogDir is the iteration's directory, relative to the run directory.
	LogDir string `json:"log_dir"`
}

// Failed reports whether the iteration did not pass.
func (it Iteration) Failed() bool { return it.Outcome != OutcomePass }

// OptIn is a free-threading opt-in declaration found in source.
type OptIn struct {
	File string `json:"file"`
	Line int    `json:"line"`
	// Form is py_mod_gil, set_gil, cython, pybind11, pyo3 or nanobind.
	Form string `json:"form"`
	Text string `json:"text"`
}

// GILCheck is the result of the GIL-fallback probe: the package and its
// submodules imported with PYTHON_GIL unset, plus a source scan.
type GILCheck struct {
	// Probed is true when the import probe ran.
	Probed bool `json:"probed"`
	// ImportName is the package imported.
	ImportName string `json:"import_name,omitempty"`
	// EnabledBefore and EnabledAfter are sys._is_gil_enabled() around the
	// imports; nil when the interpreter cannot tell.
	EnabledBefore *bool `json:"enabled_before"`
	EnabledAfter  *bool `json:"enabled_after"`
	// EnabledBy lists the modules whose import re-enabled the GIL.
	EnabledBy []GILEnabler `json:"enabled_by,omitempty"`
	// Modules is the number of modules imported.
	Modules int `json:"modules"`
	// ImportErrors are modules that failed to import, "mod: Error: msg".
	ImportErrors []string `json:"import_errors,omitempty"`
	// Extensions are the extension modules (.so/.pyd) under the package.
	Extensions []string `json:"extensions,omitempty"`
	// OptIns are the opt-in declarations found in source.
	OptIns []OptIn `json:"opt_ins,omitempty"`
	// Error explains why the probe could not run.
	Error string `json:"error,omitempty"`
}

// Fallback reports whether the probe saw the GIL re-enabled.
func (g *GILCheck) Fallback() bool {
	return g != nil && (len(g.EnabledBy) > 0 ||
		(g.EnabledBefore != nil && g.EnabledAfter != nil && !*g.EnabledBefore && *g.EnabledAfter))
}

// Interval is a confidence interval on a rate.
type Interval struct {
	Low        float64 `json:"low"`
	High       float64 `json:"high"`
	Confidence float64 `json:"confidence"`
}

// Rate is k failures out of n iterations with its interval.
type Rate struct {
	Failures   int      `json:"failures"`
	Iterations int      `json:"iterations"`
	Interval   Interval `json:"interval"`
}

// TestStat aggregates one test over a run's iterations.
type TestStat struct {
	ID         string         `json:"id"`
	Failures   int            `json:"failures"`
	Iterations int            `json:"iterations"`
	ExcTypes   map[string]int `json:"exc_types,omitempty"`
	// FailsWithGIL is true when the test also failed with PYTHON_GIL=1.
	FailsWithGIL bool `json:"fails_with_gil,omitempty"`
	// OnlyThreaded is true when the test failed in --threads iterations
	// and passed in the plain one: a race the threads provoked.
	OnlyThreaded bool `json:"only_threaded,omitempty"`
	// Threaded is the last threaded failure's summary ("3 of 8 threads
	// failed in 2 of 5 rounds: ...").
	Threaded string `json:"threaded,omitempty"`
}

// SignatureCount counts iterations with a crash signature.
type SignatureCount struct {
	Signature string `json:"signature"`
	Count     int    `json:"count"`
}

// GILComparison is the result of --compare-with-gil.
type GILComparison struct {
	Rate Rate `json:"rate"`
	// PreExisting is true when the failures also happen with the GIL at a
	// similar rate: they are not free-threading bugs.
	PreExisting bool `json:"pre_existing"`
	// SharedTests are the failing tests that also fail with the GIL.
	SharedTests []string `json:"shared_tests,omitempty"`
}

// Record is one line of results.jsonl: the verdict on one package.
type Record struct {
	SchemaVersion int      `json:"schema_version"`
	RunID         string   `json:"run_id"`
	Package       string   `json:"package"`
	Category      Category `json:"category"`
	// Verdict is the one-line human verdict; Evidence the lines behind it.
	Verdict  string   `json:"verdict"`
	Evidence []string `json:"evidence"`
	// Rate is the free-threaded failure rate.
	Rate            Rate             `json:"rate"`
	Outcomes        map[Outcome]int  `json:"outcomes"`
	Tests           []TestStat       `json:"tests,omitempty"`
	CrashSignatures []SignatureCount `json:"crash_signatures,omitempty"`
	TSAN            []TSANReport     `json:"tsan,omitempty"`
	GIL             *GILCheck        `json:"gil,omitempty"`
	// GILComparison is set with --compare-with-gil.
	GILComparison *GILComparison `json:"gil_comparison,omitempty"`
	// ThreadUnsafe lists the tests a --threads run ran once,
	// single-threaded, with the reason.
	ThreadUnsafe []ThreadUnsafeTest `json:"thread_unsafe,omitempty"`
	// Iterations are all the iterations, free-threaded then with the GIL.
	Iterations  []Iteration `json:"iterations"`
	Interpreter Interpreter `json:"interpreter"`
	Finished    time.Time   `json:"finished"`
}
