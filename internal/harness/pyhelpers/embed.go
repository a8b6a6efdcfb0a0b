// Package pyhelpers holds the Python files pyrace runs inside the
// interpreter under test, embedded in the binary and written to a directory
// that the harness puts first on PYTHONPATH:
//
//   - sitecustomize.py: imported at start-up of every Python process of a
//     test run; with PYRACE_STATE_DIR set it registers faulthandler on
//     SIGUSR1 into stacks-<pid>.txt, records which extension module
//     re-enabled the GIL, writes exit-<pid>.json at exit, and then runs the
//     next sitecustomize on sys.path.
//   - pyrace_pytest.py: a pytest plugin (PYTEST_PLUGINS=pyrace_pytest) that
//     appends one JSON line per test (results.TestResult) to
//     $PYRACE_TESTS_FILE.
//     With PYRACE_THREADS=K it runs each test body in K threads at a
//     barrier (`pyrace run --threads`).
//   - pyrace_threads.py: calls a function from K threads at a barrier for
//     M rounds and keeps every exception (the plugin's threads and
//     `pyrace stress`).
//   - pyrace_stress.py: `python -m pyrace_stress MODULE:CALLABLE K M ARGS
//     TIMEOUT` runs pyrace_threads on a callable for `pyrace stress`.
//   - pyrace_unittest.py: `python -m pyrace_unittest ARGS` behaves as
//     `python -m unittest ARGS` and writes the same JSON lines.
//   - pyrace_probe.py: prints a results.Interpreter as JSON (Python 2.7,
//     3.x and PyPy).
//   - pyrace_gilprobe.py: `python -m pyrace_gilprobe NAME` imports a
//     package and its submodules and prints a results.GILCheck as JSON
//     after the marker "PYRACE-GILPROBE ".
package pyhelpers

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// files holds the helpers; an embed.FS is read-only.
//
//go:embed *.py
var files embed.FS

// Names returns the file names of the helpers, sorted.
func Names() []string {
	entries, err := fs.ReadDir(files, ".")
	if err != nil {
		return nil // cannot happen with a valid embed
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

// Source returns the content of the helper called name ("pyrace_probe.py").
func Source(name string) ([]byte, error) {
	b, err := files.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("python helper %q: %w", name, err)
	}
	return b, nil
}

// Install writes every helper into dir, creating it if needed. A file whose
// content is already right is left alone; the others are written to a
// temporary file in dir and renamed into place, so that processes
// installing into the same directory at once, and Python processes reading
// it meanwhile, only ever see complete files. Files are made 0644.
func Install(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("installing python helpers: %w", err)
	}
	for _, name := range Names() {
		want, err := Source(name)
		if err != nil {
			return fmt.Errorf("installing python helpers: %w", err)
		}
		if err := installFile(filepath.Join(dir, name), want); err != nil {
			return fmt.Errorf("installing python helper %s: %w", name, err)
		}
	}
	return nil
}

// installFile makes path hold content, atomically.
func installFile(path string, content []byte) error {
	if have, err := os.ReadFile(path); err == nil && bytes.Equal(have, content) {
		if fi, err := os.Stat(path); err == nil && fi.Mode().Perm() == 0o644 {
			return nil
		}
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if _, err := tmp.Write(content); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// precompileScript compiles the .py files of one directory (argv[1]) to
// __pycache__, ignoring files the interpreter cannot compile (Python 2
// cannot read the Python 3 helpers).
const precompileScript = `import compileall, sys
compileall.compile_dir(sys.argv[1], maxlevels=0, quiet=2, force=False)
`

// Precompile writes the bytecode of the helpers in dir for python, once,
// so that the processes of a run, which have PYTHONDONTWRITEBYTECODE=1,
// do not compile sitecustomize.py at each start (about 5 ms of the 7 ms
// the helpers add to a start-up). Each interpreter version keeps its own
// files in dir/__pycache__, written atomically by Python; a helper that
// Install rewrites later is recompiled because its .pyc no longer
// matches. A failure costs only that time, so callers may ignore it.
func Precompile(ctx context.Context, python, dir string) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, "-c", precompileScript, dir)
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if name != "PYTHONDONTWRITEBYTECODE" && name != "PYTHONPATH" && name != "PYTHON_GIL" {
			env = append(env, kv)
		}
	}
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("precompiling python helpers with %s: %w: %s", python, err, bytes.TrimSpace(out))
	}
	return nil
}
