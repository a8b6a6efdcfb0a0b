package tsan

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

// FuzzParse checks that Parse never panics, keeps every report within its
// limits, and gives the same result whatever the line endings and however
// the reader splits the input.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.txt")
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(raceReport(7, "0x7b4400012340", "/usr/src/cpython", 3, true)))
	f.Add([]byte("WARNING: ThreadSanitizer: x (pid=1)\n  a:\n  #0 f  #0 g  #1 h\n==================\nWARNING: ThreadSanitizer: y\n"))
	f.Add([]byte("\x1b[1mWARNING: ThreadSanitizer: data race (pid=99999999999999999999)\x1b\n\x1b]0;t\x07==================\r\r\n"))
	f.Add([]byte("ThreadSanitizer: reported 9223372036854775807 warnings\nThreadSanitizer: reported 1 warnings\n"))

	f.Fuzz(func(t *testing.T, data []byte) {
		var reports []Report
		n, err := Parse(bytes.NewReader(data), func(r Report) error {
			checkLimits(t, r)
			_ = r.Signature()
			reports = append(reports, r)
			return nil
		})
		if err != nil {
			t.Fatalf("Parse: %v", err)
		}
		// ParseSignatures gives the same signatures, and Complete the same
		// reports.
		var lite []Report
		nl, err := ParseSignatures(bytes.NewReader(data), func(r Report) error {
			lite = append(lite, r)
			return nil
		})
		if err != nil || nl != n || len(lite) != len(reports) {
			t.Fatalf("ParseSignatures: %d reports, %d warnings, %v; Parse: %d, %d", len(lite), nl, err, len(reports), n)
		}
		for i := range lite {
			if lite[i].Signature() != reports[i].Signature() || !reflect.DeepEqual(lite[i].KeyFrames(), reports[i].KeyFrames()) {
				t.Fatalf("report %d: signature %q, want %q", i, lite[i].Signature(), reports[i].Signature())
			}
			lite[i].Complete()
			if !reflect.DeepEqual(lite[i], reports[i]) {
				t.Fatalf("report %d completed:\n%+v\nwant\n%+v", i, lite[i], reports[i])
			}
		}
		// Cutting the log where SplitPoints may changes nothing.
		checkSections(t, data)
		var g Grouper
		for _, r := range reports {
			_ = r.KeyFrames()
			r.ReadDetails()
			checkDetails(t, r)
			g.Add("fuzz.log", r)
		}
		if races := g.Races(); g.Reports() != len(reports) || len(races) > len(reports) {
			t.Fatalf("%d reports grouped into %d races", len(reports), len(races))
		}
		if n < -1 {
			t.Fatalf("warnings = %d", n)
		}

		// Lines that cross the read buffer's end, or are longer than the
		// buffer, change nothing.
		for _, size := range []int{1, 5, 64, 500} {
			var got []Report
			p := parser{fn: func(r Report) error { got = append(got, r); return nil }, warnings: -1, bufSize: size}
			if err := p.run(bytes.NewReader(data)); err != nil || p.warnings != n || !reflect.DeepEqual(got, reports) {
				t.Fatalf("a read buffer of %d bytes changes the result:\n%+v\n%+v", size, got, reports)
			}
		}

		var oneByte []Report
		n2, err := Parse(iotest.OneByteReader(bytes.NewReader(data)), func(r Report) error {
			oneByte = append(oneByte, r)
			return nil
		})
		if err != nil || n2 != n || !reflect.DeepEqual(oneByte, reports) {
			t.Fatalf("reading one byte at a time changes the result")
		}

		// "\n" -> "\r\n" changes nothing (lines that MaxLineBytes cuts
		// would be cut one byte earlier; fuzz inputs are shorter).
		if len(data) < MaxLineBytes/2 {
			crlf := bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n"))
			var got []Report
			n3, err := Parse(bytes.NewReader(crlf), func(r Report) error {
				got = append(got, r)
				return nil
			})
			if err != nil || n3 != n || !reflect.DeepEqual(got, reports) {
				t.Fatalf("CRLF line endings change the result:\n%+v\n%+v", got, reports)
			}
		}
	})
}

func checkLimits(t *testing.T, r Report) {
	t.Helper()
	if len(r.Lines) > MaxReportLines {
		t.Fatalf("%d lines kept", len(r.Lines))
	}
	size := 0
	for _, l := range r.Lines {
		if len(l) > MaxLineBytes {
			t.Fatalf("a line of %d bytes kept", len(l))
		}
		if strings.ContainsAny(l, "\n\x1b") {
			t.Fatalf("line %q keeps a newline or an escape", l)
		}
		size += len(l)
	}
	if size > MaxReportBytes {
		t.Fatalf("%d bytes kept", size)
	}
	frames := 0
	for _, s := range r.Stacks {
		frames += len(s.Frames)
	}
	if frames > MaxReportFrames {
		t.Fatalf("%d frames kept", frames)
	}
	if r.StartLine < 1 || strings.ContainsAny(r.Kind, "\n\x1b") || r.PID < 0 {
		t.Fatalf("bad report header: %+v", r)
	}
}

// checkDetails checks that every stack index a report's details give
// points at one of its stacks (or is -1).
func checkDetails(t *testing.T, r Report) {
	t.Helper()
	ok := func(i int) bool { return i >= -1 && i < len(r.Stacks) }
	for _, a := range r.Accesses {
		if !ok(a.Stack) {
			t.Fatalf("access stack %d of %d", a.Stack, len(r.Stacks))
		}
	}
	for _, m := range r.Mutexes {
		if !ok(m.Stack) {
			t.Fatalf("mutex stack %d of %d", m.Stack, len(r.Stacks))
		}
	}
	for _, a := range r.Acquisitions {
		if !ok(a.Stack) {
			t.Fatalf("acquisition stack %d of %d", a.Stack, len(r.Stacks))
		}
	}
	for _, th := range r.Threads {
		if !ok(th.Stack) {
			t.Fatalf("thread stack %d of %d", th.Stack, len(r.Stacks))
		}
	}
	if r.Location != nil && !ok(r.Location.Stack) {
		t.Fatalf("location stack %d of %d", r.Location.Stack, len(r.Stacks))
	}
}

// FuzzSuppressions checks that reading a suppressions file and matching
// with its patterns never panics, and that every pattern matches itself
// when it has no "*", "^" or "$".
func FuzzSuppressions(f *testing.F) {
	f.Add("race:take_gil\n# c\nthread:^pthread_*$\n", "take_gil")
	f.Add("deadlock:*\nrace:a*b*c$\n", "xaybzc")
	f.Add("race:\x00\n:x\nrace", "")
	f.Fuzz(func(t *testing.T, text, name string) {
		sups, err := ParseSuppressions(text)
		if err != nil {
			return
		}
		r := Report{Kind: "data race", Stacks: []Stack{{Frames: []Frame{{Function: name, File: name, Module: name}}}}}
		_, _ = Suppressed(r, sups)
		for _, s := range sups {
			if !strings.ContainsAny(s.Pattern, "*^$") && !templateMatch(s.Pattern, s.Pattern) {
				t.Fatalf("pattern %q does not match itself", s.Pattern)
			}
		}
	})
}
