package harness

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pyrace/pyrace/internal/harness/pyhelpers"
	"github.com/pyrace/pyrace/internal/results"
	"github.com/pyrace/pyrace/internal/testenv"
)

// python3 is a real interpreter for the fake programs written in Python.
func python3(t *testing.T) string {
	t.Helper()
	return testenv.Python3(t)
}

func fakeDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("testdata/fake")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// testOptions are quick settings for fake programs.
func testOptions(t *testing.T, argv ...string) Options {
	t.Helper()
	helpers := filepath.Join(t.TempDir(), "helpers")
	if err := pyhelpers.Install(helpers); err != nil {
		t.Fatal(err)
	}
	return Options{
		Interpreter: results.Interpreter{Path: python3(t), FreeThreaded: true, Implementation: "cpython"},
		Command:     argv,
		Dir:         fakeDir(t),
		Package:     "fake",
		BaseEnv:     os.Environ(),
		HelpersDir:  helpers,
		Iterations:  1,
		Jobs:        1,
		Timeout:     30 * time.Second,
		Stall:       1500 * time.Millisecond,
		CPUSample:   700 * time.Millisecond,
	}
}

func newWriter(t *testing.T) *results.Writer {
	t.Helper()
	w, err := results.Create(t.TempDir(), "test-run", results.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

func runOpts(t *testing.T, opts Options) (results.Record, *results.Run) {
	t.Helper()
	w := newWriter(t)
	rec, err := Run(t.Context(), w, opts, nil)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	run, err := results.ReadRun(w.Dir())
	if err != nil {
		t.Fatalf("ReadRun: %v", err)
	}
	if len(run.Records) != 1 || len(run.Iterations) != len(rec.Iterations) {
		t.Fatalf("on disk: %d records, %d iterations; returned %d iterations", len(run.Records), len(run.Iterations), len(rec.Iterations))
	}
	return rec, run
}

func readLog(t *testing.T, run *results.Run, rel string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(run.Dir, rel))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestClassificationEdges(t *testing.T) {
	t.Parallel()
	fake := func(name string) string { return filepath.Join(fakeDir(t), name) }
	tests := []struct {
		name         string
		argv         func(t *testing.T) []string
		iterations   int
		setup        func(t *testing.T, o *Options)
		wantOutcome  results.Outcome
		wantCategory results.Category
		check        func(t *testing.T, rec results.Record, run *results.Run)
	}{
		{
			name:         "segfault via kill -SEGV $$",
			argv:         func(*testing.T) []string { return []string{"sh", fake("segv.sh")} },
			wantOutcome:  results.OutcomeCrash,
			wantCategory: results.Crash,
			check: func(t *testing.T, rec results.Record, _ *results.Run) {
				it := rec.Iterations[0]
				if it.Signal != "SIGSEGV" || it.ExitCode != nil || it.KilledBy != "" {
					t.Errorf("signal %q exit %v killed_by %q", it.Signal, it.ExitCode, it.KilledBy)
				}
				if it.CrashSignature != "SIGSEGV" {
					t.Errorf("signature %q", it.CrashSignature)
				}
			},
		},
		{
			name:         "128+N exit from a shell",
			argv:         func(*testing.T) []string { return []string{"sh", fake("shell-139.sh")} },
			wantOutcome:  results.OutcomeCrash,
			wantCategory: results.Crash,
			check: func(t *testing.T, rec results.Record, _ *results.Run) {
				if it := rec.Iterations[0]; *it.ExitCode != 139 || !strings.Contains(it.Reason, "128+SIGSEGV") {
					t.Errorf("exit %v reason %q", *it.ExitCode, it.Reason)
				}
			},
		},
		{
			name:         "Python segfault with a faulthandler stack",
			argv:         func(t *testing.T) []string { return []string{python3(t), fake("crash.py")} },
			wantOutcome:  results.OutcomeCrash,
			wantCategory: results.Crash,
			check: func(t *testing.T, rec results.Record, _ *results.Run) {
				want := "Segmentation fault at corrupt_heap (crash.py:7) < run_tests (crash.py:11) < <module> (crash.py:15)"
				if got := rec.Iterations[0].CrashSignature; got != want {
					t.Errorf("signature\n got %q\nwant %q", got, want)
				}
			},
		},
		{
			name:         "abort",
			argv:         func(t *testing.T) []string { return []string{python3(t), fake("abort.py")} },
			wantOutcome:  results.OutcomeCrash,
			wantCategory: results.Crash,
			check: func(t *testing.T, rec results.Record, _ *results.Run) {
				it := rec.Iterations[0]
				if it.Signal != "SIGABRT" || !strings.HasPrefix(it.CrashSignature, "Aborted at check_invariant (abort.py:6)") {
					t.Errorf("signal %q signature %q", it.Signal, it.CrashSignature)
				}
			},
		},
		{
			name:         "silent deadlock with stacks captured",
			argv:         func(t *testing.T) []string { return []string{python3(t), fake("hang.py")} },
			wantOutcome:  results.OutcomeDeadlock,
			wantCategory: results.Deadlock,
			check: func(t *testing.T, rec results.Record, run *results.Run) {
				it := rec.Iterations[0]
				if it.KilledBy != "stall" || it.Signal != "" || it.StallCPUSeconds == nil {
					t.Errorf("killed_by %q signal %q cpu %v", it.KilledBy, it.Signal, it.StallCPUSeconds)
				}
				if it.StackDump == "" {
					t.Fatal("no stack dump recorded")
				}
				stacks := readLog(t, run, it.StackDump)
				for _, want := range []string{"take_ab", "take_ba", "hang.py"} {
					if !strings.Contains(stacks, want) {
						t.Errorf("stacks lack %q:\n%s", want, stacks)
					}
				}
			},
		},
		{
			name:         "busy loop is a livelock",
			argv:         func(t *testing.T) []string { return []string{python3(t), fake("busy.py")} },
			wantOutcome:  results.OutcomeLivelock,
			wantCategory: results.Deadlock,
			check: func(t *testing.T, rec results.Record, run *results.Run) {
				it := rec.Iterations[0]
				if it.StallCPUSeconds == nil || *it.StallCPUSeconds < 0.2 {
					t.Errorf("stall cpu %v", it.StallCPUSeconds)
				}
				if it.StackDump == "" || !strings.Contains(readLog(t, run, it.StackDump), "spin_forever") {
					t.Errorf("stack dump %q lacks spin_forever", it.StackDump)
				}
			},
		},
		{
			name:         "output on stdout only is not a stall",
			argv:         func(*testing.T) []string { return []string{"sh", fake("one-stream.sh"), "out", "3"} },
			wantOutcome:  results.OutcomePass,
			wantCategory: results.Compatible,
		},
		{
			name:         "output on stderr only is not a stall",
			argv:         func(*testing.T) []string { return []string{"sh", fake("one-stream.sh"), "err", "3"} },
			wantOutcome:  results.OutcomePass,
			wantCategory: results.Compatible,
			check: func(t *testing.T, rec results.Record, run *results.Run) {
				if log := readLog(t, run, filepath.Join(rec.Iterations[0].LogDir, stderrFile)); !strings.Contains(log, "tick 14") {
					t.Errorf("stderr log incomplete: %q", log)
				}
			},
		},
		{
			name: "timeout",
			argv: func(*testing.T) []string { return []string{"sh", fake("chatty.sh")} },
			setup: func(_ *testing.T, o *Options) {
				o.Timeout = 1500 * time.Millisecond
			},
			wantOutcome:  results.OutcomeTimeout,
			wantCategory: results.Incompatible,
			check: func(t *testing.T, rec results.Record, _ *results.Run) {
				if it := rec.Iterations[0]; it.KilledBy != "timeout" || it.Signal != "" {
					t.Errorf("killed_by %q signal %q", it.KilledBy, it.Signal)
				}
			},
		},
		{
			name:         "exit 5: no tests",
			argv:         func(*testing.T) []string { return []string{"sh", fake("exit5.sh")} },
			iterations:   2,
			wantOutcome:  results.OutcomeFail,
			wantCategory: results.Unknown,
			check: func(t *testing.T, rec results.Record, _ *results.Run) {
				if !strings.Contains(rec.Verdict, "no tests ran") {
					t.Errorf("verdict %q", rec.Verdict)
				}
			},
		},
		{
			name:         "TSAN report on stderr",
			argv:         func(*testing.T) []string { return []string{"sh", fake("tsan.sh")} },
			iterations:   2,
			wantOutcome:  results.OutcomePass,
			wantCategory: results.TSANWarnings,
			check: func(t *testing.T, rec results.Record, _ *results.Run) {
				if len(rec.TSAN) != 1 || rec.TSAN[0].Count != 2 || rec.TSAN[0].Kind != "data race" {
					t.Fatalf("tsan %+v", rec.TSAN)
				}
				if sig := rec.TSAN[0].Signature; !strings.Contains(sig, "list_ass_item") || !strings.Contains(sig, "list_item") {
					t.Errorf("signature %q", sig)
				}
			},
		},
		{
			name:       "flaky by a counter",
			argv:       func(*testing.T) []string { return []string{"sh", fake("flaky.sh")} },
			iterations: 6,
			setup: func(t *testing.T, o *Options) {
				o.Env = []string{"FLAKY_COUNTER=" + filepath.Join(t.TempDir(), "n")}
			},
			wantCategory: results.Intermittent,
			check: func(t *testing.T, rec results.Record, _ *results.Run) {
				if rec.Rate.Failures != 3 || rec.Rate.Iterations != 6 {
					t.Errorf("rate %+v", rec.Rate)
				}
				if !strings.Contains(rec.Evidence[0], "3/6 iterations failed: failure rate 50% (95% interval") {
					t.Errorf("evidence %q", rec.Evidence[0])
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			opts := testOptions(t, tt.argv(t)...)
			if tt.iterations > 0 {
				opts.Iterations = tt.iterations
			}
			if tt.setup != nil {
				tt.setup(t, &opts)
			}
			rec, run := runOpts(t, opts)
			if tt.wantOutcome != "" {
				for _, it := range rec.Iterations {
					if it.Outcome != tt.wantOutcome {
						t.Errorf("iteration %d: outcome %q (%s), want %q", it.Index, it.Outcome, it.Reason, tt.wantOutcome)
					}
				}
			}
			if rec.Category != tt.wantCategory {
				t.Errorf("category %q (%s), want %q", rec.Category, rec.Verdict, tt.wantCategory)
			}
			if tt.check != nil {
				tt.check(t, rec, run)
			}
		})
	}
}

// liveWithMarker lists live processes whose command line holds marker.
func liveWithMarker(t *testing.T, marker string) []string {
	t.Helper()
	entries, _ := os.ReadDir("/proc")
	var found []string
	for _, e := range entries {
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil || !strings.Contains(string(cmdline), marker) {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err == nil {
			if i := strings.LastIndexByte(string(stat), ')'); i > 0 && len(stat) > i+2 && stat[i+2] == 'Z' {
				continue // a zombie is dead, waiting for its parent
			}
		}
		found = append(found, e.Name()+": "+strings.ReplaceAll(string(cmdline), "\x00", " "))
	}
	return found
}

func TestGrandchildrenAreReaped(t *testing.T) {
	t.Parallel()
	marker := fmt.Sprint(time.Now().UnixNano() % 1_000_000_000)
	opts := testOptions(t, "sh", filepath.Join(fakeDir(t), "grandchildren.sh"), marker)
	rec, _ := runOpts(t, opts)
	if it := rec.Iterations[0]; it.Outcome != results.OutcomeDeadlock {
		t.Errorf("outcome %q (%s), want deadlock", it.Outcome, it.Reason)
	}
	if left := liveWithMarker(t, "1000."+marker); len(left) > 0 {
		t.Errorf("processes left behind:\n%s", strings.Join(left, "\n"))
	}
}

func TestLeakedBackgroundProcessIsKilledAfterExit(t *testing.T) {
	t.Parallel()
	marker := fmt.Sprint(time.Now().UnixNano()%1_000_000_000 + 7)
	opts := testOptions(t, "sh", "-c", "sleep 1000."+marker+" & echo ok")
	rec, _ := runOpts(t, opts)
	if rec.Category != results.Compatible {
		t.Errorf("category %q", rec.Category)
	}
	if left := liveWithMarker(t, "1000."+marker); len(left) > 0 {
		t.Errorf("processes left behind:\n%s", strings.Join(left, "\n"))
	}
}

func TestInterruptKeepsFinishedIterations(t *testing.T) {
	t.Parallel()
	opts := testOptions(t, "sh", "-c", "echo run; sleep 0.3")
	opts.Iterations = 50
	ctx, cancel := context.WithCancel(t.Context())
	opts.Progress = func(p Progress) {
		if p.Done == 3 {
			cancel()
		}
	}
	w := newWriter(t)
	_, err := Run(ctx, w, opts, nil)
	if err != ErrInterrupted {
		t.Fatalf("Run: %v, want ErrInterrupted", err)
	}
	run, err := results.ReadRun(w.Dir())
	if err != nil {
		t.Fatal(err)
	}
	if len(run.Iterations) != 3 || len(run.Records) != 0 {
		t.Errorf("kept %d iterations, %d records; want 3 and 0", len(run.Iterations), len(run.Records))
	}
}

func TestResumeRunsOnlyTheMissingIterations(t *testing.T) {
	t.Parallel()
	counter := filepath.Join(t.TempDir(), "n")
	opts := testOptions(t, "sh", "-c", `n=$(cat "$C" 2>/dev/null || echo 0); echo $((n+1)) > "$C"`)
	opts.Env = []string{"C=" + counter}
	opts.Iterations = 5
	previous := []results.Iteration{
		{Package: "fake", Mode: results.FreeThreaded, Index: 1, Outcome: results.OutcomeFail},
		{Package: "fake", Mode: results.FreeThreaded, Index: 2, Outcome: results.OutcomePass},
		{Package: "other", Mode: results.FreeThreaded, Index: 3, Outcome: results.OutcomePass},
	}
	w := newWriter(t)
	rec, err := Run(t.Context(), w, opts, previous)
	if err != nil {
		t.Fatal(err)
	}
	ran, _ := os.ReadFile(counter)
	if strings.TrimSpace(string(ran)) != "3" {
		t.Errorf("ran the command %s times, want 3", ran)
	}
	if rec.Rate.Iterations != 5 || rec.Rate.Failures != 1 || rec.Category != results.Intermittent {
		t.Errorf("rate %+v category %q", rec.Rate, rec.Category)
	}
	var idx []int
	for _, it := range rec.Iterations {
		idx = append(idx, it.Index)
	}
	if fmt.Sprint(idx) != "[1 2 3 4 5]" {
		t.Errorf("indexes %v", idx)
	}
}

func TestStopConditions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		setup  func(o *Options)
		script string
		want   int
	}{
		{"stop on first pass", func(o *Options) { o.StopOnFirstPass = true; o.Iterations = 10 }, "flaky.sh", 1},
		{"until fail", func(o *Options) { o.UntilFail = true; o.Iterations = 10 }, "flaky.sh", 2},
		{"adaptive stops once the bound is tight", func(o *Options) {
			o.Adaptive, o.Iterations, o.TargetRate, o.MaxIterations = true, 3, 0.3, 50
		}, "exit0", 9}, // 1-0.05^(1/9) = 0.283 < 0.3
		{"adaptive hits the cap", func(o *Options) {
			o.Adaptive, o.Iterations, o.TargetRate, o.MaxIterations = true, 2, 0.01, 6
		}, "flaky.sh", 6},
		{"parallel jobs run exactly N", func(o *Options) { o.Jobs, o.Iterations = 3, 7 }, "exit0", 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			argv := []string{"sh", filepath.Join(fakeDir(t), tt.script)}
			if tt.script == "exit0" {
				argv = []string{"true"}
			}
			opts := testOptions(t, argv...)
			opts.Env = []string{"FLAKY_COUNTER=" + filepath.Join(t.TempDir(), "n")}
			tt.setup(&opts)
			rec, _ := runOpts(t, opts)
			if len(rec.Iterations) != tt.want {
				t.Errorf("%d iterations, want %d", len(rec.Iterations), tt.want)
			}
		})
	}
}

func TestCompareWithGIL(t *testing.T) {
	t.Parallel()
	// Fails whatever PYTHON_GIL says: the failures are pre-existing.
	opts := testOptions(t, "sh", "-c", `echo "gil=$PYTHON_GIL"; exit 1`)
	opts.Iterations = 4
	opts.CompareWithGIL = true
	rec, run := runOpts(t, opts)
	if len(rec.Iterations) != 8 || rec.GILComparison == nil || !rec.GILComparison.PreExisting {
		t.Fatalf("%d iterations, comparison %+v", len(rec.Iterations), rec.GILComparison)
	}
	if !strings.Contains(rec.Verdict, "pre-existing") {
		t.Errorf("verdict %q", rec.Verdict)
	}
	for _, it := range rec.Iterations {
		want := "gil=0"
		if it.Mode == results.WithGIL {
			want = "gil=1"
		}
		if out := readLog(t, run, filepath.Join(it.LogDir, stdoutFile)); strings.TrimSpace(out) != want {
			t.Errorf("%s iteration %d saw %q", it.Mode, it.Index, out)
		}
	}

	// Fails only without the GIL: a free-threading bug.
	opts = testOptions(t, "sh", "-c", `[ "$PYTHON_GIL" = 1 ]`)
	opts.Iterations = 4
	opts.CompareWithGIL = true
	rec, _ = runOpts(t, opts)
	if rec.GILComparison == nil || rec.GILComparison.PreExisting || rec.GILComparison.Rate.Failures != 0 {
		t.Errorf("comparison %+v", rec.GILComparison)
	}
}

func TestGILBuildGetsNoPYTHONGIL(t *testing.T) {
	t.Parallel()
	opts := testOptions(t, "sh", "-c", `echo "gil=${PYTHON_GIL-unset} fh=$PYTHONFAULTHANDLER tsan=$TSAN_OPTIONS x=$X"`)
	opts.Interpreter.FreeThreaded = false
	opts.BaseEnv = append(os.Environ(), "PYTHON_GIL=0", "TSAN_OPTIONS=halt_on_error=1")
	opts.Env = []string{"X=from --env"}
	rec, run := runOpts(t, opts)
	out := strings.TrimSpace(readLog(t, run, filepath.Join(rec.Iterations[0].LogDir, stdoutFile)))
	if want := "gil=unset fh=1 tsan=halt_on_error=1 exitcode=0 x=from --env"; out != want {
		t.Errorf("environment\n got %q\nwant %q", out, want)
	}
}

// TestTSANOptions: --tsan and --tsan-suppressions add to TSAN_OPTIONS what
// the user did not set there.
func TestTSANOptions(t *testing.T) {
	t.Parallel()
	opts := testOptions(t, "sh", "-c", `echo "$TSAN_OPTIONS"`)
	opts.BaseEnv = append(os.Environ(), "TSAN_OPTIONS=halt_on_error=1 history_size=7")
	opts.TSAN = true
	opts.TSANSuppressions = "/etc/tsan.supp"
	rec, run := runOpts(t, opts)
	out := strings.TrimSpace(readLog(t, run, filepath.Join(rec.Iterations[0].LogDir, stdoutFile)))
	if want := "halt_on_error=1 history_size=7 exitcode=0 second_deadlock_stack=1 suppressions=/etc/tsan.supp"; out != want {
		t.Errorf("TSAN_OPTIONS\n got %q\nwant %q", out, want)
	}
}
