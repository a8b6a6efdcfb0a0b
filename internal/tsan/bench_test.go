package tsan

import (
	"bytes"
	"fmt"
	"testing"
)

// syntheticLog is a stderr-like log of about size bytes: pytest output and
// tracebacks with a TSAN report every reportEvery lines.
func syntheticLog(size, reportEvery int) []byte {
	var b bytes.Buffer
	for i := 0; b.Len() < size; i++ {
		switch {
		case reportEvery > 0 && i%reportEvery == 0:
			b.WriteString(raceReport(1000+i, fmt.Sprintf("0x7b44%08x", i), "/usr/src/cpython", i%32, i%2 == 0))
		case i%7 == 0:
			fmt.Fprintf(&b, "Traceback (most recent call last):\n  File \"/home/u/proj/tests/test_%d.py\", line %d, in test_case\n    shared.append(x)\nAssertionError: expected %d\n", i, i%300, i)
		default:
			fmt.Fprintf(&b, "tests/test_module_%d.py::TestThing::test_case_%d PASSED                       [ %2d%%]\n", i%50, i, i%100)
		}
	}
	return b.Bytes()
}

func benchmarkParse(b *testing.B, reportEvery int) {
	data := syntheticLog(32<<20, reportEvery)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(bytes.NewReader(data), func(Report) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParse parses a 32 MiB log that is mostly test output, with a
// report every 200 lines (1,636 reports, 5% of the bytes).
func BenchmarkParse(b *testing.B) { benchmarkParse(b, 200) }

// BenchmarkParseReportsOnly parses a 32 MiB log of back-to-back reports.
func BenchmarkParseReportsOnly(b *testing.B) { benchmarkParse(b, 1) }

// BenchmarkParseNoReports parses a 32 MiB log without any report.
func BenchmarkParseNoReports(b *testing.B) { benchmarkParse(b, 0) }
