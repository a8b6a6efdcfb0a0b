package testenv

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// CorpusFile is one source file of a benchmark corpus.
type CorpusFile struct {
	Path string
	Src  []byte
}

// BenchCorpus returns $PYRACE_BENCH_CORPUS, else the largest CPython
// standard library on the machine (by bytes of *.py outside site-packages)
// under ~/.pyenv/versions or /usr/lib — the corpus bench/parse.sh and
// bench/scan.sh choose — with its *.py files read. Without one the
// benchmark skips.
func BenchCorpus(tb testing.TB) (root string, files []CorpusFile, size int64) {
	tb.Helper()
	root = os.Getenv("PYRACE_BENCH_CORPUS")
	if root == "" {
		home, _ := os.UserHomeDir()
		dirs, _ := filepath.Glob(filepath.Join(home, ".pyenv/versions/*/lib/python3.*"))
		system, _ := filepath.Glob("/usr/lib/python3.*")
		var best int64
		for _, dir := range append(dirs, system...) {
			if fi, err := os.Lstat(dir); err != nil || !fi.IsDir() {
				continue // a symbolic link or a file
			}
			if _, n := readCorpus(dir, false); n > best {
				root, best = dir, n
			}
		}
	}
	if root == "" {
		tb.Skip("no CPython standard library found; set PYRACE_BENCH_CORPUS")
	}
	files, size = readCorpus(root, true)
	return root, files, size
}

// readCorpus lists (and with read set, reads) the *.py files under root
// outside site-packages and dist-packages, returning their total size.
func readCorpus(root string, read bool) ([]CorpusFile, int64) {
	var files []CorpusFile
	var size int64
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return nil
		case d.IsDir() && (d.Name() == "site-packages" || d.Name() == "dist-packages"):
			return filepath.SkipDir
		case d.IsDir() || !strings.HasSuffix(path, ".py"):
			return nil
		case !read:
			if fi, err := d.Info(); err == nil {
				size += fi.Size()
			}
			return nil
		}
		if src, err := os.ReadFile(path); err == nil {
			files = append(files, CorpusFile{path, src})
			size += int64(len(src))
		}
		return nil
	})
	return files, size
}
