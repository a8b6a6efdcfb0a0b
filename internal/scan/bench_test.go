package scan_test

import (
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/pyrace/pyrace/internal/pyfiles"
	"github.com/pyrace/pyrace/internal/python"
	"github.com/pyrace/pyrace/internal/scan"
	"github.com/pyrace/pyrace/internal/scan/rules"
)

// benchRoot is the newest CPython standard library on the machine (or
// $PYRACE_BENCH_CORPUS). bench/scan.sh compares the two benchmarks below
// as whole commands; these are for profiling (-cpuprofile).
func benchRoot(b *testing.B) string {
	b.Helper()
	if root := os.Getenv("PYRACE_BENCH_CORPUS"); root != "" {
		return root
	}
	home, _ := os.UserHomeDir()
	matches, _ := filepath.Glob(filepath.Join(home, ".pyenv/versions/*/lib/python3.*"))
	sort.Strings(matches)
	if len(matches) == 0 {
		b.Skip("no CPython standard library found; set PYRACE_BENCH_CORPUS")
	}
	return matches[len(matches)-1]
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
