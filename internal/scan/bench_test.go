package scan_test

import (
	"os"
	"testing"

	"github.com/pyrace/pyrace/internal/pyfiles"
	"github.com/pyrace/pyrace/internal/python"
	"github.com/pyrace/pyrace/internal/scan"
	"github.com/pyrace/pyrace/internal/scan/rules"
	"github.com/pyrace/pyrace/internal/testenv"
)

// benchRoot is the benchmark corpus (testenv.BenchCorpus). bench/scan.sh
// compares the two benchmarks below as whole commands; these are for
// profiling (-cpuprofile).
func benchRoot(b *testing.B) string {
	root, _, _ := testenv.BenchCorpus(b)
	return root
}

// BenchmarkScanStdlib scans the corpus on one core with every rule.
func BenchmarkScanStdlib(b *testing.B) {
	root := benchRoot(b)
	opts := scan.Options{Paths: []string{root}, Rules: rules.All(), KnownRule: rules.Known, MinConfidence: scan.Low, Jobs: 1}
	for b.Loop() {
		if _, err := scan.Run(b.Context(), opts); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseFilesStdlib reads and parses the same files on one core:
// the baseline the scan's overhead is measured against.
func BenchmarkParseFilesStdlib(b *testing.B) {
	root := benchRoot(b)
	for b.Loop() {
		for p, err := range pyfiles.Walk([]string{root}, pyfiles.Options{}) {
			if err != nil {
				continue
			}
			if src, err := os.ReadFile(p); err == nil {
				python.ParseFile(p, src)
			}
		}
	}
}
