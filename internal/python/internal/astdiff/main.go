// Command astdiff compares pyrace's parser with one CPython interpreter over
// that interpreter's standard library, as TestDifferentialStdlib does, and
// prints a summary and the first difference of each differing file. It is
// a development aid for iterating on the parser:
//
//	go run ./internal/python/internal/astdiff -python ~/.pyenv/versions/3.12.1/bin/python3
//	go run ./internal/python/internal/astdiff -python python3.13 -file 'json/' -max 5
//	go run ./internal/python/internal/astdiff -python python3.8 -out /tmp/diffs
//
// With -replay it checks the harness and python.Dump instead of the parser:
// pyrace's side is rebuilt from CPython's own dumps, so every file must
// match.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime"

	"github.com/pyrace/pyrace/internal/python/internal/difftest"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "astdiff:", err)
		os.Exit(2)
	}
}

func run() error {
	pythonFlag := flag.String("python", "python3", "CPython interpreter (3.8 or newer) to compare with, or \"pyodide\" for Pyodide's CPython 3.14 ($PYRACE_PYODIDE)")
	fileFlag := flag.String("file", "", "compare only the files whose path relative to the stdlib matches this regexp")
	outFlag := flag.String("out", "", "write the dumps and diffs of differing files to `dir`/<version>/")
	maxFlag := flag.Int("max", 20, "report at most this many differing files in full")
	jobsFlag := flag.Int("j", runtime.NumCPU(), "number of files compared in parallel")
	replayFlag := flag.Bool("replay", false, "check the harness and python.Dump instead of the parser")
	scriptFlag := flag.String("script", defaultScript(), "path of astdump.py")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: astdiff [flags]\n\nCompare pyrace's AST with CPython's over a standard library.\n\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 0 {
		flag.Usage()
		os.Exit(2)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var in difftest.Interpreter
	if *pythonFlag == "pyodide" {
		dir := difftest.PyodideDir(os.Getenv)
		if dir == "" {
			return fmt.Errorf("pyodide is not installed: run make pyodide or set %s", difftest.EnvPyodide)
		}
		cache, err := os.UserCacheDir()
		if err != nil {
			return err
		}
		in, err = difftest.ProbePyodide(ctx, dir, difftest.PyodideOptions{
			Script:   filepath.Join(filepath.Dir(*scriptFlag), "pyodide", "python.mjs"),
			CacheDir: filepath.Join(cache, "pyrace"),
		})
		if err != nil {
			return err
		}
	} else {
		path, err := exec.LookPath(*pythonFlag)
		if err != nil {
			return err
		}
		if in, err = difftest.Probe(ctx, path); err != nil {
			return err
		}
	}
	path := in.Path
	if in.Version.Less(difftest.MinVersion()) {
		return fmt.Errorf("%s is Python %s; need %s or newer", path, in.Release, difftest.MinVersion())
	}
	opts := difftest.Options{Script: *scriptFlag, Workers: *jobsFlag, OutDir: *outFlag}
	if *fileFlag != "" {
		re, err := regexp.Compile(*fileFlag)
		if err != nil {
			return err
		}
		opts.Filter = re.MatchString
	}
	if *replayFlag {
		opts.Parse = difftest.Replay
	}
	rep, err := difftest.Run(ctx, in, opts)
	if err != nil {
		return err
	}
	fmt.Println(rep.Summary(*maxFlag))
	if *outFlag != "" && len(rep.Mismatches) > 0 {
		fmt.Printf("\ndumps and diffs written to %s\n", filepath.Join(*outFlag, in.Name()))
	}
	if len(rep.Mismatches) > 0 {
		os.Exit(1)
	}
	return nil
}

// defaultScript locates testdata/astdump.py from this source file, which
// works for `go run` in the module.
func defaultScript() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "internal/python/testdata/astdump.py"
	}
	return filepath.Join(filepath.Dir(file), "..", "..", "testdata", "astdump.py")
}
