package difftest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pyrace/pyrace/internal/python"
)

// ParseFunc produces pyrace's verdict on one file for the given CPython
// version. It also receives CPython's record of the same file, solely so
// that self-checks of the harness can derive a verdict from it (see
// Replay); a real parser must ignore it.
type ParseFunc func(path string, src []byte, v python.Version, cpython *Record) Outcome

// Pyrace is the ParseFunc under test: python.ParseFile, then python.Dump
// for the version. A panic in either becomes a Failure.
func Pyrace(path string, src []byte, v python.Version, _ *Record) (out Outcome) {
	defer func() {
		if r := recover(); r != nil {
			out = Outcome{Failure: fmt.Sprintf("panic: %v\n%s", r, debug.Stack())}
		}
	}()
	f := python.ParseFileOptions(path, src, python.Options{Version: v})
	if len(f.Errors) > 0 {
		e := f.Errors[0]
		return Outcome{Rejected: e.Error(), RejectedLine: e.Line}
	}
	var b strings.Builder
	if err := python.Dump(&b, f.Module, python.DumpOptions{Version: v}); err != nil {
		return Outcome{Dump: b.String(), Failure: err.Error()}
	}
	return Outcome{Dump: b.String()}
}

// Replay is a ParseFunc that checks the harness and python.Dump rather
// than the parser: it rebuilds pyrace's syntax tree from CPython's dump
// with Undump and dumps it again with python.Dump, copying rejections. Over
// a standard library it must match everywhere.
func Replay(path string, src []byte, v python.Version, cpython *Record) (out Outcome) {
	defer func() {
		if r := recover(); r != nil {
			out = Outcome{Failure: fmt.Sprintf("panic: %v\n%s", r, debug.Stack())}
		}
	}()
	if cpython.Rejected != "" {
		return Outcome{Rejected: cpython.Rejected}
	}
	m, err := Undump(cpython.Dump)
	if err != nil {
		return Outcome{Failure: "undump: " + err.Error()}
	}
	var b strings.Builder
	if err := python.Dump(&b, m, python.DumpOptions{Version: v}); err != nil {
		return Outcome{Dump: b.String(), Failure: err.Error()}
	}
	return Outcome{Dump: b.String()}
}

// Options configure Run.
type Options struct {
	// Script is the path of astdump.py.
	Script string
	// Parse produces pyrace's side; nil means Pyrace.
	Parse ParseFunc
	// Workers is the number of files compared in parallel; 0 means
	// runtime.NumCPU().
	Workers int
	// Filter, when set, selects the files to compare by their path
	// relative to the stdlib directory.
	Filter func(rel string) bool
	// OutDir, when set, receives the two dumps and a unified diff of every
	// mismatching file as OutDir/<interpreter name>/<rel>.{cpython,pyrace,diff}.
	// That directory is emptied first.
	OutDir string
}

// Report is the result of comparing one interpreter's standard library.
type Report struct {
	Interpreter Interpreter
	// Files is the number of files compared; RejectedByCPython how many of
	// them CPython rejects.
	Files             int
	RejectedByCPython int
	// Mismatches lists the differing files, sorted by Rel.
	Mismatches []*Mismatch
	// Elapsed is the wall time of the run.
	Elapsed time.Duration
}

// Summary describes the report: the count "N of M files differ" and the
// first n mismatches in full.
func (r *Report) Summary(n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Python %s (%s): %d of %d files differ (%d rejected by CPython; %.1fs)",
		r.Interpreter.Release, r.Interpreter.Path, len(r.Mismatches), r.Files, r.RejectedByCPython, r.Elapsed.Seconds())
	for i, m := range r.Mismatches {
		if i == n {
			fmt.Fprintf(&b, "\n\n... and %d more", len(r.Mismatches)-n)
			break
		}
		b.WriteString("\n\n")
		b.WriteString(m.Report)
	}
	return b.String()
}

// job is one file in flight between the astdump reader and the workers.
type job struct {
	rec Record
	rel string
}

// Run compares pyrace with the interpreter over its standard library: it
// runs astdump.py --batch once, streaming its records to opts.Workers
// goroutines that parse each file with opts.Parse and compare.
func Run(ctx context.Context, in Interpreter, opts Options) (*Report, error) {
	start := time.Now()
	parse := opts.Parse
	if parse == nil {
		parse = Pyrace
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	all, err := StdlibFiles(in.Stdlib)
	if err != nil {
		return nil, err
	}
	var paths []string
	rels := map[string]string{}
	for _, p := range all {
		rel, err := filepath.Rel(in.Stdlib, p)
		if err != nil {
			return nil, err
		}
		if opts.Filter == nil || opts.Filter(filepath.ToSlash(rel)) {
			paths = append(paths, p)
			rels[p] = filepath.ToSlash(rel)
		}
	}
	outDir := ""
	if opts.OutDir != "" {
		outDir = filepath.Join(opts.OutDir, in.Name())
		if err := os.RemoveAll(outDir); err != nil {
			return nil, err
		}
	}

	rep := &Report{Interpreter: in, Files: len(paths)}
	jobs := make(chan job, 2*workers)
	var (
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
	)
	fail := func(err error) {
		mu.Lock()
		if firstErr == nil {
			firstErr = err
		}
		mu.Unlock()
	}
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				m, err := check(j, parse, in.Version, outDir)
				if err != nil {
					fail(err)
					continue
				}
				mu.Lock()
				if j.rec.Rejected != "" {
					rep.RejectedByCPython++
				}
				if m != nil {
					rep.Mismatches = append(rep.Mismatches, m)
				}
				mu.Unlock()
			}
		}()
	}
	batchErr := RunBatch(ctx, in, opts.Script, paths, func(r Record) error {
		select {
		case jobs <- job{rec: r, rel: rels[r.Path]}:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	close(jobs)
	wg.Wait()
	if batchErr != nil {
		return nil, batchErr
	}
	if firstErr != nil {
		return nil, firstErr
	}
	slices.SortFunc(rep.Mismatches, func(a, b *Mismatch) int { return strings.Compare(a.Rel, b.Rel) })
	rep.Elapsed = time.Since(start)
	return rep, nil
}

// check compares one file and, for a mismatch, writes its files to outDir.
func check(j job, parse ParseFunc, v python.Version, outDir string) (*Mismatch, error) {
	src, err := os.ReadFile(j.rec.Path)
	if err != nil {
		return nil, err
	}
	out := parse(j.rec.Path, src, v, &j.rec)
	m := Compare(j.rec, out, j.rel, src)
	if m == nil || outDir == "" {
		return m, nil
	}
	base := filepath.Join(outDir, filepath.FromSlash(j.rel))
	if err := os.MkdirAll(filepath.Dir(base), 0o755); err != nil {
		return nil, err
	}
	cpython := j.rec.Dump
	if j.rec.Rejected != "" {
		cpython = rejectPrefix + j.rec.Rejected + "\n"
	}
	pyrace := out.Dump
	switch {
	case out.Failure != "":
		pyrace += "??? " + strings.ReplaceAll(out.Failure, "\n", "\n??? ") + "\n"
	case out.Rejected != "":
		pyrace = rejectPrefix + out.Rejected + "\n"
	}
	diff := UnifiedDiff("cpython/"+j.rel, "pyrace/"+j.rel, cpython, pyrace)
	for ext, text := range map[string]string{".cpython": cpython, ".pyrace": pyrace, ".diff": m.Report + "\n\n" + diff} {
		if err := os.WriteFile(base+ext, []byte(text), 0o644); err != nil {
			return nil, err
		}
	}
	return m, nil
}
