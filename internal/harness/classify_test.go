package harness

import (
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pyrace/pyrace/internal/results"
)

func TestScanCrashEvidence(t *testing.T) {
	tests := []struct {
		name      string
		stderr    string
		wantFatal string
		wantSig   string
		wantGIL   []string
	}{
		{
			name: "faulthandler: the current thread wins over others",
			stderr: `tests/test_x.py ....
Fatal Python error: Segmentation fault

Thread 0x00007f7d5d7fa6c0 (most recent call first):
  File "/usr/lib/python3.13/threading.py", line 359 in wait
  File "/home/u/proj/worker.py", line 20 in run

Current thread 0x00007f7d5e1fb740 (most recent call first):
  File "/home/u/proj/pkg/cache.py", line 42 in _evict
  File "/home/u/proj/pkg/cache.py", line 30 in put
  File "/home/u/proj/tests/test_cache.py", line 9 in test_put
  File "/usr/lib/python3/dist-packages/_pytest/python.py", line 195 in pytest_pyfunc_call

Extension modules: _cffi_backend (total: 1)
`,
			wantFatal: "Segmentation fault",
			wantSig:   "Segmentation fault at _evict (cache.py:42) < put (cache.py:30) < test_put (test_cache.py:9)",
		},
		{
			name: "3.14 thread names and CRLF",
			stderr: "Fatal Python error: Aborted\r\n\r\n" +
				"Current thread 0x00007f00 [python3] (most recent call first):\r\n" +
				"  File \"/x/a.py\", line 3 in f\r\n",
			wantFatal: "Aborted",
			wantSig:   "Aborted at f (a.py:3)",
		},
		{
			name:      "C assertion without Python frames",
			stderr:    "python3.13t: Objects/dictobject.c:1234: insertdict: Assertion `ix >= 0' failed.\n",
			wantFatal: "Assertion `ix >= 0' failed",
			wantSig:   "Assertion `ix >= 0' failed",
		},
		{
			name:      "segfault line from a shell",
			stderr:    "sh: line 1: 4242 Segmentation fault      (core dumped) python -m pytest\n",
			wantFatal: "",
			wantSig:   "SIGSEGV",
		},
		{
			name:      "bare segfault line",
			stderr:    "Segmentation fault (core dumped)\n",
			wantFatal: "Segmentation fault",
			wantSig:   "Segmentation fault",
		},
		{
			name: "GIL re-enabled warnings",
			stderr: "<frozen importlib._bootstrap>:488: RuntimeWarning: The global interpreter lock (GIL) has been enabled to load module 'fastjson._speedups', which has not declared that it can run safely without the GIL.\n" +
				"RuntimeWarning: The global interpreter lock (GIL) has been enabled to load module 'fastjson._speedups'\n",
			wantSig: "SIGSEGV",
			wantGIL: []string{"fastjson._speedups"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := scanCrashEvidence(strings.NewReader(tt.stderr))
			if ev.Fatal != tt.wantFatal {
				t.Errorf("fatal %q, want %q", ev.Fatal, tt.wantFatal)
			}
			if got := crashSignature(ev, syscall.SIGSEGV, nil); got != tt.wantSig {
				t.Errorf("signature\n got %q\nwant %q", got, tt.wantSig)
			}
			if strings.Join(ev.GILEnabledBy, ",") != strings.Join(tt.wantGIL, ",") {
				t.Errorf("GIL enabled by %q, want %q", ev.GILEnabledBy, tt.wantGIL)
			}
		})
	}
}

func TestScanCrashEvidenceLongLines(t *testing.T) {
	long := strings.Repeat("x", 1<<20)
	ev := scanCrashEvidence(strings.NewReader(long + "\nFatal Python error: Bus error\n" + long))
	if ev.Fatal != "Bus error" {
		t.Errorf("fatal %q", ev.Fatal)
	}
}

func TestClassify(t *testing.T) {
	code := func(c int) *int { return &c }
	cpu := 0.01
	tests := []struct {
		name string
		f    iterationFacts
		want results.Outcome
		why  string
	}{
		{"pass", iterationFacts{proc: procResult{ExitCode: code(0)}}, results.OutcomePass, ""},
		{"crash text with exit 0 is a pass", iterationFacts{proc: procResult{ExitCode: code(0)}, crash: crashEvidence{Fatal: "Segmentation fault"}}, results.OutcomePass, ""},
		{"failed tests", iterationFacts{proc: procResult{ExitCode: code(1)}, tests: []results.TestResult{
			{ID: "t::a", Outcome: "failed"}, {ID: "t::b", Outcome: "passed"}, {ID: "t::c", Outcome: "error"}}},
			results.OutcomeFail, "2 tests failed: t::a, t::c"},
		{"fatal error with exit 1", iterationFacts{proc: procResult{ExitCode: code(1)}, crash: crashEvidence{Fatal: "GC object already tracked"}}, results.OutcomeCrash, "exit status 1: GC object already tracked"},
		{"signal", iterationFacts{proc: procResult{Signal: syscall.SIGBUS}}, results.OutcomeCrash, "killed by SIGBUS"},
		{"134 via shell", iterationFacts{proc: procResult{ExitCode: code(134)}}, results.OutcomeCrash, "exit status 134 = 128+SIGABRT (a shell reporting a crash)"},
		{"130 is not a crash", iterationFacts{proc: procResult{ExitCode: code(130)}}, results.OutcomeFail, "exit status 130"},
		{"stall idle", iterationFacts{proc: procResult{KilledBy: killedByStall, StallCPU: &cpu, Silence: 61 * time.Second}}, results.OutcomeDeadlock, "no output for 61s and idle (0.01s of CPU in the sample): deadlock"},
		{"stall busy", iterationFacts{proc: procResult{KilledBy: killedByStall, StallCPU: &cpu, StallBusy: true, Silence: 2 * time.Second}}, results.OutcomeLivelock, "no output for 2.0s while busy (0.01s of CPU in the sample): livelock"},
		{"timeout", iterationFacts{proc: procResult{KilledBy: killedByTimeout, Duration: 600 * time.Second}}, results.OutcomeTimeout, "still running after 600s: killed"},
		{"exit 5", iterationFacts{proc: procResult{ExitCode: code(5)}}, results.OutcomeFail, "exit status 5: no tests were collected or run"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, why := classify(tt.f)
			if got != tt.want || why != tt.why {
				t.Errorf("classify = %q, %q; want %q, %q", got, why, tt.want, tt.why)
			}
		})
	}
}

func TestParseProcStat(t *testing.T) {
	st, err := parseProcStat(42, []byte("42 (py thon (x)) S 1 42 42 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 3 0 100 0 0"))
	if err != nil {
		t.Fatal(err)
	}
	if st.ppid != 1 || st.pgrp != 42 || st.state != 'S' || st.cpuTicks != 300 {
		t.Errorf("%+v", st)
	}
	if _, err := parseProcStat(1, []byte("garbage")); err == nil {
		t.Error("no error on garbage")
	}
}

func FuzzScanCrashEvidence(f *testing.F) {
	f.Add("Fatal Python error: Segmentation fault\n\nCurrent thread 0x0001 (most recent call first):\n  File \"a.py\", line 1 in f\n")
	f.Add("Thread 0x1 (most recent call first):\n  File \"\", line  in \n")
	f.Add("x: Assertion `a' failed.\nSegmentation fault (core dumped)\n")
	f.Add("The global interpreter lock (GIL) has been enabled to load module 'm'\n")
	f.Fuzz(func(t *testing.T, stderr string) {
		ev := scanCrashEvidence(strings.NewReader(stderr))
		if len(ev.Frames) > maxFrames {
			t.Errorf("%d frames kept", len(ev.Frames))
		}
		sig := crashSignature(ev, 0, nil)
		if sig == "" {
			t.Error("empty signature")
		}
	})
}

func FuzzParseProcStat(f *testing.F) {
	f.Add([]byte("42 (py thon (x)) S 1 42 42 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 3 0 100 0 0"))
	f.Add([]byte("1 () Z"))
	f.Fuzz(func(t *testing.T, data []byte) {
		parseProcStat(1, data)
	})
}
