package python

import (
	"testing"

	"github.com/pyrace/pyrace/internal/testenv"
)

// benchCorpus reads the benchmark corpus (testenv.BenchCorpus).
func benchCorpus(b *testing.B) ([][]byte, int64) {
	_, files, size := testenv.BenchCorpus(b)
	srcs := make([][]byte, len(files))
	for i, f := range files {
		srcs[i] = f.Src
	}
	return srcs, size
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
