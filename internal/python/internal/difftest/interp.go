// Package difftest compares pyrace's parser with CPython's own over whole
// standard libraries.
//
// CPython's side comes from testdata/astdump.py, run once per interpreter in
// batch mode; pyrace's side from python.ParseFile and python.Dump. Both print
// the canonical dump of docs/ast-dump.md, so a file matches when the two
// dumps are identical, or when both parsers reject it.
//
// The package serves the differential test of internal/python and the
// astdiff development tool.
package difftest

import (
	"archive/zip"
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/pyrace/pyrace/internal/python"
)

// EnvPythons names the environment variable that overrides interpreter
// discovery: a list of interpreter paths separated by the OS path-list
// separator (a colon on Unix).
const EnvPythons = "PYRACE_DIFF_PYTHONS"

// MinVersion returns the oldest CPython the comparison supports, 3.8.
func MinVersion() python.Version { return python.Version{Major: 3, Minor: 8} }

// Interpreter is one CPython installation.
type Interpreter struct {
	// Path is the interpreter executable.
	Path string
	// Version is the language version, such as 3.11.
	Version python.Version
	// Release is the full version, such as "3.11.7".
	Release string
	// Stdlib is the standard library directory, from
	// sysconfig.get_paths()["stdlib"].
	Stdlib string
	// Launcher is the command that runs a Python script: the script and its
	// arguments are appended. Empty means Path with -I.
	Launcher []string
	// Env is added to the launcher's environment.
	Env []string
}

// Command returns the command line that runs script with args.
func (in Interpreter) Command(script string, args ...string) []string {
	argv := slices.Clone(in.Launcher)
	if len(argv) == 0 {
		argv = []string{in.Path, "-I"}
	}
	argv = append(argv, script)
	return append(argv, args...)
}

// Name is the interpreter's name in test names and output directories: its
// release, such as "3.11.7".
func (in Interpreter) Name() string { return in.Release }

const probeScript = `import sys, sysconfig
print("%d.%d.%d" % tuple(sys.version_info[:3]))
print(sysconfig.get_paths()["stdlib"])
`

// Probe asks the interpreter at path for its version and stdlib directory.
func Probe(ctx context.Context, path string) (Interpreter, error) {
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, path, "-I", "-c", probeScript)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return Interpreter{}, fmt.Errorf("probing %s: %v: %s", path, err, bytes.TrimSpace(stderr.Bytes()))
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 2 {
		return Interpreter{}, fmt.Errorf("probing %s: unexpected output %q", path, out)
	}
	release := strings.TrimSpace(lines[0])
	parts := strings.Split(release, ".")
	if len(parts) != 3 {
		return Interpreter{}, fmt.Errorf("probing %s: bad version %q", path, release)
	}
	major, err1 := strconv.Atoi(parts[0])
	minor, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil {
		return Interpreter{}, fmt.Errorf("probing %s: bad version %q", path, release)
	}
	return Interpreter{
		Path:    path,
		Version: python.Version{Major: major, Minor: minor},
		Release: release,
		Stdlib:  strings.TrimSpace(lines[1]),
	}, nil
}

// PyodideOptions say where to find Pyodide, the CPython compiled to
// WebAssembly that the npm registry publishes; the tests use it as their
// CPython 3.14.
type PyodideOptions struct {
	// Script is testdata/pyodide/python.mjs, which runs a Python script
	// under Pyodide in Node.js.
	Script string
	// CacheDir receives Pyodide's standard library, extracted from its
	// python_stdlib.zip so that pyrace can read the same files.
	CacheDir string
}

// EnvPyodide names the environment variable holding the directory of the
// pyodide npm package (the one with pyodide.mjs and python_stdlib.zip).
const EnvPyodide = "PYRACE_PYODIDE"

// PyodideDir returns the pyodide package directory: $PYRACE_PYODIDE, else
// $HOME/.cache/pyrace/pyodide/node_modules/pyodide (where `make pyodide`
// installs it), or "" when neither exists.
func PyodideDir(getenv func(string) string) string {
	if d := getenv(EnvPyodide); d != "" {
		return d
	}
	if home := getenv("HOME"); home != "" {
		d := filepath.Join(home, ".cache", "pyrace", "pyodide", "node_modules", "pyodide")
		if _, err := os.Stat(filepath.Join(d, "pyodide.mjs")); err == nil {
			return d
		}
	}
	return ""
}

// ProbePyodide describes the Pyodide interpreter in dir, run by Node.js
// through opts.Script, and extracts its standard library into
// opts.CacheDir (once per release).
func ProbePyodide(ctx context.Context, dir string, opts PyodideOptions) (Interpreter, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return Interpreter{}, fmt.Errorf("pyodide: %w", err)
	}
	script, err := filepath.Abs(opts.Script)
	if err != nil {
		return Interpreter{}, err
	}
	probe := filepath.Join(opts.CacheDir, "probe.py")
	if err := os.MkdirAll(opts.CacheDir, 0o755); err != nil {
		return Interpreter{}, err
	}
	if err := os.WriteFile(probe, []byte(probeScript), 0o644); err != nil {
		return Interpreter{}, err
	}
	in := Interpreter{
		Path:     filepath.Join(dir, "pyodide.mjs"),
		Launcher: []string{node, script},
		Env:      []string{EnvPyodide + "=" + dir},
	}
	var stderr bytes.Buffer
	argv := in.Command(probe)
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), in.Env...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return Interpreter{}, fmt.Errorf("probing pyodide in %s: %v: %s", dir, err, bytes.TrimSpace(stderr.Bytes()))
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 2 {
		return Interpreter{}, fmt.Errorf("probing pyodide: unexpected output %q", out)
	}
	var major, minor, patch int
	if _, err := fmt.Sscanf(lines[0], "%d.%d.%d", &major, &minor, &patch); err != nil {
		return Interpreter{}, fmt.Errorf("probing pyodide: bad version %q", lines[0])
	}
	in.Version = python.Version{Major: major, Minor: minor}
	in.Release = lines[0] + "-pyodide"
	in.Stdlib = filepath.Join(opts.CacheDir, "pyodide-stdlib-"+lines[0])
	if err := extractZip(filepath.Join(dir, "python_stdlib.zip"), in.Stdlib); err != nil {
		return Interpreter{}, fmt.Errorf("pyodide standard library: %w", err)
	}
	return in, nil
}

// extractZip unpacks the .py files of archive into dir, unless dir exists.
func extractZip(archive, dir string) error {
	if _, err := os.Stat(dir); err == nil {
		return nil
	}
	zr, err := zip.OpenReader(archive)
	if err != nil {
		return err
	}
	defer zr.Close()
	tmp, err := os.MkdirTemp(filepath.Dir(dir), ".stdlib-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	for _, f := range zr.File {
		if !strings.HasSuffix(f.Name, ".py") || strings.Contains(f.Name, "..") {
			continue
		}
		dst := filepath.Join(tmp, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		rc, err := f.Open()
		if err != nil {
			return err
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", f.Name, err)
		}
		if err := os.WriteFile(dst, data, 0o644); err != nil {
			return err
		}
	}
	return os.Rename(tmp, dir)
}

// Discover finds the CPython interpreters to compare against, oldest first.
// When getenv(EnvPythons) is set, it lists them and each must probe
// successfully; otherwise Discover looks for $HOME/.pyenv/versions/*/bin/python3
// and /usr/bin/python3.N and keeps those at MinVersion or newer, skipping
// any that fail to run. The returned notes say what was skipped and why.
//
// Pyodide (see PyodideDir) is added as one more interpreter when it is
// installed and Node.js is on PATH; in an EnvPythons list it is named by
// the word "pyodide".
func Discover(ctx context.Context, getenv func(string) string, py PyodideOptions) (found []Interpreter, notes []string, err error) {
	addPyodide := func(required bool) error {
		dir := PyodideDir(getenv)
		if dir == "" {
			if required {
				return fmt.Errorf("%s: pyodide is not installed (set %s or run make pyodide)", EnvPythons, EnvPyodide)
			}
			notes = append(notes, "no Pyodide found (CPython 3.14 in WebAssembly): run `make pyodide` or set "+EnvPyodide)
			return nil
		}
		in, err := ProbePyodide(ctx, dir, py)
		if err != nil {
			if required {
				return err
			}
			notes = append(notes, "skipping "+err.Error())
			return nil
		}
		found = append(found, in)
		return nil
	}
	if list := getenv(EnvPythons); list != "" {
		for _, p := range filepath.SplitList(list) {
			if p == "" {
				continue
			}
			if p == "pyodide" {
				if err := addPyodide(true); err != nil {
					return nil, nil, err
				}
				continue
			}
			in, err := Probe(ctx, p)
			if err != nil {
				return nil, nil, fmt.Errorf("%s: %w", EnvPythons, err)
			}
			if in.Version.Less(MinVersion()) {
				return nil, nil, fmt.Errorf("%s: %s is Python %s, older than %s", EnvPythons, p, in.Release, MinVersion())
			}
			found = append(found, in)
		}
		return nameUniquely(found), nil, nil
	}
	var candidates []string
	if home := getenv("HOME"); home != "" {
		m, _ := filepath.Glob(filepath.Join(home, ".pyenv", "versions", "*", "bin", "python3"))
		candidates = append(candidates, m...)
	}
	m, _ := filepath.Glob("/usr/bin/python3.*")
	minorRE := regexp.MustCompile(`^python3\.[0-9]+$`)
	for _, p := range m {
		if minorRE.MatchString(filepath.Base(p)) {
			candidates = append(candidates, p)
		}
	}
	seen := map[string]bool{}
	for _, p := range candidates {
		real, err := filepath.EvalSymlinks(p)
		if err != nil {
			notes = append(notes, fmt.Sprintf("skipping %s: %v", p, err))
			continue
		}
		if seen[real] {
			continue
		}
		seen[real] = true
		in, err := Probe(ctx, p)
		if err != nil {
			notes = append(notes, "skipping "+err.Error())
			continue
		}
		if in.Version.Less(MinVersion()) {
			notes = append(notes, fmt.Sprintf("skipping %s: Python %s is older than %s", p, in.Release, MinVersion()))
			continue
		}
		found = append(found, in)
	}
	if py.Script != "" {
		if err := addPyodide(false); err != nil {
			return nil, nil, err
		}
	}
	return nameUniquely(found), notes, nil
}

// nameUniquely sorts interpreters by version and makes their names unique
// by suffixing repeated releases with -2, -3...
func nameUniquely(ins []Interpreter) []Interpreter {
	slices.SortStableFunc(ins, func(a, b Interpreter) int {
		if c := cmp.Compare(a.Version.Major, b.Version.Major); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Version.Minor, b.Version.Minor); c != 0 {
			return c
		}
		return cmp.Compare(a.Path, b.Path)
	})
	count := map[string]int{}
	for i := range ins {
		count[ins[i].Release]++
		if n := count[ins[i].Release]; n > 1 {
			ins[i].Release += "-" + strconv.Itoa(n)
		}
	}
	return ins
}

// StdlibFiles lists the *.py files under the stdlib directory root in
// lexical order, skipping site-packages and dist-packages directories.
// Symbolic links to regular files are included.
func StdlibFiles(root string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != root && (name == "site-packages" || name == "dist-packages") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(d.Name(), ".py") {
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			fi, err := os.Stat(path)
			if err != nil || !fi.Mode().IsRegular() {
				return nil
			}
		} else if !d.Type().IsRegular() {
			return nil
		}
		files = append(files, path)
		return nil
	})
	return files, err
}
