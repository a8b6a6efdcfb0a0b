package model_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/pyrace/pyrace/internal/python"
	"github.com/pyrace/pyrace/internal/scan/model"
)

// BenchmarkBuildStdlib builds the model of every module of the newest
// CPython standard library on the machine (or $PYRACE_BENCH_CORPUS),
// parsed beforehand: the model's share of a scan, without the parser's.
func BenchmarkBuildStdlib(b *testing.B) {
	root := os.Getenv("PYRACE_BENCH_CORPUS")
	if root == "" {
		home, _ := os.UserHomeDir()
		matches, _ := filepath.Glob(filepath.Join(home, ".pyenv/versions/*/lib/python3.*"))
		sort.Strings(matches)
		if len(matches) == 0 {
			b.Skip("no CPython standard library found; set PYRACE_BENCH_CORPUS")
		}
		root = matches[len(matches)-1]
	}
	var files []*python.File
	var size int64
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".py") {
			if src, err := os.ReadFile(p); err == nil {
				files = append(files, python.ParseFile(p, src))
				size += int64(len(src))
			}
		}
		return nil
	})
	b.SetBytes(size)
	s := &model.Scratch{}
	for b.Loop() {
		for _, f := range files {
			model.BuildScratch(f, string(f.Text), "m", model.Options{}, s).Release()
		}
	}
}
