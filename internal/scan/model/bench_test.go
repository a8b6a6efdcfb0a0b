package model_test

import (
	"testing"

	"github.com/pyrace/pyrace/internal/python"
	"github.com/pyrace/pyrace/internal/scan/model"
	"github.com/pyrace/pyrace/internal/testenv"
)

// BenchmarkBuildStdlib builds the model of every module of the benchmark
// corpus (testenv.BenchCorpus), parsed beforehand: the model's share of a
// scan, without the parser's.
func BenchmarkBuildStdlib(b *testing.B) {
	_, corpus, size := testenv.BenchCorpus(b)
	files := make([]*python.File, len(corpus))
	for i, c := range corpus {
		files[i] = python.ParseFile(c.Path, c.Src)
	}
	b.SetBytes(size)
	s := &model.Scratch{}
	for b.Loop() {
		for _, f := range files {
			model.BuildScratch(f, string(f.Text), "m", model.Options{}, s).Release()
		}
	}
}
