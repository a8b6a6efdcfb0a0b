package python

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// benchCorpus loads the largest CPython standard library found on the
// machine (or $PYRACE_BENCH_CORPUS), skipping site-packages.
func benchCorpus(b *testing.B) ([][]byte, int64) {
	b.Helper()
	root := os.Getenv("PYRACE_BENCH_CORPUS")
	if root == "" {
		home, _ := os.UserHomeDir()
		matches, _ := filepath.Glob(filepath.Join(home, ".pyenv/versions/*/lib/python3.*"))
		sort.Strings(matches)
		if len(matches) == 0 {
			matches, _ = filepath.Glob("/usr/lib/python3.*")
		}
		if len(matches) == 0 {
			b.Skip("no CPython standard library found; set PYRACE_BENCH_CORPUS")
		}
		root = matches[len(matches)-1]
	}
	var files [][]byte
	var total int64
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() && (d.Name() == "site-packages" || d.Name() == "dist-packages") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(path, ".py") {
			if src, err := os.ReadFile(path); err == nil {
				files = append(files, src)
				total += int64(len(src))
			}
		}
		return nil
	})
	return files, total
}

func BenchmarkParseStdlib(b *testing.B) {
	files, total := benchCorpus(b)
	b.SetBytes(total)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, src := range files {
			ParseFile("x.py", src)
		}
	}
}

func BenchmarkTokenizeStdlib(b *testing.B) {
	files, total := benchCorpus(b)
	b.SetBytes(total)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, src := range files {
			tokenize(src)
		}
	}
}
