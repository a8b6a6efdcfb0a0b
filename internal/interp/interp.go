// Package interp finds Python interpreters and describes them by running
// them: implementation, version, whether the build is free-threaded
// (Py_GIL_DISABLED), whether the GIL is actually off at start-up, debug and
// ThreadSanitizer builds, and whether pytest is importable.
package interp

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/pyrace/pyrace/internal/harness/pyhelpers"
	"github.com/pyrace/pyrace/internal/results"
)

// ProbeTimeout bounds one run of an interpreter by Probe.
const ProbeTimeout = 30 * time.Second

// The sources of a Found interpreter.
const (
	SourcePATH        = "PATH"
	SourcePyenv       = "pyenv"
	SourceUV          = "uv"
	SourcePyraceCache = "pyrace-cache"
	SourceFlag        = "flag"
)

// Probe runs the interpreter at path and describes it. path may also be a
// bare name ("python3"), looked up in PATH. Errors name the path: missing
// files, directories, files that are not executable, interpreters that
// fail, and programs that are not Python.
func Probe(ctx context.Context, path string) (results.Interpreter, error) {
	exe, err := checkExecutable(path)
	if err != nil {
		return results.Interpreter{}, err
	}
	src, err := pyhelpers.Source("pyrace_probe.py")
	if err != nil {
		return results.Interpreter{}, fmt.Errorf("python %s: %w", path, err)
	}
	ctx, cancel := context.WithTimeout(ctx, ProbeTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, "-c", string(src))
	// PYTHON_GIL is removed so that gil_enabled is the interpreter's own
	// default; the others so that the user's settings change neither which
	// interpreter runs nor what it imports at start-up.
	cmd.Env = filterEnv(os.Environ(), "PYTHON_GIL", "PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP")
	cmd.Stdin = nil
	var stdout, stderr limitedBuffer
	stdout.max, stderr.max = 1<<20, 64<<10
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	// A program that leaves a child holding the pipes must not hang us.
	cmd.WaitDelay = 2 * time.Second
	runErr := cmd.Run()
	if ctx.Err() != nil && runErr != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return results.Interpreter{}, fmt.Errorf("python %s: did not answer within %s", path, ProbeTimeout)
		}
		return results.Interpreter{}, fmt.Errorf("python %s: %w", path, ctx.Err())
	}
	if runErr != nil {
		var ee *exec.ExitError
		if errors.As(runErr, &ee) {
			if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
				return results.Interpreter{}, fmt.Errorf("python %s: killed by signal %s%s", path, ws.Signal(), firstLine(stderr.Bytes()))
			}
			return results.Interpreter{}, fmt.Errorf("python %s: exited with status %d%s", path, ee.ExitCode(), firstLine(stderr.Bytes()))
		}
		return results.Interpreter{}, fmt.Errorf("python %s: %w", path, runErr)
	}
	in, ok := parseProbe(stdout.Bytes())
	if !ok {
		return results.Interpreter{}, fmt.Errorf("python %s: did not print a probe result (is it a Python interpreter?)", path)
	}
	in.Path = path
	return in, nil
}

// checkExecutable returns the file to run for path, or an error saying why
// it cannot be an interpreter.
func checkExecutable(path string) (string, error) {
	if path == "" {
		return "", errors.New("python: empty path")
	}
	exe := path
	if !strings.ContainsRune(path, filepath.Separator) {
		found, err := exec.LookPath(path)
		if err != nil {
			return "", fmt.Errorf("python %s: not found in PATH", path)
		}
		exe = found
	}
	fi, err := os.Stat(exe)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", fmt.Errorf("python %s: no such file", path)
	case err != nil:
		return "", fmt.Errorf("python %s: %w", path, err)
	case fi.IsDir():
		return "", fmt.Errorf("python %s: is a directory", path)
	case !fi.Mode().IsRegular():
		return "", fmt.Errorf("python %s: is not a regular file", path)
	case fi.Mode().Perm()&0o111 == 0:
		return "", fmt.Errorf("python %s: is not executable", path)
	}
	return exe, nil
}

// parseProbe finds the probe's JSON object: the last line of out that
// decodes as one with an implementation. Anything a sitecustomize or a
// wrapper printed before it is ignored.
func parseProbe(out []byte) (results.Interpreter, bool) {
	lines := bytes.Split(out, []byte("\n"))
	for i := len(lines) - 1; i >= 0; i-- {
		line := bytes.TrimSpace(lines[i])
		if len(line) == 0 || line[0] != '{' {
			continue
		}
		var in results.Interpreter
		if err := json.Unmarshal(line, &in); err == nil && in.Implementation != "" && in.Version != "" {
			return in, true
		}
	}
	return results.Interpreter{}, false
}

// firstLine returns ": " and the first non-empty line of b, or "".
func firstLine(b []byte) string {
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" {
			if len(line) > 300 {
				line = line[:300] + "..."
			}
			return ": " + line
		}
	}
	return ""
}

// filterEnv returns env without the variables named in drop.
func filterEnv(env []string, drop ...string) []string {
	out := make([]string, 0, len(env))
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		if !slices.Contains(drop, name) {
			out = append(out, kv)
		}
	}
	return out
}

// limitedBuffer keeps the first max bytes written to it and discards the
// rest, so a program that prints without end cannot exhaust memory.
type limitedBuffer struct {
	buf bytes.Buffer
	max int
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := b.max - b.buf.Len(); room > 0 {
		b.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

func (b *limitedBuffer) Bytes() []byte { return b.buf.Bytes() }

// Found is an interpreter found by Discover.
type Found struct {
	// Interpreter describes it; only Path is set when Err is not nil.
	Interpreter results.Interpreter
	// Source is where it was found: "PATH", "pyenv", "uv", "pyrace-cache"
	// or "flag" (given with --python).
	Source string
	// Err is why an interpreter given with --python could not be probed.
	// Candidates from elsewhere that fail (pyenv shims of versions not
	// installed, broken links) are left out silently.
	Err error
}

// Options tells Discover where to look.
type Options struct {
	// Extra are interpreters given explicitly (--python); they come first
	// and their errors are reported.
	Extra []string
	// Getenv looks up PATH, PYENV_ROOT, UV_PYTHON_INSTALL_DIR,
	// PYRACE_CACHE, XDG_CACHE_HOME and HOME; nil means os.Getenv.
	Getenv func(string) string
	// Home is the home directory; "" means $HOME, then os.UserHomeDir.
	Home string
}

func (o Options) getenv(key string) string {
	if o.Getenv == nil {
		return os.Getenv(key)
	}
	return o.Getenv(key)
}

func (o Options) home() string {
	if o.Home != "" {
		return o.Home
	}
	if h := o.getenv("HOME"); h != "" {
		return h
	}
	h, _ := os.UserHomeDir()
	return h
}

// pathNameRE matches the interpreter names looked for in PATH and install
// directories: python, python3, python3.N, python3.Nt, pypy, pypy3,
// pypy3.N.
var pathNameRE = regexp.MustCompile(`^(python|python3|python3\.\d+t?|pypy|pypy3|pypy3\.\d+)$`)

// cacheNameRE matches the free-threaded builds in pyrace's cache.
var cacheNameRE = regexp.MustCompile(`^python3\.\d+t$`)

// candidate is a path to probe and where it came from.
type candidate struct {
	path   string
	source string
}

// candidates lists what Discover probes, in order of preference: explicit
// interpreters, PATH, pyenv, uv, pyrace's cache.
func candidates(opts Options) []candidate {
	var out []candidate
	for _, p := range opts.Extra {
		out = append(out, candidate{p, SourceFlag})
	}
	for _, dir := range filepath.SplitList(opts.getenv("PATH")) {
		if dir == "" {
			continue
		}
		for _, p := range matchDir(dir, pathNameRE) {
			out = append(out, candidate{p, SourcePATH})
		}
	}
	home := opts.home()
	pyenvRoot := opts.getenv("PYENV_ROOT")
	if pyenvRoot == "" && home != "" {
		pyenvRoot = filepath.Join(home, ".pyenv")
	}
	if pyenvRoot != "" {
		for _, bin := range globDirs(filepath.Join(pyenvRoot, "versions", "*", "bin")) {
			for _, p := range matchDir(bin, pathNameRE) {
				out = append(out, candidate{p, SourcePyenv})
			}
		}
	}
	uvDir := opts.getenv("UV_PYTHON_INSTALL_DIR")
	if uvDir == "" && home != "" {
		uvDir = filepath.Join(home, ".local", "share", "uv", "python")
	}
	if uvDir != "" {
		for _, bin := range globDirs(filepath.Join(uvDir, "*", "bin")) {
			for _, p := range matchDir(bin, pathNameRE) {
				out = append(out, candidate{p, SourceUV})
			}
		}
	}
	var caches []string
	if c := opts.getenv("PYRACE_CACHE"); c != "" {
		caches = append(caches, c)
	}
	if x := opts.getenv("XDG_CACHE_HOME"); x != "" {
		caches = append(caches, filepath.Join(x, "pyrace"))
	}
	if home != "" {
		caches = append(caches, filepath.Join(home, ".cache", "pyrace"))
	}
	for _, c := range caches {
		for _, bin := range globDirs(filepath.Join(c, "ft-python", "*", "bin")) {
			for _, p := range matchDir(bin, cacheNameRE) {
				out = append(out, candidate{p, SourcePyraceCache})
			}
		}
	}
	return out
}

// globDirs returns the directories matching pattern, sorted.
func globDirs(pattern string) []string {
	m, _ := filepath.Glob(pattern)
	slices.Sort(m)
	return m
}

// nameRank orders the names of one directory: python3 first (what users
// type), then python3.N, python, and PyPy's names last; ties by name.
func nameRank(name string) int {
	switch {
	case name == "python3":
		return 0
	case strings.HasPrefix(name, "python3."):
		return 1
	case name == "python":
		return 2
	case name == "pypy3":
		return 3
	case strings.HasPrefix(name, "pypy3."):
		return 4
	}
	return 5
}

// matchDir returns the executable files (or links to them) in dir whose
// name matches re, in the order of nameRank.
func matchDir(dir string, re *regexp.Regexp) []string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		if !re.MatchString(e.Name()) {
			continue
		}
		p := filepath.Join(dir, e.Name())
		fi, err := os.Stat(p)
		if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm()&0o111 == 0 {
			continue
		}
		out = append(out, p)
	}
	slices.SortStableFunc(out, func(a, b string) int {
		a, b = filepath.Base(a), filepath.Base(b)
		return cmp.Or(cmp.Compare(nameRank(a), nameRank(b)), cmp.Compare(a, b))
	})
	return out
}

// isScript reports whether the file at path is a script ("#!"): a
// wrapper such as a pyenv shim, whose meaning depends on the directory
// and environment it runs in.
func isScript(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	var b [2]byte
	n, _ := f.Read(b[:])
	return n == 2 && string(b[:]) == "#!"
}

// Discover finds the interpreters on PATH, in pyenv, in uv's install
// directory and in pyrace's cache, plus opts.Extra, probes them in
// parallel and returns each distinct interpreter once (by the real path of
// its executable, keeping the first source in the order above). The result
// is sorted: free-threaded builds first, then by version (newest first),
// then by path; Extra interpreters that failed come last with their Err.
func Discover(ctx context.Context, opts Options) []Found {
	cands := candidates(opts)

	// The same file reached twice (python3 -> python3.11 in one directory,
	// a directory twice in PATH) is probed once.
	seen := map[string]bool{}
	var todo []candidate
	for _, c := range cands {
		key := c.path
		if c.source != SourceFlag {
			if real, err := filepath.EvalSymlinks(c.path); err == nil {
				key = real
			}
			if abs, err := filepath.Abs(key); err == nil {
				key = abs
			}
		} else {
			key = "flag\x00" + c.path
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		todo = append(todo, c)
	}

	found := make([]Found, len(todo))
	sem := make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))
	var wg sync.WaitGroup
	for i, c := range todo {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			in, err := Probe(ctx, c.path)
			if err != nil {
				in = results.Interpreter{Path: c.path}
			} else if c.source != SourceFlag && in.Executable != "" && isScript(c.path) {
				// A shim (pyenv's on PATH): keep the interpreter it
				// resolved to here, not the wrapper.
				in.Path = in.Executable
			}
			found[i] = Found{Interpreter: in, Source: c.source, Err: err}
		}()
	}
	wg.Wait()

	var out []Found
	byExe := map[string]bool{}
	for _, f := range found {
		if f.Err != nil {
			if f.Source == SourceFlag {
				out = append(out, f)
			}
			continue
		}
		key := f.Interpreter.Executable
		if key == "" {
			key = f.Interpreter.Path
		}
		if byExe[key] {
			continue
		}
		byExe[key] = true
		out = append(out, f)
	}
	slices.SortStableFunc(out, compareFound)
	return out
}

// compareFound orders Discover's result.
func compareFound(a, b Found) int {
	if (a.Err == nil) != (b.Err == nil) {
		if a.Err == nil {
			return -1
		}
		return 1
	}
	if a.Interpreter.FreeThreaded != b.Interpreter.FreeThreaded {
		if a.Interpreter.FreeThreaded {
			return -1
		}
		return 1
	}
	if c := CompareVersions(b.Interpreter.Version, a.Interpreter.Version); c != 0 {
		return c
	}
	return cmp.Compare(a.Interpreter.Path, b.Interpreter.Path)
}

// CompareVersions compares dotted versions numerically ("3.13.5" >
// "3.9.18"), returning -1, 0 or +1. Non-numeric parts compare as 0.
func CompareVersions(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := range max(len(as), len(bs)) {
		var x, y int
		if i < len(as) {
			x, _ = strconv.Atoi(as[i])
		}
		if i < len(bs) {
			y, _ = strconv.Atoi(bs[i])
		}
		if c := cmp.Compare(x, y); c != 0 {
			return c
		}
	}
	return 0
}

// Default chooses the interpreter `pyrace run` uses without --python: the
// first free-threaded build found (preferring one that has pytest), else
// python3 from PATH with a warning that races show less often with the
// GIL, else an error.
func Default(ctx context.Context, opts Options) (results.Interpreter, string, error) {
	opts.Extra = nil
	found := Discover(ctx, opts)
	var firstFT *results.Interpreter
	for i := range found {
		f := &found[i]
		if f.Err != nil || !f.Interpreter.FreeThreaded {
			continue
		}
		if f.Interpreter.HasPytest {
			return f.Interpreter, "", nil
		}
		if firstFT == nil {
			firstFT = &f.Interpreter
		}
	}
	if firstFT != nil {
		return *firstFT, "", nil
	}
	for _, dir := range filepath.SplitList(opts.getenv("PATH")) {
		if dir == "" {
			continue
		}
		p := filepath.Join(dir, "python3")
		if _, err := checkExecutable(p); err != nil {
			continue
		}
		in, err := Probe(ctx, p)
		if err != nil {
			continue
		}
		return in, fmt.Sprintf("no free-threaded interpreter found; using python3 %s (GIL enabled): races show less often", majorMinor(in.Version)), nil
	}
	return results.Interpreter{}, "", errors.New("no Python interpreter found: no free-threaded build (python3.13t, pyenv, uv, pyrace's cache) and no python3 in PATH; give one with --python")
}

// majorMinor returns "3.11" of "3.11.2".
func majorMinor(v string) string {
	parts := strings.SplitN(v, ".", 3)
	if len(parts) >= 2 {
		return parts[0] + "." + parts[1]
	}
	return v
}
