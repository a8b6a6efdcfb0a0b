package tsan

import (
	"reflect"
	"strings"
	"testing"
)

// TestDetails checks the facts read from headings and informational lines,
// over our fixture of every form and over seed 003 (a real report copied
// from a CPython issue).
func TestDetails(t *testing.T) {
	type facts struct {
		Accesses     []Access
		Location     *Location
		Mutexes      []Mutex
		Cycle        []string
		Acquisitions []Acquisition
		Threads      []Thread
		MoreLeaks    int
	}
	read := func(name string) []facts {
		t.Helper()
		var out []facts
		for _, r := range parseFile(t, name) {
			r.ReadDetails()
			out = append(out, facts{r.Accesses, r.Location, r.Mutexes, r.Cycle, r.Acquisitions, r.Threads, r.MoreLeaks})
		}
		return out
	}
	got := read("details.txt")
	want := []facts{
		{
			Accesses: []Access{
				{Op: "read", Atomic: true, Size: 4, Thread: "T2", Mutexes: []string{"write M5", "read M6"}, Stack: 0},
				{Op: "write", Previous: true, Size: 4, Thread: "main", Stack: 1},
			},
			Location: &Location{Kind: "stack", Thread: "T2", Stack: -1, Text: "Location is stack of thread T2."},
			Mutexes:  []Mutex{{ID: "M5", Stack: 2}, {ID: "M6", Destroyed: true, Stack: -1}},
			Threads:  []Thread{{ID: "T2", Name: "worker-2", TID: 102, State: "finished", CreatedBy: "T1", Stack: 3}},
		},
		{
			Accesses: []Access{{Op: "write", Thread: "T1", Stack: 0}, {Op: "read", Previous: true, Thread: "main", Stack: 1}},
			Location: &Location{Kind: "global", Module: "libfoo.so", Stack: -1, Text: "Location is global '<null>' at 0x000000601080 (libfoo.so+0x201080)"},
		},
		{
			Accesses: []Access{{Op: "read", Size: 8, Thread: "T3", Stack: 0}, {Op: "write", Previous: true, Size: 8, Thread: "main", Stack: 1}},
			Location: &Location{Kind: "tls", Thread: "main", Stack: -1, Text: "Location is TLS of main thread."},
		},
		{
			Accesses: []Access{{Op: "write", Size: 8, Thread: "T1", Stack: 0}, {Op: "read", Previous: true, Size: 8, Thread: "main", Stack: 1}},
			Location: &Location{Kind: "fd", FD: 5, Thread: "main", Stack: 2, Text: "Location is file descriptor 5 created by main thread at:"},
		},
		{
			Cycle: []string{"M10", "M11", "M10"},
			Acquisitions: []Acquisition{
				{Mutex: "M11", Held: "M10", Thread: "main", Stack: 0},
				{Mutex: "M10", Previous: true, Stack: 1},
				{Mutex: "M10", Held: "M11", Thread: "T1", Stack: 2},
			},
		},
	}
	if len(got) != len(want) {
		t.Fatalf("%d reports, want %d", len(got), len(want))
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("report %d:\n got %+v\nwant %+v", i+1, got[i], want[i])
		}
	}

	seed := read("seed003_cpython_140257.txt")
	if len(seed) != 1 {
		t.Fatalf("seed 003: %d reports", len(seed))
	}
	s := seed[0]
	wantSeed := facts{
		Accesses: []Access{{Op: "write", Size: 8, Thread: "main", Stack: 0}, {Op: "write", Atomic: true, Previous: true, Size: 8, Thread: "T7", Stack: 1}},
		Location: &Location{Kind: "global", Name: "_PyRuntime", Size: 359232, Module: "python", Stack: -1,
			Text: "Location is global '_PyRuntime' of size 359232 at 0x5555560c3408 (python+0xbc6bc8)"},
		Threads: []Thread{{ID: "T7", Name: "Thread-7 (hamme", TID: 22032, State: "running", CreatedBy: "main", Stack: 2}},
	}
	if !reflect.DeepEqual(s, wantSeed) {
		t.Errorf("seed 003:\n got %+v\nwant %+v", s, wantSeed)
	}

	leak := read("thread_leak.txt")
	if len(leak) != 1 || leak[0].MoreLeaks != 3 || len(leak[0].Threads) != 1 || leak[0].Threads[0].State != "finished" {
		t.Errorf("thread leak: %+v", leak)
	}
}

// TestOtherKinds: double lock, errno spoiled in a signal handler and a
// kind this version does not know are parsed like the others (the unknown
// one kept with its lines), grouped and given the right suppression type.
func TestOtherKinds(t *testing.T) {
	reports := parseFile(t, "other_kinds.txt")
	var got []string
	for _, r := range reports {
		got = append(got, r.Signature()+" ["+SuppressionType(r.Kind)+"]")
	}
	want := []string{
		"double lock of a mutex: lock_twice (m.c) | lock_twice (m.c) [mutex]",
		"signal handler spoils errno: on_alarm (s.c) [signal]",
		"some future report kind: mystery (f.c) []",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	dl := reports[0]
	if dl.Location == nil || dl.Location.Name != "mu" || len(dl.Mutexes) != 1 || dl.Mutexes[0].ID != "M7" || dl.Mutexes[0].Stack != 1 {
		t.Errorf("double lock details: %+v %+v", dl.Location, dl.Mutexes)
	}
	if u := reports[2]; len(u.Lines) != 5 || u.Stacks[0].Heading != "Something happened here:" {
		t.Errorf("unknown kind not kept whole: %+v", u)
	}
	var g Grouper
	for _, r := range reports {
		g.Add("other_kinds.txt", r)
	}
	if len(g.Races()) != 3 {
		t.Errorf("%d races", len(g.Races()))
	}
}
