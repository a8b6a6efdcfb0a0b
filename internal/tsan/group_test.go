package tsan

import (
	"os"
	"strings"
	"testing"
)

func parseFile(t *testing.T, name string) []Report {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []Report
	if _, err := Parse(f, func(r Report) error { r.ReadDetails(); out = append(out, r); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestGrouper(t *testing.T) {
	var g Grouper
	seed := parseFile(t, "seed003_cpython_140257.txt")
	for _, name := range []string{"a.log", "b.log", "c.log"} {
		for _, r := range seed {
			g.Add(name, r)
		}
	}
	for _, r := range parseFile(t, "lock_order_inversion.txt") {
		g.Add("d.log", r)
	}
	races := g.Races()
	if g.Reports() != 4 || len(races) != 2 {
		t.Fatalf("%d reports, %d races: %+v", g.Reports(), len(races), races)
	}
	r := races[0]
	if r.Count != 3 || r.First.String() != "a.log:31" || r.Last.String() != "c.log:31" || r.First.PID != 22017 ||
		r.Signature != "data race: _Py_unset_eval_breaker_bit (pycore_ceval.h) | interpreter_clear (pystate.c)" || r.Suppression != "race:interpreter_clear" {
		t.Errorf("seed race: %+v", r)
	}
	if len(r.Frames) != 2 || r.Frames[0].Function != "_Py_unset_eval_breaker_bit" || r.Frames[1].Function != "interpreter_clear" ||
		r.Frames[0].Component != "interpreter" || r.Frames[1].Line != 769 {
		t.Errorf("seed race frames: %+v", r.Frames)
	}
	d := races[1]
	if d.Kind != "lock-order-inversion (potential deadlock)" || d.Suppression != "deadlock:lock_b_then_a" ||
		len(d.Frames) != 2 || d.Frames[0].Component != "extension _deadlock" || d.Example.PID != 777 {
		t.Errorf("deadlock race: %+v", d)
	}
}

func TestComponent(t *testing.T) {
	tests := []struct {
		f    Frame
		want string
	}{
		{Frame{Module: "python"}, "interpreter"},
		{Frame{Module: "python3.13t"}, "interpreter"},
		{Frame{Module: "/usr/lib/libpython3.14t.so.1.0"}, "interpreter"},
		{Frame{Module: "_deadlock.cpython-314t-x86_64-linux-gnu.so"}, "extension _deadlock"},
		{Frame{Module: "/venv/lib/numpy/core/_multiarray_umath.cpython-313t-x86_64-linux-gnu.so"}, "extension _multiarray_umath"},
		{Frame{Module: "_speedups.abi3.so"}, "extension _speedups"},
		{Frame{Module: "libc.so.6"}, "other"},
		{Frame{Module: "libtsan.so.2"}, "other"},
		{Frame{File: "/src/cpython/Objects/listobject.c"}, "interpreter"},
		{Frame{}, "other"},
	}
	for _, tt := range tests {
		if got := Component(tt.f); got != tt.want {
			t.Errorf("Component(%+v) = %q, want %q", tt.f, got, tt.want)
		}
	}
}

func TestSuppressions(t *testing.T) {
	sups, err := ParseSuppressions("# ours\nrace:^interpreter_clear$\n\ndeadlock:_deadlock.cpython*\nthread:nobody\n")
	if err != nil || len(sups) != 3 {
		t.Fatalf("%v %+v", err, sups)
	}
	seed := parseFile(t, "seed003_cpython_140257.txt")[0]
	if s, ok := Suppressed(seed, sups); !ok || s.Line != 2 {
		t.Errorf("seed race not suppressed by line 2: %+v %v", s, ok)
	}
	dl := parseFile(t, "lock_order_inversion.txt")[0]
	if s, ok := Suppressed(dl, sups); !ok || s.Line != 4 {
		t.Errorf("deadlock not suppressed by line 4 (module pattern): %+v %v", s, ok)
	}
	if _, ok := Suppressed(seed, []Suppression{{Type: "deadlock", Pattern: "interpreter_clear"}}); ok {
		t.Error("a deadlock suppression silenced a data race")
	}
	if _, ok := Suppressed(seed, []Suppression{{Type: "race", Pattern: "_PyRuntime"}}); !ok {
		t.Error("a race suppression naming the global did not match")
	}
	if _, ok := Suppressed(seed, []Suppression{{Type: "race_top", Pattern: "take_gil"}}); ok {
		t.Error("race_top matched a frame below the top")
	}
	for _, bad := range []string{"race", "races:x", "race:"} {
		if _, err := ParseSuppressions("\n" + bad); err == nil || !strings.Contains(err.Error(), "line 2") {
			t.Errorf("%q: error %v, want one naming line 2", bad, err)
		}
	}
	for _, tt := range []struct {
		pat, s string
		want   bool
	}{
		{"take", "take_gil", true}, {"^take", "xtake", false}, {"gil$", "take_gil", true}, {"gil$", "gil_take", false},
		{"a*c", "abc", true}, {"a*c", "cba", false}, {"^foo$", "foofoo", false}, {"^foo$", "foo", true},
	} {
		if got := templateMatch(tt.pat, tt.s); got != tt.want {
			t.Errorf("templateMatch(%q, %q) = %v", tt.pat, tt.s, got)
		}
	}
}

func TestGrouperMerge(t *testing.T) {
	seed := parseFile(t, "seed003_cpython_140257.txt")[0]
	var a, b, c Grouper
	a.Add("a.log", seed)
	b.Add("b.log", seed)
	for _, r := range parseFile(t, "thread_leak.txt") {
		b.Add("b.log", r)
	}
	a.Merge(&b)
	a.Merge(&c)
	races := a.Races()
	if a.Reports() != 3 || len(races) != 2 || races[0].Count != 2 || races[0].First.File != "a.log" || races[0].Last.File != "b.log" {
		t.Errorf("merged: %d reports, %+v", a.Reports(), races)
	}
}
