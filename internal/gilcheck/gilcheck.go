// Package gilcheck tells whether a project would run with the GIL
// re-enabled on free-threaded CPython: it imports the project's package and
// its submodules with PYTHON_GIL unset and watches the GIL (Probe), and it
// scans the project's source for the declarations by which an extension
// module opts in to running without the GIL (ScanOptIns).
package gilcheck

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/pyrace/pyrace/internal/results"
)

// ProbeTimeout bounds the import probe.
const ProbeTimeout = 120 * time.Second

// probeMarker starts the line on which pyrace_gilprobe prints its result.
const probeMarker = "PYRACE-GILPROBE "

// FindImportName returns the project's importable top-level package: a
// directory holding __init__.py directly in dir or in dir/src, leaving out
// tests, docs, examples, benchmarks, build output, hidden directories and
// virtual environments. When there are several, the one named like dir
// ("my-project" -> "my_project") wins, else the alphabetically first. It
// returns "" when there is none.
func FindImportName(dir string) string {
	var names []string
	for _, base := range []string{dir, filepath.Join(dir, "src")} {
		entries, err := os.ReadDir(base)
		if err != nil {
			continue
		}
		for _, e := range entries {
			name := e.Name()
			if !isPackageDirName(name) {
				continue
			}
			p := filepath.Join(base, name)
			if fi, err := os.Stat(p); err != nil || !fi.IsDir() {
				continue
			}
			if isVenv(p) {
				continue
			}
			if fi, err := os.Stat(filepath.Join(p, "__init__.py")); err != nil || !fi.Mode().IsRegular() {
				continue
			}
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return ""
	}
	want := normaliseName(filepath.Base(absOr(dir)))
	for _, n := range names {
		if normaliseName(n) == want {
			return n
		}
	}
	slices.Sort(names)
	return names[0]
}

// isPackageDirName reports whether a directory called name may be the
// project's package: a Python identifier that is not a test, docs,
// examples or build directory.
func isPackageDirName(name string) bool {
	switch strings.ToLower(name) {
	case "tests", "test", "testing", "docs", "doc", "examples", "example",
		"benchmarks", "benchmark", "bench", "build", "dist", "venv", "env",
		"site-packages", "node_modules", "__pycache__", "scripts", "tools":
		return false
	}
	if strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".egg-info") {
		return false
	}
	for i, r := range name {
		ok := r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (i > 0 && r >= '0' && r <= '9') || r > 127
		if !ok {
			return false
		}
	}
	return name != ""
}

// isVenv reports whether dir is a virtual environment.
func isVenv(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "pyvenv.cfg"))
	return err == nil
}

// normaliseName maps a project or package name to the form they share:
// lower case, "-" and "." as "_".
func normaliseName(s string) string {
	return strings.NewReplacer("-", "_", ".", "_").Replace(strings.ToLower(s))
}

func absOr(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

// Probe imports importName and all its submodules with python, in dir,
// with helpersDir (where pyhelpers.Install put pyrace_gilprobe.py) first on
// PYTHONPATH, and reports whether the GIL was re-enabled and by which
// module. env is the base environment (nil means os.Environ()).
//
// The returned GILCheck also holds the opt-in declarations ScanOptIns finds
// under dir. An import error, even of the package itself, is part of the
// result (ImportErrors). When the probe cannot run or prints no result the
// error is returned together with a GILCheck whose Error says why, so that
// the caller can record it.
func Probe(ctx context.Context, python, dir, importName, helpersDir string, env []string) (*results.GILCheck, error) {
	check := &results.GILCheck{ImportName: importName}
	optIns, scanErr := ScanOptIns(ctx, dir)
	check.OptIns = optIns
	if importName == "" {
		check.Error = "no importable package found"
		return check, nil
	}
	if env == nil {
		env = os.Environ()
	}
	// PYTHON_GIL is removed, not set: with PYTHON_GIL=0 CPython never
	// re-enables the GIL, so the probe could never see a fallback; with
	// PYTHON_GIL=1 it is on from the start. PYRACE_STATE_DIR is removed so
	// that our sitecustomize stays inert in the probe.
	pythonPath := helpersDir
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "PYTHONPATH="); ok && v != "" {
			pythonPath += string(os.PathListSeparator) + v
		}
	}
	env = append(dropEnv(env, "PYTHON_GIL", "PYRACE_STATE_DIR", "PYTHONPATH", "PYTHONDONTWRITEBYTECODE"),
		"PYTHONPATH="+pythonPath, "PYTHONDONTWRITEBYTECODE=1")

	ctx, cancel := context.WithTimeout(ctx, ProbeTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, "-m", "pyrace_gilprobe", importName)
	cmd.Dir = dir
	cmd.Env = env
	var stdout, stderr tailBuffer
	stdout.max, stderr.max = 4<<20, 16<<10
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = 5 * time.Second
	runErr := cmd.Run()

	if line, ok := findMarker(stdout.Bytes()); ok {
		if err := json.Unmarshal(line, check); err != nil {
			check.Error = fmt.Sprintf("reading the probe's result: %v", err)
			return check, fmt.Errorf("GIL probe of %s with %s: %w", importName, python, err)
		}
		check.ImportName = importName
		check.OptIns = optIns
		if scanErr != nil && check.Error == "" {
			check.Error = scanErr.Error()
		}
		return check, nil
	}
	var why string
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		why = fmt.Sprintf("did not finish within %s", ProbeTimeout)
	case ctx.Err() != nil:
		why = ctx.Err().Error()
	case runErr != nil:
		why = runErr.Error()
	default:
		why = "printed no result"
	}
	if t := lastLines(stderr.Bytes(), 3); t != "" {
		why += ": " + t
	}
	check.Error = "GIL probe " + why
	return check, fmt.Errorf("GIL probe of %s with %s: %s", importName, python, why)
}

// findMarker returns the JSON after the last marker line in out.
func findMarker(out []byte) ([]byte, bool) {
	var found []byte
	ok := false
	for line := range bytes.Lines(out) {
		if rest, has := bytes.CutPrefix(line, []byte(probeMarker)); has {
			found, ok = bytes.TrimSpace(rest), true
		}
	}
	return found, ok
}

// dropEnv returns env without the variables named in drop.
func dropEnv(env []string, drop ...string) []string {
	out := make([]string, 0, len(env)+2)
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		if !slices.Contains(drop, name) {
			out = append(out, kv)
		}
	}
	return out
}

// lastLines returns the last n non-empty lines of b joined with " | ".
func lastLines(b []byte, n int) string {
	var lines []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" {
			lines = append(lines, l)
		}
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}

// tailBuffer keeps the last max bytes written to it: the probe's result
// line comes last, and so do the most telling lines of an error.
type tailBuffer struct {
	buf []byte
	max int
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.buf = append(b.buf, p...)
	if over := len(b.buf) - b.max; over > 0 {
		b.buf = append(b.buf[:0], b.buf[over:]...)
	}
	return len(p), nil
}

func (b *tailBuffer) Bytes() []byte { return b.buf }

// sortOptIns orders opt-ins by file, line and form.
func sortOptIns(o []results.OptIn) {
	slices.SortFunc(o, func(a, b results.OptIn) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Form, b.Form))
	})
}
