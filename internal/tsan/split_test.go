package tsan

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// allCuts lists every offset of data where SplitPoints may cut.
func allCuts(data []byte) []int64 {
	var cuts []int64
	for base := 0; base < len(data); {
		off := cutIn(data[base:])
		if off < 0 {
			break
		}
		cuts = append(cuts, int64(base+off))
		base += off + 1
	}
	return cuts
}

// sectioned parses data in sections cut at cuts and returns the reports
// with whole-log line numbers, and the warnings count.
func sectioned(t *testing.T, data []byte, cuts []int64) ([]Report, int) {
	t.Helper()
	per := make([][]Report, len(cuts)+1)
	secs := ParseSections(bytes.NewReader(data), int64(len(data)), cuts, false, func(i int, r Report) error {
		per[i] = append(per[i], r)
		return nil
	})
	var out []Report
	lines, warnings := 0, -1
	for i, s := range secs {
		if s.Err != nil {
			t.Fatalf("section %d: %v", i, s.Err)
		}
		for _, r := range per[i] {
			r.StartLine += lines
			out = append(out, r)
		}
		lines += s.Lines
		if s.Warnings >= 0 {
			warnings = max(warnings, 0) + s.Warnings
		}
	}
	return out, warnings
}

// checkSections checks that parsing data cut at each possible place, and at
// all of them at once, gives Parse's reports.
func checkSections(t *testing.T, data []byte) {
	t.Helper()
	var want []Report
	wantWarnings, err := Parse(bytes.NewReader(data), func(r Report) error { want = append(want, r); return nil })
	if err != nil {
		t.Fatal(err)
	}
	cuts := allCuts(data)
	tries := [][]int64{cuts}
	for _, c := range cuts {
		tries = append(tries, []int64{c})
	}
	for _, try := range tries {
		got, warnings := sectioned(t, data, try)
		if warnings != wantWarnings || !reflect.DeepEqual(got, want) {
			t.Fatalf("cut at %v: %d reports, %d warnings; want %d, %d", try, len(got), warnings, len(want), wantWarnings)
		}
	}
	checkGrouped(t, data, want, wantWarnings, tries)
}

// checkGrouped checks that Grouper.Read, and ReadSections cut at each of
// tries, group data as Add does with Parse's reports (want), with and
// without a filter.
func checkGrouped(t *testing.T, data []byte, want []Report, wantWarnings int, tries [][]int64) {
	t.Helper()
	skipLeaks := func(r Report) bool { return r.Kind == "thread leak" }
	for _, skip := range []func(Report) bool{nil, skipLeaks} {
		var ref Grouper
		wantSkipped := 0
		for _, r := range want {
			if skip != nil && skip(r) {
				wantSkipped++
				continue
			}
			ref.Add("x.log", r)
		}
		var g Grouper
		warnings, skipped, err := g.Read("x.log", bytes.NewReader(data), skip)
		if err != nil || warnings != wantWarnings || skipped != wantSkipped || g.Reports() != ref.Reports() || !reflect.DeepEqual(g.Races(), ref.Races()) {
			t.Fatalf("Read (filter %v): %d reports, %d warnings, %d skipped, %v; want %d, %d, %d\n%+v\n%+v",
				skip != nil, g.Reports(), warnings, skipped, err, ref.Reports(), wantWarnings, wantSkipped, g.Races(), ref.Races())
		}
		for _, try := range tries {
			var gs Grouper
			warnings, skipped, err := gs.ReadSections("x.log", bytes.NewReader(data), int64(len(data)), try, skip)
			if err != nil || warnings != wantWarnings || skipped != wantSkipped || gs.Reports() != ref.Reports() || !reflect.DeepEqual(gs.Races(), ref.Races()) {
				t.Fatalf("ReadSections cut at %v (filter %v): %d reports, %d warnings, %d skipped, %v", try, skip != nil, gs.Reports(), warnings, skipped, err)
			}
		}
	}
}

func TestSections(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.txt")
	var all []byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		checkSections(t, b)
		all = append(all, b...)
	}
	checkSections(t, all)
	// Repeats of each race: grouping counts them without building them.
	checkSections(t, bytes.Repeat(all, 3))
	if n := len(allCuts(all)); n < 10 {
		t.Errorf("only %d places to cut in the fixtures", n)
	}
	// SplitPoints on a large log finds cuts that allCuts knows.
	big := bytes.Repeat(all, 1+2*minSection/len(all)*2)
	cuts := SplitPoints(bytes.NewReader(big), int64(len(big)), 4)
	if len(cuts) != 3 {
		t.Fatalf("SplitPoints gave %v for %d bytes", cuts, len(big))
	}
	valid := map[int64]bool{}
	for _, c := range allCuts(big) {
		valid[c] = true
	}
	for _, c := range cuts {
		if !valid[c] {
			t.Errorf("SplitPoints cut at %d, not a place to cut", c)
		}
	}
	got, warnings := sectioned(t, big, cuts)
	var want []Report
	wantWarnings, _ := Parse(bytes.NewReader(big), func(r Report) error { want = append(want, r); return nil })
	if warnings != wantWarnings || !reflect.DeepEqual(got, want) {
		t.Errorf("sections of the large log: %d reports, want %d", len(got), len(want))
	}
}
