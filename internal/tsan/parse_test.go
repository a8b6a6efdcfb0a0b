package tsan

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

// parseAll parses data and returns every report and the warning count.
func parseAll(t testing.TB, data []byte) ([]Report, int) {
	t.Helper()
	var reports []Report
	n, err := Parse(bytes.NewReader(data), func(r Report) error {
		reports = append(reports, r)
		return nil
	})
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return reports, n
}

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// wantReport is what a fixture test checks of one report.
type wantReport struct {
	kind      string
	pid       int
	summary   string
	truncated bool
	startLine int
	lines     int
	headings  []string
	frames    []int // number of frames of each stack
	signature string
}

func TestParseFixtures(t *testing.T) {
	tests := []struct {
		file     string
		warnings int
		reports  []wantReport
	}{
		{
			// A real report (CPython issue #140257) with the shell session,
			// tracebacks and refcount line around it. Copying it from a web
			// page ran some frames together on one line.
			file:     "seed003_cpython_140257.txt",
			warnings: -1,
			reports: []wantReport{{
				kind:      "data race",
				pid:       22017,
				summary:   "data race /home/shamil/oss/cpython/main/Python/pystate.c:769:26 in interpreter_clear",
				startLine: 31,
				lines:     75,
				headings: []string{
					"Write of size 8 at 0x55555611abc8 by main thread:",
					"Previous atomic write of size 8 at 0x55555611abc8 by thread T7:",
					"Thread T7 'Thread-7 (hamme' (tid=22032, running) created by main thread at:",
				},
				frames:    []int{13, 28, 31},
				signature: "data race: _Py_unset_eval_breaker_bit (pycore_ceval.h) | interpreter_clear (pystate.c)",
			}},
		},
		{
			file:     "heap_use_after_free.txt",
			warnings: -1,
			reports: []wantReport{{
				kind:      "heap-use-after-free",
				pid:       4242,
				summary:   "heap-use-after-free /usr/src/cpython/Objects/listobject.c:301:12 in list_item",
				startLine: 6,
				lines:     20,
				headings: []string{
					"Read of size 8 at 0x7b0c00001230 by thread T2:",
					"Previous write of size 8 at 0x7b0c00001230 by thread T1:",
					"Thread T2 (tid=4250, running) created by main thread at:",
					"Thread T1 (tid=4249, finished) created by main thread at:",
				},
				frames:    []int{2, 3, 2, 2},
				signature: "heap-use-after-free: _PyMem_RawFree (obmalloc.c) | list_item (listobject.c)",
			}},
		},
		{
			file:     "lock_order_inversion.txt",
			warnings: -1,
			reports: []wantReport{{
				kind:      "lock-order-inversion (potential deadlock)",
				pid:       777,
				summary:   "lock-order-inversion (potential deadlock) (/usr/lib/x86_64-linux-gnu/libtsan.so.2+0x4e7a1) in pthread_mutex_lock",
				startLine: 3,
				lines:     24,
				headings: []string{
					"Mutex M1 acquired here while holding mutex M0 in thread T1:",
					"Mutex M0 acquired here while holding mutex M1 in thread T2:",
					"Thread T1 (tid=780, running) created by main thread at:",
					"Thread T2 (tid=781, running) created by main thread at:",
				},
				frames:    []int{3, 2, 2, 2},
				signature: "lock-order-inversion (potential deadlock): lock_a_then_b (deadlock.c) | lock_b_then_a (deadlock.c)",
			}},
		},
		{
			file:     "thread_leak.txt",
			warnings: 1,
			reports: []wantReport{{
				kind:      "thread leak",
				pid:       31337,
				summary:   "thread leak /usr/src/cpython/Python/thread_pthread.h:290:14 in do_start_joinable_thread",
				startLine: 5,
				lines:     10,
				headings:  []string{"Thread T5 (tid=31400, finished) created by main thread at:"},
				frames:    []int{3},
				signature: "thread leak: do_start_joinable_thread (thread_pthread.h)",
			}},
		},
		{
			file:     "truncated.txt",
			warnings: -1,
			reports: []wantReport{{
				kind:      "data race",
				pid:       1200,
				truncated: true,
				startLine: 3,
				lines:     9,
				headings: []string{
					"Write of size 8 at 0x7f3a12345678 by thread T3:",
					"Previous read of size 8 at 0x7f3a12345678 by thread T4:",
				},
				frames:    []int{2, 3},
				signature: "data race: dict_ass_sub (dictobject.c) | dict_subscript (dictobject.c)",
			}},
		},
		{
			// Test output, a traceback, a faulthandler line and a
			// heading-shaped line between the frames of a stack.
			file:     "noise_inside.txt",
			warnings: -1,
			reports: []wantReport{{
				kind:      "data race",
				pid:       5150,
				summary:   "data race /usr/src/cpython/Objects/listobject.c:512:5 in list_append",
				startLine: 3,
				lines:     31,
				headings: []string{
					"Write of size 8 at 0x7b4400012340 by thread T1:",
					"Previous write of size 8 at 0x7b4400012340 by thread T2:",
					"Location is heap block of size 64 at 0x7b4400012300 allocated by thread T2:",
					"Thread T1 (tid=5160, running) created by main thread at:",
					"Thread T2 (tid=5161, running) created by main thread at:",
				},
				frames:    []int{3, 2, 2, 2, 0},
				signature: "data race: _PyObject_GC_Link (gc_free_threading.c) | list_append (listobject.c)",
			}},
		},
		{
			file:     "crlf_ansi.txt",
			warnings: -1,
			reports: []wantReport{{
				kind:      "data race",
				pid:       9,
				summary:   "data race /src/ext/_counter.c:41:14 in counter_incr",
				startLine: 3,
				lines:     17,
				headings: []string{
					"Write of size 8 at 0x7b0800000100 by thread T1 (mutexes: write M3):",
					"Previous read of size 8 at 0x7b0800000100 by main thread:",
					"Mutex M3 (0x7b0c00000040) created at:",
					"Thread T1 (tid=12, running) created by main thread at:",
				},
				frames:    []int{2, 1, 2, 1},
				signature: "data race: counter_get (_counter.c) | counter_incr (_counter.c)",
			}},
		},
		{
			// Reports of several processes on one stream, one of them cut
			// short by the next one's "=" line, another by its WARNING
			// line; a runtime diagnostic that is not a report; two
			// trailers.
			file:     "multi_process.txt",
			warnings: 3,
			reports: []wantReport{
				{
					kind:      "data race",
					pid:       100,
					truncated: true,
					startLine: 2,
					lines:     3,
					headings:  []string{"Read of size 4 at 0x7b0400000010 by thread T1:"},
					frames:    []int{1},
					signature: "data race: counter_get (counter.c)",
				},
				{
					kind:      "data race",
					pid:       200,
					summary:   "data race /src/ext/counter.c:15:5 in counter_inc",
					startLine: 6,
					lines:     9,
					headings: []string{
						"Write of size 4 at 0x7b0400000010 by thread T1:",
						"Previous read of size 4 at 0x7b0400000010 by main thread:",
					},
					frames:    []int{1, 1},
					signature: "data race: counter_get (counter.c) | counter_inc (counter.c)",
				},
				{
					kind:      "thread leak",
					pid:       300,
					truncated: true,
					startLine: 15,
					lines:     3,
					headings:  []string{"Thread T1 (tid=301, finished) created by main thread at:"},
					frames:    []int{1},
					signature: "thread leak: <unknown>",
				},
				{
					kind:      "signal-unsafe call inside of a signal",
					pid:       400,
					summary:   "signal-unsafe call inside of a signal (/usr/lib/libtsan.so.2+0x3fa1c) in malloc",
					startLine: 18,
					lines:     6,
					headings:  []string{""},
					frames:    []int{2},
					signature: "signal-unsafe call inside of a signal: handler (sig.c)",
				},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data := readFixture(t, tt.file)
			reports, warnings := parseAll(t, data)
			if warnings != tt.warnings {
				t.Errorf("warnings = %d, want %d", warnings, tt.warnings)
			}
			if len(reports) != len(tt.reports) {
				t.Fatalf("got %d reports, want %d", len(reports), len(tt.reports))
			}
			for i, want := range tt.reports {
				checkReport(t, i, reports[i], want)
			}
		})
	}
}

func checkReport(t *testing.T, i int, r Report, want wantReport) {
	t.Helper()
	if r.Kind != want.kind {
		t.Errorf("report %d: Kind = %q, want %q", i, r.Kind, want.kind)
	}
	if r.PID != want.pid {
		t.Errorf("report %d: PID = %d, want %d", i, r.PID, want.pid)
	}
	if r.Summary != want.summary {
		t.Errorf("report %d: Summary = %q, want %q", i, r.Summary, want.summary)
	}
	if r.Truncated != want.truncated {
		t.Errorf("report %d: Truncated = %v, want %v", i, r.Truncated, want.truncated)
	}
	if r.StartLine != want.startLine {
		t.Errorf("report %d: StartLine = %d, want %d", i, r.StartLine, want.startLine)
	}
	if len(r.Lines) != want.lines {
		t.Errorf("report %d: %d lines, want %d:\n%s", i, len(r.Lines), want.lines, strings.Join(r.Lines, "\n"))
	}
	if len(r.Lines) > 0 && !strings.Contains(r.Lines[0], "WARNING: ThreadSanitizer: ") {
		t.Errorf("report %d: first line %q is not the WARNING line", i, r.Lines[0])
	}
	if !want.truncated && len(r.Lines) > 0 && r.Lines[len(r.Lines)-1] != closeMarker {
		t.Errorf("report %d: last line %q is not the closing line", i, r.Lines[len(r.Lines)-1])
	}
	for _, l := range r.Lines {
		if strings.ContainsAny(l, "\r\n\x1b") {
			t.Errorf("report %d: line %q keeps a line terminator or an escape", i, l)
		}
	}
	var headings []string
	var frames []int
	for _, s := range r.Stacks {
		headings = append(headings, s.Heading)
		frames = append(frames, len(s.Frames))
		for j, f := range s.Frames {
			if f.Index != j {
				t.Errorf("report %d: stack %q: frame %d has index %d", i, s.Heading, j, f.Index)
			}
		}
	}
	if !reflect.DeepEqual(headings, want.headings) {
		t.Errorf("report %d: headings\n got %q\nwant %q", i, headings, want.headings)
	}
	if !reflect.DeepEqual(frames, want.frames) {
		t.Errorf("report %d: frames per stack = %v, want %v", i, frames, want.frames)
	}
	if sig := r.Signature(); sig != want.signature {
		t.Errorf("report %d: Signature = %q, want %q", i, sig, want.signature)
	}
}

// TestParseFrameFields checks every field of some frames of the fixtures.
func TestParseFrameFields(t *testing.T) {
	frame := func(file string, report, stack, frame int) Frame {
		t.Helper()
		reports, _ := parseAll(t, readFixture(t, file))
		return reports[report].Stacks[stack].Frames[frame]
	}
	tests := []struct {
		name string
		got  Frame
		want Frame
	}{
		{"seed first frame", frame("seed003_cpython_140257.txt", 0, 0, 0), Frame{
			Index: 0, Function: "interpreter_clear", File: "/home/shamil/oss/cpython/main/Python/pystate.c",
			Line: 769, Column: 26, Module: "python", Offset: "0x6cd57a", BuildID: "9a73f9de8b0c2b3baa8fe75cb55cd39bff0057a1",
		}},
		{"seed frame run into the previous one", frame("seed003_cpython_140257.txt", 0, 0, 12), Frame{
			Index: 12, Function: "__libc_start_call_main", File: "csu/../sysdeps/nptl/libc_start_call_main.h",
			Line: 58, Column: 16, Module: "libc.so.6", Offset: "0x2a574", BuildID: "bc071219b774e887d2477b96fa792af74144ff37",
		}},
		{"seed file without line", frame("seed003_cpython_140257.txt", 0, 1, 11), Frame{
			Index: 11, Function: "_PyFunction_Vectorcall", File: "/home/shamil/oss/cpython/main/Objects/call.c",
			Module: "python", Offset: "0x285b04", BuildID: "9a73f9de8b0c2b3baa8fe75cb55cd39bff0057a1",
		}},
		{"seed frame run into its heading", frame("seed003_cpython_140257.txt", 0, 2, 0), Frame{
			Index: 0, Function: "pthread_create", Module: "python", Offset: "0xfc21e",
			BuildID: "9a73f9de8b0c2b3baa8fe75cb55cd39bff0057a1",
		}},
		{"null function and file", frame("lock_order_inversion.txt", 0, 0, 2), Frame{
			Index: 2, Module: "python3.14t", Offset: "0x2f1a0",
		}},
		{"no file", frame("lock_order_inversion.txt", 0, 2, 1), Frame{
			Index: 1, Function: "do_start_joinable_thread", Module: "python3.14t", Offset: "0x4d5e6f",
		}},
		{"ANSI before the frame", frame("crlf_ansi.txt", 0, 0, 0), Frame{
			Index: 0, Function: "counter_incr", File: "/src/ext/_counter.c", Line: 41, Column: 14,
			Module: "_counter.cpython-314t-x86_64-linux-gnu.so", Offset: "0x1d2e", BuildID: "00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff",
		}},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.name, tt.got, tt.want)
		}
	}
}

func TestParseFrame(t *testing.T) {
	tests := []struct {
		in   string
		want Frame
		ok   bool
	}{
		{"#0 interpreter_clear /home/x/Python/pystate.c:769:26 (python+0x6cd57a) (BuildId: 9a73f9de)",
			Frame{Function: "interpreter_clear", File: "/home/x/Python/pystate.c", Line: 769, Column: 26, Module: "python", Offset: "0x6cd57a", BuildID: "9a73f9de"}, true},
		{"#1 <null> <null> (libc.so.6+0x29d8f)",
			Frame{Index: 1, Module: "libc.so.6", Offset: "0x29d8f"}, true},
		{"#2 func (module+0x1234)",
			Frame{Index: 2, Function: "func", Module: "module", Offset: "0x1234"}, true},
		{"#0 operator delete(void*, unsigned long) <null> (libtsan.so.2+0x8f6b4)",
			Frame{Function: "operator delete(void*, unsigned long)", Module: "libtsan.so.2", Offset: "0x8f6b4"}, true},
		{"#3 std::vector<int, std::allocator<int> >::push_back(int const&) /usr/include/c++/12/bits/stl_vector.h:1281:4 (a.out+0x1a2b)",
			Frame{Index: 3, Function: "std::vector<int, std::allocator<int> >::push_back(int const&)", File: "/usr/include/c++/12/bits/stl_vector.h", Line: 1281, Column: 4, Module: "a.out", Offset: "0x1a2b"}, true},
		{"#4 std::vector<int, std::allocator<int> >::push_back(int const&) (a.out+0x1a2b)",
			Frame{Index: 4, Function: "std::vector<int, std::allocator<int> >::push_back(int const&)", Module: "a.out", Offset: "0x1a2b"}, true},
		{"#5 foo::bar() const (a.out+0x10)",
			Frame{Index: 5, Function: "foo::bar() const", Module: "a.out", Offset: "0x10"}, true},
		{"#6 foo /src/a.c:12 (a.out+0x10)",
			Frame{Index: 6, Function: "foo", File: "/src/a.c", Line: 12, Module: "a.out", Offset: "0x10"}, true},
		{"#7 0x7f0011223344 (<unknown module>)",
			Frame{Index: 7, Function: "0x7f0011223344"}, true},
		{"#8 bar (/opt/my libs/libbar.so+0x99)",
			Frame{Index: 8, Function: "bar", Module: "/opt/my libs/libbar.so", Offset: "0x99"}, true},
		{"#9 baz dir/baz.c:3:4",
			Frame{Index: 9, Function: "baz", File: "dir/baz.c", Line: 3, Column: 4}, true},
		{"#10 qux",
			Frame{Index: 10, Function: "qux"}, true},
		{"#11 qux gc.c (python+0x1)",
			Frame{Index: 11, Function: "qux", File: "gc.c", Module: "python", Offset: "0x1"}, true},
		{"#13 f (not a module)",
			Frame{Index: 13, Function: "f (not a module)"}, true},
		{"#", Frame{}, false},
		{"#12", Frame{}, false},
		{"#12 ", Frame{}, false},
		{"#x foo", Frame{}, false},
		{"# comment", Frame{}, false},
		{"#1234567890123 foo", Frame{}, false},
	}
	for _, tt := range tests {
		got, ok := parseFrame(tt.in)
		if ok != tt.ok || got != tt.want {
			t.Errorf("parseFrame(%q) =\n %+v, %v\nwant\n %+v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// raceReport renders a data race between list_append and _PyObject_GC_Link
// with the given process, addresses, thread ids and source directory. With
// swap, the GC access is reported first.
func raceReport(pid int, addr, dir string, tid int, swap bool) string {
	appendStack := fmt.Sprintf(`    #0 __tsan_write8 /build/llvm/compiler-rt/lib/tsan/rtl/tsan_interface.inc:20:3 (libtsan.so.2+0x%x)
    #1 list_append %s/Objects/listobject.c:512:5 (python3.14t+0x11aa%02x) (BuildId: %08x)
    #2 method_vectorcall_O %s/Objects/descrobject.c:476:24 (python3.14t+0x12bb33)
`, pid, dir, pid%256, pid*7, dir)
	gcStack := fmt.Sprintf(`    #0 _Py_atomic_store_ptr_relaxed %s/Include/cpython/pyatomic_gcc.h:500:3 (python3.14t+0x33cc%02x)
    #1 memset <null> (libtsan.so.2+0x3fa1c)
    #2 _PyObject_GC_Link.%d %s/Python/gc.c:2000:5 (python3.14t+0x33cc44)
    #3 _PyObject_GC_New %s/Python/gc.c:2050:5 (python3.14t+0x33cd00)
`, dir, tid%256, tid, dir, dir)
	first, firstHead, second, secondHead := appendStack, "Write", gcStack, "Previous atomic write"
	if swap {
		first, firstHead, second, secondHead = gcStack, "Atomic write", appendStack, "Previous write"
	}
	return fmt.Sprintf(`==================
WARNING: ThreadSanitizer: data race (pid=%d)
  %s of size 8 at %s by thread T%d:
%s
  %s of size 8 at %s by main thread:
%s
  Thread T%d (tid=%d, running) created by main thread at:
    #0 pthread_create <null> (libtsan.so.2+0x5f1c2)

SUMMARY: ThreadSanitizer: data race %s/Objects/listobject.c:512:5 in list_append
==================
`, pid, firstHead, addr, tid, first, secondHead, addr, second, tid, pid+tid, dir)
}

func TestSignatureStability(t *testing.T) {
	const want = "data race: _PyObject_GC_Link (gc.c) | list_append (listobject.c)"
	variants := []string{
		raceReport(100, "0x7b4400012340", "/usr/src/cpython", 1, false),
		raceReport(987654, "0x55555611abc8", "/home/someone/src/cpython-main", 42, false),
		raceReport(100, "0x7b4400012340", "/usr/src/cpython", 1, true),
		raceReport(31337, "0x7fffdeadbeef", `C:\src\cpython`, 7, true),
	}
	for i, v := range variants {
		reports, _ := parseAll(t, []byte(v))
		if len(reports) != 1 {
			t.Fatalf("variant %d: %d reports", i, len(reports))
		}
		sig := reports[0].Signature()
		if sig != want {
			t.Errorf("variant %d: Signature = %q, want %q\n%s", i, sig, want, v)
		}
		for _, bad := range []string{"0x", "pid", "T1", "T42", "src", "usr", "BuildId"} {
			if strings.Contains(sig, bad) {
				t.Errorf("variant %d: Signature %q contains %q", i, sig, bad)
			}
		}
	}

	// A different racing function is a different race.
	other := strings.Replace(variants[0], "list_append", "list_extend", 1)
	reports, _ := parseAll(t, []byte(other))
	if sig := reports[0].Signature(); sig == want {
		t.Errorf("a different function gives the same signature %q", sig)
	}
}

func TestSignature(t *testing.T) {
	frames := func(fns ...string) []Frame {
		var fs []Frame
		for i, fn := range fns {
			fs = append(fs, Frame{Index: i, Function: fn, File: "/x/y/" + fn + ".c", Module: "mod.so"})
		}
		return fs
	}
	tests := []struct {
		name string
		r    Report
		want string
	}{
		{"no stacks", Report{Kind: "thread leak"}, "thread leak"},
		{"helpers skipped", Report{Kind: "data race", Stacks: []Stack{
			{Heading: "Read of size 1 at 0x1 by thread T1:", Frames: frames("__tsan_read1", "__interceptor_memcpy", "memcpy", "memmove", "memset", "_Py_atomic_load_int", "__sanitizer::internal_memcpy", "pthread_mutex_lock", "operator new(unsigned long)", "malloc", "calloc", "realloc", "free", "operator delete(void*)", "___interceptor_free", "reader")},
			{Heading: "Previous write of size 1 at 0x1 by main thread:", Frames: frames("writer")},
		}}, "data race: reader (reader.c) | writer (writer.c)"},
		{"only access stacks count", Report{Kind: "data race", Stacks: []Stack{
			{Heading: "Location is heap block of size 8 at 0x1 allocated by main thread:", Frames: frames("alloc_site")},
			{Heading: "Atomic read of size 8 at 0x1 by thread T2:", Frames: frames("b")},
			{Heading: "Mutex M1 (0x2) created at:", Frames: frames("mutex_site")},
			{Heading: "Previous atomic write of size 8 at 0x1 by thread T1:", Frames: frames("a")},
			{Heading: "Previous read of size 8 at 0x1 by thread T3:", Frames: frames("third")},
		}}, "data race: a (a.c) | b (b.c)"},
		{"non-race kinds use the first two stacks", Report{Kind: "destroy of a locked mutex", Stacks: []Stack{
			{Frames: frames("pthread_mutex_destroy", "destroyer")},
			{Heading: "Mutex M1 (0x2) created at:", Frames: frames("pthread_mutex_init", "creator")},
			{Heading: "Thread T1 (tid=3, running) created by main thread at:", Frames: frames("pthread_create", "spawner")},
		}}, "destroy of a locked mutex: creator (creator.c) | destroyer (destroyer.c)"},
		{"module when there is no file", Report{Kind: "data race", Stacks: []Stack{
			{Heading: "Write of size 8 at 0x1 by thread T1:", Frames: []Frame{{Function: "f", Module: "/usr/lib/libx.so.1", Offset: "0x10"}}},
		}}, "data race: f (libx.so.1)"},
		{"unknown and bare-address frames skipped", Report{Kind: "data race", Stacks: []Stack{
			{Heading: "Write of size 8 at 0x1 by thread T1:", Frames: []Frame{{Module: "libc.so.6", Offset: "0x10"}, {Function: "0x7f0011223344"}, {Function: "g"}}},
			{Heading: "Previous write of size 8 at 0x1 by thread T2:"},
		}}, "data race: <unknown> | g"},
		{"compiler suffixes removed", Report{Kind: "data race", Stacks: []Stack{
			{Heading: "Write of size 8 at 0x1 by thread T1:", Frames: []Frame{{Function: "f.isra.0.cold", File: "a/f.c"}}},
			{Heading: "Read of size 8 at 0x1 by thread T1:", Frames: []Frame{{Function: "_PyObject_VectorcallTstate.3425", File: "a/call.h"}}},
		}}, "data race: _PyObject_VectorcallTstate (call.h) | f (f.c)"},
	}
	for _, tt := range tests {
		if got := tt.r.Signature(); got != tt.want {
			t.Errorf("%s: Signature = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// withCRLFAndColour rewrites a log as TSAN would print it on a terminal
// with Windows line endings: every line coloured and ended by "\r\n".
func withCRLFAndColour(data []byte) []byte {
	var b bytes.Buffer
	for i, line := range bytes.SplitAfter(data, []byte("\n")) {
		body := bytes.TrimSuffix(bytes.TrimSuffix(line, []byte("\n")), []byte("\r"))
		if len(body) > 0 {
			fmt.Fprintf(&b, "\x1b[1m\x1b[3%dm%s\x1b[1m\x1b[0m", i%8, body)
		}
		if bytes.HasSuffix(line, []byte("\n")) {
			b.WriteString("\r\n")
		}
	}
	return b.Bytes()
}

// TestEquivalentInputs checks that line endings, colours and the way the
// reader delivers bytes do not change the result.
func TestEquivalentInputs(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, file := range files {
		data := readFixture(t, filepath.Base(file))
		want, wantN := parseAll(t, data)

		got, gotN := parseAll(t, withCRLFAndColour(data))
		if gotN != wantN || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: CRLF and colours change the result", file)
		}

		var oneByte []Report
		n, err := Parse(iotest.OneByteReader(bytes.NewReader(data)), func(r Report) error {
			oneByte = append(oneByte, r)
			return nil
		})
		if err != nil || n != wantN || !reflect.DeepEqual(oneByte, want) {
			t.Errorf("%s: reading one byte at a time changes the result (err %v)", file, err)
		}
	}
}

func TestParseEdgeCases(t *testing.T) {
	race := raceReport(1, "0x10", "/src", 1, false)

	t.Run("empty input", func(t *testing.T) {
		reports, n := parseAll(t, nil)
		if len(reports) != 0 || n != -1 {
			t.Errorf("got %d reports, warnings %d", len(reports), n)
		}
	})

	t.Run("no newline at the end", func(t *testing.T) {
		reports, _ := parseAll(t, []byte(strings.TrimSuffix(race, "\n")))
		if len(reports) != 1 || reports[0].Truncated || reports[0].Summary == "" {
			t.Fatalf("got %+v", reports)
		}
	})

	t.Run("closed without SUMMARY", func(t *testing.T) {
		noSummary := strings.Replace(race, "SUMMARY: ThreadSanitizer:", "not a summary:", 1)
		for _, tail := range []string{"", "ok\n", "==================\n" + race} {
			reports, _ := parseAll(t, []byte(noSummary+tail))
			if len(reports) == 0 || reports[0].Truncated || reports[0].Summary != "" ||
				reports[0].Lines[len(reports[0].Lines)-1] != closeMarker {
				t.Errorf("tail %q: first report %+v", tail, reports)
			}
		}
	})

	t.Run("report after a very long line", func(t *testing.T) {
		long := strings.Repeat("x", 3*MaxLineBytes)
		reports, _ := parseAll(t, []byte(long+"\n"+race))
		if len(reports) != 1 || reports[0].StartLine != 3 || reports[0].Truncated {
			t.Fatalf("got %d reports, %+v", len(reports), reports)
		}
		if sig := reports[0].Signature(); sig != "data race: _PyObject_GC_Link (gc.c) | list_append (listobject.c)" {
			t.Errorf("Signature = %q", sig)
		}
	})

	t.Run("very long line inside a report", func(t *testing.T) {
		long := "  " + strings.Repeat("y", 3*MaxLineBytes)
		in := strings.Replace(race, "\n\n", "\n"+long+"\n\n", 1)
		reports, _ := parseAll(t, []byte(in))
		if len(reports) != 1 || reports[0].Truncated {
			t.Fatalf("got %+v", reports)
		}
		for _, l := range reports[0].Lines {
			if len(l) > MaxLineBytes {
				t.Errorf("kept a line of %d bytes", len(l))
			}
		}
	})

	t.Run("line limit", func(t *testing.T) {
		var b strings.Builder
		b.WriteString("WARNING: ThreadSanitizer: data race (pid=1)\n  Write of size 8 at 0x1 by thread T1:\n")
		for i := range 5000 {
			fmt.Fprintf(&b, "    #%d f%d /src/f.c:%d:1 (a.out+0x%x)\n", i, i, i, i)
		}
		b.WriteString("SUMMARY: ThreadSanitizer: data race /src/f.c:0:1 in f0\n==================\n")
		reports, _ := parseAll(t, []byte(b.String()))
		if len(reports) != 1 {
			t.Fatalf("got %d reports", len(reports))
		}
		r := reports[0]
		total := 2 + 5000 + 2
		if len(r.Lines) != MaxReportLines || r.DroppedLines != total-MaxReportLines {
			t.Errorf("%d lines kept, %d dropped; want %d and %d", len(r.Lines), r.DroppedLines, MaxReportLines, total-MaxReportLines)
		}
		if r.Truncated || r.Summary == "" {
			t.Errorf("Truncated = %v, Summary = %q", r.Truncated, r.Summary)
		}
		if n := len(r.Stacks[0].Frames); n != MaxReportLines-2 {
			t.Errorf("%d frames kept, want %d", n, MaxReportLines-2)
		}
	})

	t.Run("byte and frame limits", func(t *testing.T) {
		var b strings.Builder
		b.WriteString("WARNING: ThreadSanitizer: data race (pid=1)\n")
		frames := strings.Repeat("  #0 f", MaxLineBytes/6)
		for range 10 {
			b.WriteString(frames + "\n")
		}
		reports, _ := parseAll(t, []byte(b.String()))
		if len(reports) != 1 || !reports[0].Truncated {
			t.Fatalf("got %d reports", len(reports))
		}
		r := reports[0]
		size, nframes := 0, 0
		for _, l := range r.Lines {
			size += len(l)
		}
		for _, s := range r.Stacks {
			nframes += len(s.Frames)
		}
		if size > MaxReportBytes || nframes > MaxReportFrames || r.DroppedLines == 0 {
			t.Errorf("%d bytes, %d frames kept, %d lines dropped", size, nframes, r.DroppedLines)
		}
	})

	t.Run("truncated right after a heading", func(t *testing.T) {
		cut := race[:strings.Index(race, "    #0 _Py_atomic_store")]
		reports, _ := parseAll(t, []byte(cut))
		if len(reports) != 1 || !reports[0].Truncated || len(reports[0].Stacks) != 2 {
			t.Fatalf("got %+v", reports)
		}
		if sig := reports[0].Signature(); sig != "data race: <unknown> | list_append (listobject.c)" {
			t.Errorf("Signature = %q", sig)
		}
	})

	t.Run("callback error stops parsing", func(t *testing.T) {
		stop := errors.New("stop")
		calls := 0
		_, err := Parse(strings.NewReader(race+race), func(Report) error {
			calls++
			return stop
		})
		if !errors.Is(err, stop) || calls != 1 {
			t.Errorf("err = %v after %d calls", err, calls)
		}
	})

	t.Run("read error", func(t *testing.T) {
		broken := errors.New("broken pipe")
		cut := race[:strings.Index(race, "Previous")]
		r := io.MultiReader(strings.NewReader(cut), iotest.ErrReader(broken))
		var got []Report
		_, err := Parse(r, func(rep Report) error {
			got = append(got, rep)
			return nil
		})
		if !errors.Is(err, broken) || len(got) != 1 || !got[0].Truncated {
			t.Errorf("err = %v, reports %+v", err, got)
		}
	})

	t.Run("nil callback counts warnings", func(t *testing.T) {
		n, err := Parse(strings.NewReader(race+"ThreadSanitizer: reported 4 warnings\n"), nil)
		if err != nil || n != 4 {
			t.Errorf("Parse = %d, %v", n, err)
		}
	})

	t.Run("WARNING after other output on the same line", func(t *testing.T) {
		in := strings.Replace(race, "WARNING:", "test_x ... WARNING:", 1)
		reports, _ := parseAll(t, []byte(in))
		if len(reports) != 1 || reports[0].Kind != "data race" || reports[0].PID != 1 {
			t.Errorf("got %+v", reports)
		}
	})

	t.Run("WARNING without pid", func(t *testing.T) {
		in := strings.Replace(race, " (pid=1)", "", 1)
		reports, _ := parseAll(t, []byte(in))
		if len(reports) != 1 || reports[0].Kind != "data race" || reports[0].PID != 0 {
			t.Errorf("got %+v", reports)
		}
	})
}

// TestParseStreams checks that a report is delivered when it closes, before
// the rest of the input exists.
func TestParseStreams(t *testing.T) {
	pr, pw := io.Pipe()
	got := make(chan Report)
	done := make(chan error, 1)
	go func() {
		_, err := Parse(pr, func(r Report) error {
			got <- r
			return nil
		})
		done <- err
	}()
	for i := range 3 {
		if _, err := io.WriteString(pw, "noise\n"+raceReport(i+1, "0x10", "/src", 1, i%2 == 1)); err != nil {
			t.Fatal(err)
		}
		r := <-got // the writer has not written the next report yet
		if r.PID != i+1 {
			t.Errorf("report %d has PID %d", i, r.PID)
		}
	}
	pw.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
